// The Alertmanager sink: POST {url}/api/v2/alerts with one Alertmanager alert per blobwatch alert.
// The HTTP client is the webhook sink's (daemon/webhook_sink.cpp).

#include <simdjson.h>

#include <algorithm>
#include <chrono>

#include "daemon/alert_sink.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace blobwatch::daemon {

namespace detail {
// Defined in daemon/webhook_sink.cpp.
struct HttpTarget;
std::shared_ptr<HttpTarget> openHttpTarget(const SinkConfig& config, const std::string& url,
                                           const std::string& redact, std::string& error);
DeliveryResult httpPost(HttpTarget& target, const std::string& body,
                        const std::vector<std::string>& headers);
}  // namespace detail

namespace {

std::string_view stringOr(const simdjson::dom::element& doc, const char* key,
                          std::string_view fallback = {}) {
  std::string_view v;
  return doc[key].get(v) == simdjson::SUCCESS ? v : fallback;
}

int64_t nowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Appends one Alertmanager alert (the postableAlert of its OpenAPI v2) for one blobwatch alert.
// Returns false when `alertJson` is not an alert.
bool appendAlertmanagerAlert(std::string_view alertJson, int64_t dedupWindowUs, int64_t now,
                             simdjson::dom::parser& parser, std::string& out, std::string& id) {
  simdjson::dom::element doc;
  if (parser.parse(alertJson.data(), alertJson.size()).get(doc) != simdjson::SUCCESS ||
      !doc.is_object()) {
    return false;
  }
  const std::string_view detector = stringOr(doc, "detector");
  const std::string_view time = stringOr(doc, "time");
  int64_t timeUs = 0;
  id = std::string(stringOr(doc, "id"));
  if (id.empty() || detector.empty() || !schemas::parseIso8601(time, timeUs)) return false;

  schemas::JsonWriter w(out);
  auto label = [&](std::string_view k, std::string_view v) {
    if (!v.empty()) w.field(k, v);  // Alertmanager treats an empty label as an absent one
  };
  w.beginObject();
  w.key("labels");
  w.beginObject();
  w.field("alertname", "blobwatch_" + std::string(detector));
  w.field("detector", detector);
  label("severity", stringOr(doc, "severity"));
  label("principal", stringOr(doc, "principal"));
  label("bucket", stringOr(doc, "bucket"));  // null: omitted
  // What blobwatch folds repeats by (with detector and principal): two alerts with different keys
  // stay two Alertmanager alerts instead of the second overwriting the first.
  simdjson::dom::element dedup;
  if (doc["dedup"].get(dedup) == simdjson::SUCCESS) label("dedup_key", stringOr(dedup, "key"));
  w.field("source", "blobwatch");
  w.endObject();

  w.key("annotations");
  w.beginObject();
  w.field("summary", stringOr(doc, "summary"));
  simdjson::dom::element evidence;
  w.field("evidence", doc["evidence"].get(evidence) == simdjson::SUCCESS
                          ? simdjson::minify(evidence)
                          : std::string("{}"));
  w.field("alert_id", id);
  label("source_ip", stringOr(doc, "source_ip"));
  label("object", stringOr(doc, "object"));
  w.endObject();

  std::string startsAt, endsAt;
  schemas::formatRfc3339(timeUs, startsAt);
  // endsAt is the alert time plus the dedup window, but never in the past: an alert read late
  // (delayed logs, a backlog, a retried delivery) would otherwise arrive already resolved and
  // Alertmanager would never notify anyone of it.
  schemas::formatRfc3339(std::max(timeUs, now) + dedupWindowUs, endsAt);
  w.field("startsAt", startsAt);
  w.field("endsAt", endsAt);
  w.endObject();
  return true;
}

// With no dedup window, alerts still stay active as long as Alertmanager's default resolve_timeout.
constexpr int64_t kMinWindowUs = 5 * 60LL * 1'000'000;

class AlertmanagerSink final : public AlertSink {
 public:
  AlertmanagerSink(const SinkConfig& config, std::shared_ptr<detail::HttpTarget> target)
      : name_(config.name),
        batch_(std::max<size_t>(config.batch, 64)),
        dedupWindowUs_(std::max<int64_t>(config.dedupWindowUs, kMinWindowUs)),
        target_(std::move(target)) {}

  const std::string& name() const override { return name_; }
  size_t maxBatch() const override { return batch_; }

  DeliveryResult deliver(const std::vector<std::string>& alerts) override {
    if (alerts.empty()) return {};
    std::string body = "[";
    const int64_t now = nowUs();
    std::string id;
    for (size_t i = 0; i < alerts.size(); ++i) {
      if (i > 0) body.push_back(',');
      if (!appendAlertmanagerAlert(alerts[i], dedupWindowUs_, now, parser_, body, id)) {
        return {DeliveryOutcome::kReject, 0,
                name_ + ": alert " + std::to_string(i) + " of the batch is not an alert object"};
      }
    }
    body.push_back(']');
    return detail::httpPost(*target_, body, {"Content-Type: application/json"});
  }

 private:
  std::string name_;
  size_t batch_;
  int64_t dedupWindowUs_;
  std::shared_ptr<detail::HttpTarget> target_;
  simdjson::dom::parser parser_;
};

}  // namespace

std::unique_ptr<AlertSink> makeAlertmanagerSink(const SinkConfig& config, std::string& error) {
  const std::string prefix = "sink." + config.name + ".";
  if (config.format != "blobwatch") {
    error = prefix + "format: an alertmanager sink sends Alertmanager alerts; format does not " +
            "apply (got '" + config.format + "')";
    return nullptr;
  }
  std::string base = config.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto target = detail::openHttpTarget(config, base + "/api/v2/alerts", "", error);
  if (target == nullptr) return nullptr;
  return std::make_unique<AlertmanagerSink>(config, std::move(target));
}

}  // namespace blobwatch::daemon
