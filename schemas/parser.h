#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "schemas/access_event.h"

// The parser interface: from one framed record of bytes to zero or more AccessEvents.
//
// Contract for every Parser:
//  - no I/O, no global state; never throws. One instance parses one stream (a file, a Kafka
//    partition) from its start: the only state kept between records is what the format defines
//    at the stream's head (the CSV header of gcs-usage);
//  - `record` must be readable for record.size() + kRecordPadding bytes (simdjson reads past the
//    end); RecordSplitter guarantees this for the records it yields;
//  - one instance is not thread-safe (it reuses buffers); use one per thread.

namespace blobwatch::schemas {

// Bytes after a record that must be readable (not necessarily meaningful). Equals simdjson's
// SIMDJSON_PADDING; checked by a static_assert in the CloudTrail parser.
inline constexpr size_t kRecordPadding = 64;

enum class ParseErrc : uint8_t {
  kOk,
  kEmpty,           // blank line; not an error, nothing emitted
  kSyntax,          // not well-formed for the format (bad JSON, unterminated quote, ...)
  kMissingField,    // a field the format requires is absent
  kBadField,        // a required field is present but its value does not parse
  kNotAccessEvent,  // well-formed, but not a storage access record (counted, not an error)
};

// The outcome of parsing one record. `detail` points at a static string describing the first
// problem found (never owned, never null when code is not kOk).
struct [[nodiscard]] ParseStatus {
  ParseErrc code = ParseErrc::kOk;
  const char* detail = "";
  bool ok() const { return code == ParseErrc::kOk; }
  bool isError() const {
    return code == ParseErrc::kSyntax || code == ParseErrc::kMissingField ||
           code == ParseErrc::kBadField;
  }
  static ParseStatus Ok() { return {}; }
  static ParseStatus Error(ParseErrc c, const char* d) { return {c, d}; }
};

// Receives the events a record yields. The event reference is valid only during the call.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void onEvent(const AccessEvent& event) = 0;
};

class Parser {
 public:
  virtual ~Parser() = default;
  virtual Format format() const = 0;
  // Parses one record (without its line terminator) and calls sink.onEvent for each event in it.
  // A CloudTrail {"Records":[...]} document yields many events. On error, events already emitted
  // for this record stay emitted and the status names the first problem.
  virtual ParseStatus parse(std::string_view record, EventSink& sink) = 0;
};

// The explicit factory map: one entry per format. Returns nullptr for kUnknown.
std::unique_ptr<Parser> makeParser(Format format);

}  // namespace blobwatch::schemas
