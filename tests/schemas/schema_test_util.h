#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/access_event.h"
#include "schemas/parser.h"
#include "tests/support/parse_util.h"
#include "tests/support/samples.h"

// Helpers shared by the schemas tests. Expected times are computed with <chrono>, independently of
// schemas/text.cpp.

namespace blobwatch::testing {

// Microseconds since the epoch for a UTC civil time.
inline int64_t utcUs(int year, unsigned month, unsigned day, int hour, int minute, int second,
                     int64_t micros = 0) {
  using namespace std::chrono;
  const sys_days date =
      year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  const auto t = date + hours{hour} + minutes{minute} + seconds{second};
  return duration_cast<microseconds>(t.time_since_epoch()).count() + micros;
}

// The outcome of parsing one record with a parser directly.
struct OneRecord {
  schemas::ParseErrc code = schemas::ParseErrc::kOk;
  std::string detail;
  std::vector<schemas::AccessEvent> events;
};

class VectorSink final : public schemas::EventSink {
 public:
  explicit VectorSink(std::vector<schemas::AccessEvent>& out) : out_(out) {}
  void onEvent(const schemas::AccessEvent& e) override { out_.push_back(e); }

 private:
  std::vector<schemas::AccessEvent>& out_;
};

// Parses `record` with `parser`. The record is copied into a buffer with kRecordPadding readable
// bytes after it, as the Parser contract requires.
inline OneRecord parseOne(schemas::Parser& parser, std::string_view record) {
  std::string buf(record);
  buf.append(schemas::kRecordPadding, '\0');
  OneRecord out;
  VectorSink sink(out.events);
  const schemas::ParseStatus st = parser.parse(std::string_view(buf.data(), record.size()), sink);
  out.code = st.code;
  out.detail = st.detail;
  return out;
}

// Parses a sample file (path relative to the samples folder) with the given format.
inline ParsedFile parseSample(const std::string& relPath, schemas::Format format,
                              size_t chunk = 1 << 20) {
  return parseBuffer(readFile(samplesDir() / relPath), format, chunk);
}

// The events that came from the record starting on `line`.
inline std::vector<schemas::AccessEvent> eventsAtLine(const ParsedFile& f, uint64_t line) {
  std::vector<schemas::AccessEvent> out;
  for (size_t i = 0; i < f.events.size(); ++i) {
    if (f.eventLines[i] == line) out.push_back(f.events[i]);
  }
  return out;
}

inline std::string describeErrors(const ParsedFile& f, const std::string& name) {
  std::string s;
  for (const auto& e : f.errors) {
    s += name + ":" + std::to_string(e.line) + ": " + e.detail + "\n";
  }
  return s;
}

}  // namespace blobwatch::testing
