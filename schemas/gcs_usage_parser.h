#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// Google Cloud Storage usage logs: hourly CSV objects, one request per line, every value
// double-quoted ("" inside a value stands for one quote; unquoted values are accepted too).
//
// Columns are found BY NAME from the header row, so reordered and extra columns work. The header
// is the first line of the stream that has a "time_micros" column; it returns kEmpty (nothing
// emitted). A later header line (files concatenated) replaces it; a row with a number in the
// current time_micros position is always data, so a client-chosen value equal to "time_micros"
// (a User-Agent, an object name) cannot remap the columns. A data line before any header
// returns kMissingField "no header row". A data row with fewer cells than the header is
// kMissingField, with more is kSyntax; a quote left open is kSyntax.
//
// Mapping: time_micros -> timeUs; c_ip -> source; cs_operation (else cs_method) -> rawOperation
// and opClass; sc_status -> httpStatus; cs_bytes -> bytesIn; sc_bytes -> bytesOut; cs_user_agent;
// s_request_id -> requestId; cs_bucket -> bucket; cs_object -> objectKey (already decoded, raw
// UTF-8). time_micros is required; the others are left unknown when their column is absent.
//
// What blobwatch can and cannot conclude from usage logs:
//   - they carry NO caller identity: every event has principal "unidentified" and
//     PrincipalKind::kUnidentified. Anonymous and authenticated requests look the same, so
//     anonymous_read cannot run on them (it needs kAnonymous), and neither can the per-principal
//     detectors unknown_ip and bulk_download (no principal to baseline);
//   - authType is kQueryString when cs_uri carries a signed-URL signature (X-Goog-Signature or
//     Signature), else kUnknown (a header-authenticated request and an anonymous one are
//     indistinguishable);
//   - they still give request counts, status codes, byte counts, objects and client addresses
//     (c_ip may be a CDN edge, not the end client), which is what the usage-based views use;
//   - there is no error name (errorCode stays "") and no TLS version or object size.
class GcsUsageParser final : public Parser {
 public:
  Format format() const override { return Format::kGcsUsage; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

  // The columns the parser maps, in no particular order of the file.
  enum Column : uint8_t {
    kTime,
    kClientIp,
    kMethod,
    kUri,
    kStatus,
    kRequestBytes,
    kResponseBytes,
    kUserAgent,
    kRequestId,
    kOperation,
    kBucket,
    kObject,
    kColumnCount,
  };

 private:
  std::string_view cell(Column c) const;

  bool haveHeader_ = false;
  size_t headerCells_ = 0;
  std::array<int, kColumnCount> index_{};  // cell index of each column; -1 when absent
  std::vector<std::string_view> cells_;    // the current line's cells, quotes removed, "" kept
  AccessEvent event_;
};

}  // namespace blobwatch::schemas
