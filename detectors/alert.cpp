#include "detectors/alert.h"

#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace blobwatch::detectors {

std::string_view toString(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "medium";
}

void writeAlertJson(const Alert& a, std::string& out) {
  schemas::JsonWriter w(out);
  auto optString = [&](std::string_view k, std::string_view v) {
    w.key(k);
    if (v.empty()) {
      w.null();
    } else {
      w.value(v);
    }
  };
  w.beginObject();
  w.field("id", a.id);
  w.field("detector", a.detector);
  w.field("severity", toString(a.severity));
  std::string time;
  schemas::formatRfc3339(a.timeUs, time);
  w.field("time", time);
  w.field("provider", schemas::toString(a.provider));
  w.field("format", schemas::toString(a.format));
  w.field("principal", a.principal);
  optString("source_ip", a.sourceIp);
  optString("bucket", a.bucket);
  optString("object", a.object);
  w.field("operation", schemas::toString(a.operation));
  w.field("raw_operation", a.rawOperation);
  w.field("summary", a.summary);
  w.key("evidence");
  // evidenceJson is produced by the detectors with JsonWriter, so it is a valid object.
  w.raw(a.evidenceJson.empty() ? std::string_view("{}") : std::string_view(a.evidenceJson));
  w.key("request_ids");
  w.beginArray();
  for (const auto& id : a.requestIds) w.value(id);
  w.endArray();
  w.key("dedup");
  w.beginObject();
  w.field("key", a.dedupKey);
  w.field("folded_before", a.foldedBefore);
  w.key("previous_alert_time");
  if (a.previousAlertUs < 0) {
    w.null();
  } else {
    std::string prev;
    schemas::formatRfc3339(a.previousAlertUs, prev);
    w.value(prev);
  }
  w.key("previous_last_seen");
  if (a.previousLastSeenUs < 0) {
    w.null();
  } else {
    std::string last;
    schemas::formatRfc3339(a.previousLastSeenUs, last);
    w.value(last);
  }
  w.endObject();
  w.endObject();
}

}  // namespace blobwatch::detectors
