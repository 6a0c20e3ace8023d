#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/access_event.h"

namespace blobwatch::schemas {

// Appends `s` as a JSON string literal (with quotes). Escapes '"', '\\' and every control
// character; replaces each invalid UTF-8 sequence (overlong, surrogate, truncated, > U+10FFFF) by
// U+FFFD, so the output is always valid JSON and valid UTF-8 whatever the input.
void appendJsonString(std::string& out, std::string_view s);

// A minimal streaming JSON writer that appends to a caller-owned string. It inserts commas; the
// caller keeps keys and values paired and containers balanced. Not thread-safe.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void beginObject();
  void endObject();
  void beginArray();
  void endArray();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(int64_t v);
  void value(uint64_t v);
  void value(int v) { value(static_cast<int64_t>(v)); }
  void value(double v);
  void value(bool v);
  void null();
  // Appends `json`, which must be one complete, valid JSON value, as the next value.
  void raw(std::string_view json);
  // Convenience: key then value.
  template <typename T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }

 private:
  void separate();
  std::string& out_;
  std::vector<bool> first_;
  bool afterKey_ = false;
};

// Writes an AccessEvent as one JSON object (the form documented in schemas/event.schema.json).
void writeEventJson(const AccessEvent& e, std::string& out);

}  // namespace blobwatch::schemas
