// A blobwatch alert as an OCSF 1.1.0 Detection Finding (class_uid 2004). The mapping is
// documented in README.md ("Alert sinks") and checked by
// schemas/ocsf-detection-finding.schema.json.

#include <arpa/inet.h>
#include <simdjson.h>

#include "daemon/alert_sink.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace blobwatch::daemon {
namespace {

constexpr const char* kOcsfVersion = "1.1.0";
constexpr const char* kProductVersion = "0.1.0";

struct SeverityMap {
  std::string_view name;
  int id;
  std::string_view caption;
};
constexpr SeverityMap kSeverities[] = {
    {"low", 2, "Low"}, {"medium", 3, "Medium"}, {"high", 4, "High"}, {"critical", 5, "Critical"}};

// OCSF analytic type_id: 1 Rule, 2 Behavioral, 3 Statistical.
struct AnalyticMap {
  std::string_view detector;
  int typeId;
  std::string_view type;
};
constexpr AnalyticMap kAnalytics[] = {{"anonymous_read", 1, "Rule"},
                                      {"unknown_ip", 2, "Behavioral"},
                                      {"bulk_download", 3, "Statistical"}};

std::string_view cloudProvider(std::string_view provider) {
  if (provider == "aws") return "AWS";
  if (provider == "azure") return "Azure";
  if (provider == "gcp") return "GCP";
  return {};
}

bool isIpAddress(std::string_view text) {
  if (text.empty() || text.size() >= 64) return false;
  char buf[64];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  unsigned char addr[16];
  return ::inet_pton(AF_INET, buf, addr) == 1 || ::inet_pton(AF_INET6, buf, addr) == 1;
}

std::string_view str(const simdjson::dom::element& doc, const char* key) {
  std::string_view v;
  return doc[key].get(v) == simdjson::SUCCESS ? v : std::string_view();
}

}  // namespace

std::string toOcsf(std::string_view alertJson) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(alertJson.data(), alertJson.size()).get(doc) != simdjson::SUCCESS ||
      !doc.is_object()) {
    return {};
  }
  const std::string_view id = str(doc, "id"), detector = str(doc, "detector"),
                         severity = str(doc, "severity"), summary = str(doc, "summary"),
                         principal = str(doc, "principal"), sourceIp = str(doc, "source_ip"),
                         bucket = str(doc, "bucket"), object = str(doc, "object"),
                         provider = str(doc, "provider");
  int64_t timeUs = 0;
  if (id.empty() || detector.empty() || !schemas::parseIso8601(str(doc, "time"), timeUs)) {
    return {};
  }
  const SeverityMap* sev = nullptr;
  for (const auto& s : kSeverities) {
    if (s.name == severity) sev = &s;
  }
  if (sev == nullptr) return {};
  const int64_t timeMs = timeUs / 1000;

  std::string out;
  schemas::JsonWriter w(out);
  w.beginObject();
  w.field("class_uid", 2004);
  w.field("class_name", "Detection Finding");
  w.field("category_uid", 2);
  w.field("category_name", "Findings");
  w.field("activity_id", 1);
  w.field("activity_name", "Create");
  w.field("type_uid", 200401);
  w.field("type_name", "Detection Finding: Create");
  w.field("time", timeMs);
  w.field("severity_id", sev->id);
  w.field("severity", sev->caption);
  w.field("status_id", 1);
  w.field("status", "New");
  w.field("message", summary);

  w.key("metadata");
  w.beginObject();
  w.field("version", kOcsfVersion);
  w.key("product");
  w.beginObject();
  w.field("name", "blobwatch");
  w.field("vendor_name", "blobwatch");
  w.field("version", kProductVersion);
  w.endObject();
  w.field("uid", id);
  w.field("original_time", str(doc, "time"));
  w.endObject();

  w.key("finding_info");
  w.beginObject();
  w.field("uid", id);
  w.field("title", detector);
  w.field("desc", summary);
  w.key("types");
  w.beginArray();
  w.value(detector);
  w.endArray();
  w.field("created_time", timeMs);
  for (const auto& a : kAnalytics) {
    if (a.detector != detector) continue;
    w.key("analytic");
    w.beginObject();
    w.field("name", detector);
    w.field("uid", detector);
    w.field("type_id", a.typeId);
    w.field("type", a.type);
    w.endObject();
  }
  w.endObject();

  w.key("actor");
  w.beginObject();
  w.key("user");
  w.beginObject();
  w.field("name", principal);
  // The alert does not say what kind of principal this is (user, role, key, service).
  const bool anonymous = principal == "anonymous";
  w.field("type_id", anonymous ? 99 : 0);
  w.field("type", anonymous ? "Other" : "Unknown");
  w.endObject();
  w.endObject();

  const bool ip = isIpAddress(sourceIp);
  if (ip) {
    w.key("src_endpoint");
    w.beginObject();
    w.field("ip", sourceIp);
    w.endObject();
  }

  const std::string_view cloud = cloudProvider(provider);
  if (!cloud.empty()) {
    w.key("cloud");
    w.beginObject();
    w.field("provider", cloud);
    w.endObject();
  }

  if (!bucket.empty() || !object.empty()) {
    w.key("resources");
    w.beginArray();
    if (!bucket.empty()) {
      w.beginObject();
      w.field("type", "bucket");
      w.field("name", bucket);
      w.field("uid", bucket);
      w.endObject();
    }
    if (!object.empty()) {
      w.beginObject();
      w.field("type", "object");
      w.field("name", object);
      w.field("uid", bucket.empty() ? std::string(object)
                                    : std::string(bucket) + "/" + std::string(object));
      w.endObject();
    }
    w.endArray();
  }

  simdjson::dom::element evidence;
  if (doc["evidence"].get(evidence) == simdjson::SUCCESS && evidence.is_object()) {
    w.key("evidences");
    w.beginArray();
    w.beginObject();
    w.key("data");
    w.raw(simdjson::minify(evidence));
    w.endObject();
    w.endArray();
  }

  // Whatever has no OCSF attribute of its own.
  w.key("unmapped");
  w.beginObject();
  w.field("provider", provider);
  w.field("format", str(doc, "format"));
  w.field("operation", str(doc, "operation"));
  w.field("raw_operation", str(doc, "raw_operation"));
  if (!ip && !sourceIp.empty()) w.field("source_ip", sourceIp);
  simdjson::dom::element value;
  if (doc["request_ids"].get(value) == simdjson::SUCCESS) {
    w.key("request_ids");
    w.raw(simdjson::minify(value));
  }
  if (doc["dedup"].get(value) == simdjson::SUCCESS) {
    w.key("dedup");
    w.raw(simdjson::minify(value));
  }
  w.endObject();
  w.endObject();
  return out;
}

}  // namespace blobwatch::daemon
