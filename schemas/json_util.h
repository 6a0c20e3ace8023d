#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string_view>

#include "schemas/parser.h"
#include "schemas/text.h"

// Helpers shared by the JSON parsers (simdjson On-Demand). Lessons measured on CloudTrail:
//  - dispatch fields in one pass over each object (`for (auto field : obj)`), switching on the
//    key's first character, rather than find_field_unordered per field;
//  - keep the field dispatch inlined into the loop ([[gnu::always_inline]]): an out-of-line call
//    taking an On-Demand value makes the compiler build it on the stack piecewise and reload it
//    whole, a store-forwarding stall per field that cost a third of the parse time;
//  - compare keys with keyIs(key, "literal"), whose length is a compile-time constant.

namespace blobwatch::schemas::json {

namespace od = simdjson::ondemand;
static_assert(kRecordPadding == simdjson::SIMDJSON_PADDING);

// True when the L bytes at `a` and `b` are equal. L is a compile-time constant, so this compiles
// to a few word loads and compares (the literal's words become immediates) where memcmp would be
// a call: keys are compared several times per field of every record.
template <size_t L>
[[gnu::always_inline]] inline bool sameBytes(const char* a, const char* b) {
  if constexpr (L >= 8) {
    uint64_t diff = 0;
    for (size_t i = 0; i + 8 <= L; i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      diff |= x ^ y;
    }
    if constexpr (L % 8 != 0) {  // the tail, as the last 8 bytes (overlapping the loop's)
      uint64_t x, y;
      std::memcpy(&x, a + L - 8, 8);
      std::memcpy(&y, b + L - 8, 8);
      diff |= x ^ y;
    }
    return diff == 0;
  } else if constexpr (L >= 4) {
    uint32_t x0, y0, x1, y1;
    std::memcpy(&x0, a, 4);
    std::memcpy(&y0, b, 4);
    std::memcpy(&x1, a + L - 4, 4);
    std::memcpy(&y1, b + L - 4, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  } else {
    for (size_t i = 0; i < L; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
}

// True when an object key (as raw JSON, unescaped) is `name`. Like simdjson's unsafe_is_equal:
// it looks at the byte after the key's length first, which the document's padding makes
// readable for names up to SIMDJSON_PADDING bytes.
template <size_t N>
[[gnu::always_inline]] inline bool keyIs(od::raw_json_string key, const char (&name)[N]) {
  static_assert(N - 1 <= simdjson::SIMDJSON_PADDING);
  const char* raw = key.raw();
  return raw[N - 1] == '"' && sameBytes<N - 1>(raw, name);
}

// Reads a string, or leaves `out` unchanged for null and non-strings.
inline void readString(od::value v, std::string_view& out) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) out = s;
}

// Reads a non-negative count given as an integer, a decimal or a numeric string; leaves `out`
// unchanged otherwise.
inline void readCount(od::value v, int64_t& out) {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS) return;
  if (t == od::json_type::number) {
    int64_t i;
    if (v.get_int64().get(i) == simdjson::SUCCESS) {
      if (i >= 0) out = i;
      return;
    }
    double d;
    if (v.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d < 9e18) {
      out = static_cast<int64_t>(d);
    }
  } else if (t == od::json_type::string) {
    std::string_view s;
    int64_t i;
    if (v.get_string().get(s) == simdjson::SUCCESS && parseCount(s, i) && i >= 0) out = i;
  }
}

// Opens one record as a JSON object: kEmpty for a blank record, kSyntax when it is not JSON or
// not an object. `doc` and `top` stay valid while `parser` is not reused.
[[nodiscard]] inline ParseStatus openObject(od::parser& parser, std::string_view record,
                                            od::document& doc, od::object& top) {
  if (record.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return ParseStatus::Error(ParseErrc::kEmpty, "empty record");
  }
  if (parser.iterate(record.data(), record.size(), record.size() + kRecordPadding).get(doc)) {
    return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
  }
  if (doc.get_object().get(top)) {
    return ParseStatus::Error(ParseErrc::kSyntax, "record is not a JSON object");
  }
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas::json
