// Fuzz target: format detection, framing and parsing of every format, then the detection engine
// over whatever events come out. Must never crash, hang or read out of bounds; every event must
// satisfy the AccessEvent contract.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "detectors/engine.h"
#include "detectors/memory_state_store.h"
#include "schemas/format_detect.h"
#include "schemas/json_writer.h"
#include "schemas/parser.h"
#include "schemas/record_splitter.h"

namespace {

using namespace blobwatch;

class CheckingSink final : public schemas::EventSink {
 public:
  explicit CheckingSink(detectors::Engine& engine) : engine_(engine) {}
  void onEvent(const schemas::AccessEvent& e) override {
    if (e.principal.empty() || e.provider == schemas::Provider::kUnknown) std::abort();
    json_.clear();
    schemas::writeEventJson(e, json_);
    (void)engine_.process(e);
  }

 private:
  detectors::Engine& engine_;
  std::string json_;
};

void runFormat(schemas::Format format, const uint8_t* data, size_t size, size_t chunk) {
  detectors::MemoryStateStore store;
  detectors::DetectorConfig config;
  config.bulkMinObjects = 2;
  config.bulkMinBytes = 1;
  config.learningPeriodUs = 1;
  detectors::Engine engine(config, store);
  CheckingSink sink(engine);
  auto parser = schemas::makeParser(format);
  schemas::RecordSplitter splitter(schemas::framingFor(format), 4096);
  schemas::Record rec;
  size_t pos = 0;
  for (;;) {
    while (splitter.next(rec)) (void)parser->parse(rec.bytes, sink);
    if (pos >= size) break;
    const size_t n = std::min(chunk, size - pos);
    std::memcpy(splitter.prepare(n), data + pos, n);
    splitter.commit(n);
    pos += n;
    if (pos >= size) splitter.finish();
  }
  while (splitter.next(rec)) (void)parser->parse(rec.bytes, sink);
  std::vector<detectors::Alert> alerts;
  (void)engine.flush(alerts);
}

// Every format makeParser knows: the values after kUnknown up to the first one without a parser,
// so a format added to the enum and the factory is fuzzed without touching this file.
const std::vector<schemas::Format>& allFormats() {
  static const std::vector<schemas::Format> formats = [] {
    std::vector<schemas::Format> out;
    for (unsigned i = static_cast<unsigned>(schemas::Format::kUnknown) + 1; i < 256; ++i) {
      const auto format = static_cast<schemas::Format>(i);
      if (schemas::makeParser(format) == nullptr) break;
      out.push_back(format);
    }
    // Every format up to the last one declared must be there.
    if (out.empty() || out.back() != schemas::Format::kMinioAudit) std::abort();
    return out;
  }();
  return formats;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)schemas::detectFormat(input);
  // Small reads exercise records split across reads; one big read the single-chunk path.
  const size_t chunk = size == 0 ? 1 : 1 + data[0] % 64;
  for (const schemas::Format format : allFormats()) {
    runFormat(format, data, size, chunk);
    runFormat(format, data, size, 1 << 20);
  }
  return 0;
}
