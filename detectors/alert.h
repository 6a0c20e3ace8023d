#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/access_event.h"

namespace blobwatch::detectors {

enum class Severity : uint8_t { kLow, kMedium, kHigh, kCritical };
std::string_view toString(Severity s);

// One alert, as documented in schemas/alert.schema.json. Owned values; copyable.
struct Alert {
  std::string id;  // deterministic: hex of SHA-256 over detector, principal, dedup key, time and
                   // request id (first 16 bytes)
  std::string detector;
  Severity severity = Severity::kMedium;
  int64_t timeUs = 0;  // event time of the request that raised it
  schemas::Provider provider = schemas::Provider::kUnknown;
  schemas::Format format = schemas::Format::kUnknown;
  std::string principal;
  std::string sourceIp;
  std::string bucket;
  std::string object;
  schemas::OpClass operation = schemas::OpClass::kOther;
  std::string rawOperation;
  std::string summary;
  std::string evidenceJson;  // a JSON object: observed vs baseline, window, counts
  std::vector<std::string> requestIds;
  std::string dedupKey;             // what repeats are folded by, with detector and principal
  uint64_t foldedBefore = 0;        // repeats folded into the previous alert with this dedup key
  int64_t previousAlertUs = -1;     // event time of that previous alert, -1 if none
  int64_t previousLastSeenUs = -1;  // event time of the last repeat folded into it, -1 if none
};

// Appends the alert as one JSON object, no newline.
void writeAlertJson(const Alert& a, std::string& out);

}  // namespace blobwatch::detectors
