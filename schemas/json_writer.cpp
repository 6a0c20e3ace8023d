#include "schemas/json_writer.h"

#include <charconv>
#include <cmath>

#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t utf8Length(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // Copy the run of plain ASCII at once.
      size_t j = i + 1;
      while (j < s.size()) {
        const auto d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        ++i;
        continue;
      case '\\':
        out.append("\\\\");
        ++i;
        continue;
      case '\n':
        out.append("\\n");
        ++i;
        continue;
      case '\r':
        out.append("\\r");
        ++i;
        continue;
      case '\t':
        out.append("\\t");
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    const size_t n = utf8Length(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  out.push_back('"');
}

void JsonWriter::separate() {
  if (afterKey_) {
    afterKey_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

void JsonWriter::beginObject() {
  separate();
  out_.push_back('{');
  first_.push_back(true);
}
void JsonWriter::endObject() {
  out_.push_back('}');
  first_.pop_back();
}
void JsonWriter::beginArray() {
  separate();
  out_.push_back('[');
  first_.push_back(true);
}
void JsonWriter::endArray() {
  out_.push_back(']');
  first_.pop_back();
}
void JsonWriter::key(std::string_view k) {
  separate();
  appendJsonString(out_, k);
  out_.push_back(':');
  afterKey_ = true;
}
void JsonWriter::value(std::string_view s) {
  separate();
  appendJsonString(out_, s);
}
void JsonWriter::value(int64_t v) {
  separate();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
}
void JsonWriter::value(uint64_t v) {
  separate();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
}
void JsonWriter::value(double v) {
  separate();
  if (!std::isfinite(v)) {
    out_.append("null");
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
}
void JsonWriter::value(bool v) {
  separate();
  out_.append(v ? "true" : "false");
}
void JsonWriter::raw(std::string_view json) {
  separate();
  out_.append(json);
}
void JsonWriter::null() {
  separate();
  out_.append("null");
}

void writeEventJson(const AccessEvent& e, std::string& out) {
  JsonWriter w(out);
  auto optString = [&](std::string_view k, std::string_view v) {
    w.key(k);
    if (v.empty()) {
      w.null();
    } else {
      w.value(v);
    }
  };
  auto optNumber = [&](std::string_view k, int64_t v) {
    w.key(k);
    if (v < 0) {
      w.null();
    } else {
      w.value(v);
    }
  };
  w.beginObject();
  w.field("provider", toString(e.provider));
  w.field("format", toString(e.format));
  std::string time;
  formatRfc3339(e.timeUs, time);
  w.field("time", time);
  w.field("principal", e.principal);
  w.field("principal_kind", toString(e.principalKind));
  std::string ip;
  formatIp(e.sourceIp, ip);
  optString("source_ip", ip.empty() ? std::string_view(e.sourceIpText) : std::string_view(ip));
  w.field("source_ip_valid", e.sourceIp.valid);
  optString("bucket", e.bucket);
  optString("object", e.objectKey);
  w.field("operation", toString(e.opClass));
  w.field("raw_operation", e.rawOperation);
  optNumber("http_status", e.httpStatus);
  optString("error_code", e.errorCode);
  optNumber("bytes_out", e.bytesOut);
  optNumber("bytes_in", e.bytesIn);
  optNumber("object_size", e.objectSize);
  optString("user_agent", e.userAgent);
  w.field("auth_type", toString(e.authType));
  optString("tls_version", e.tlsVersion);
  optString("request_id", e.requestId);
  w.endObject();
}

}  // namespace blobwatch::schemas
