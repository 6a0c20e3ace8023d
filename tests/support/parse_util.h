#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "schemas/access_event.h"
#include "schemas/format_detect.h"
#include "schemas/parser.h"
#include "schemas/record_splitter.h"

// Runs the real framing + parser over a whole buffer, as `blobwatch scan` does, and keeps every
// event and every error with its line number.

namespace blobwatch::testing {

struct ParsedError {
  uint64_t line;
  schemas::ParseErrc code;
  std::string detail;
};

struct ParsedFile {
  schemas::Format format = schemas::Format::kUnknown;
  std::vector<schemas::AccessEvent> events;
  std::vector<uint64_t> eventLines;  // line of the record each event came from
  std::vector<ParsedError> errors;   // isError() statuses only
  uint64_t skipped = 0;              // kNotAccessEvent records
};

class CollectingSink final : public schemas::EventSink {
 public:
  explicit CollectingSink(ParsedFile& out) : out_(out) {}
  void onEvent(const schemas::AccessEvent& e) override {
    out_.events.push_back(e);
    out_.eventLines.push_back(line);
  }
  uint64_t line = 0;

 private:
  ParsedFile& out_;
};

// Parses `content` in chunks of `chunk` bytes (to exercise record boundaries across reads).
// Format kUnknown means detect it from the first bytes.
inline ParsedFile parseBuffer(const std::string& content,
                              schemas::Format format = schemas::Format::kUnknown,
                              size_t chunk = 1 << 20) {
  ParsedFile out;
  out.format =
      format == schemas::Format::kUnknown
          ? schemas::detectFormat(std::string_view(content).substr(0, schemas::kDetectBytes))
          : format;
  auto parser = schemas::makeParser(out.format);
  if (!parser) return out;
  schemas::RecordSplitter splitter(schemas::framingFor(out.format));
  CollectingSink sink(out);
  size_t pos = 0;
  schemas::Record rec;
  for (;;) {
    while (splitter.next(rec)) {
      sink.line = rec.line;
      schemas::ParseStatus st = parser->parse(rec.bytes, sink);
      if (st.isError()) out.errors.push_back({rec.line, st.code, st.detail});
      if (st.code == schemas::ParseErrc::kNotAccessEvent) ++out.skipped;
    }
    if (pos >= content.size()) {
      splitter.finish();
      while (splitter.next(rec)) {
        sink.line = rec.line;
        schemas::ParseStatus st = parser->parse(rec.bytes, sink);
        if (st.isError()) out.errors.push_back({rec.line, st.code, st.detail});
        if (st.code == schemas::ParseErrc::kNotAccessEvent) ++out.skipped;
      }
      break;
    }
    const size_t n = std::min(chunk, content.size() - pos);
    std::memcpy(splitter.prepare(n), content.data() + pos, n);
    splitter.commit(n);
    pos += n;
  }
  return out;
}

}  // namespace blobwatch::testing
