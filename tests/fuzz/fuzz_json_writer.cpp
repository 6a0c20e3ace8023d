// Fuzz target: whatever bytes go in, appendJsonString produces one valid JSON string whose value
// equals the input wherever the input was valid UTF-8 without U+FFFD replacements; and a
// principal state decoded from arbitrary bytes never crashes.

#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "detectors/principal_state.h"
#include "schemas/json_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string json;
  blobwatch::schemas::appendJsonString(json, input);
  simdjson::dom::parser parser;
  std::string_view decoded;
  if (parser.parse(json).get(decoded) != simdjson::SUCCESS) std::abort();
  if (simdjson::validate_utf8(input.data(), input.size()) && decoded != input) std::abort();

  blobwatch::detectors::PrincipalState state;
  if (state.decode(input)) {
    std::string again;
    state.encode(again);
    if (again != input) std::abort();  // a value that decodes must re-encode identically
  }
  return 0;
}
