#include "schemas/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "schemas/access_event.h"
#include "tests/schemas/schema_test_util.h"

namespace blobwatch::schemas {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string jsonString(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

// Parses `json` (one string literal) with simdjson, which also validates UTF-8, and returns the
// decoded string. Fails the test when it does not parse.
std::string decodeJsonString(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto err = parser.parse(json).get(doc);
  EXPECT_EQ(err, simdjson::SUCCESS) << simdjson::error_message(err) << ": " << json;
  if (err) return "<parse error>";
  std::string_view s;
  EXPECT_EQ(doc.get_string().get(s), simdjson::SUCCESS) << json;
  return std::string(s);
}

// True when `s` is one or more U+FFFD and nothing else.
bool onlyReplacements(std::string_view s) {
  if (s.empty() || s.size() % kReplacement.size() != 0) return false;
  for (size_t i = 0; i < s.size(); i += kReplacement.size()) {
    if (s.substr(i, kReplacement.size()) != kReplacement) return false;
  }
  return true;
}

TEST(AppendJsonString, PlainAsciiAndAppend) {
  EXPECT_EQ(jsonString(""), "\"\"");
  EXPECT_EQ(jsonString("hello world/~"), "\"hello world/~\"");
  std::string out = "[";
  appendJsonString(out, "x");
  EXPECT_EQ(out, "[\"x\"");
}

TEST(AppendJsonString, QuotesAndBackslashes) {
  EXPECT_EQ(jsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonString("\\\""), "\"\\\\\\\"\"");
  EXPECT_EQ(decodeJsonString(jsonString("a\"b\\c\\\\\"\"")), "a\"b\\c\\\\\"\"");
}

TEST(AppendJsonString, EveryControlCharacter) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int c = 0; c < 0x20; ++c) {
    const std::string in = std::string("a") + static_cast<char>(c) + "b";
    const std::string out = jsonString(in);
    std::string expected;
    switch (c) {
      case '\n':
        expected = "\\n";
        break;
      case '\r':
        expected = "\\r";
        break;
      case '\t':
        expected = "\\t";
        break;
      default:
        expected = std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xF];
        break;
    }
    EXPECT_EQ(out, "\"a" + expected + "b\"") << c;
    EXPECT_EQ(decodeJsonString(out), in) << c;
  }
  // DEL (0x7f) needs no escape and stays as is.
  EXPECT_EQ(decodeJsonString(jsonString("a\x7f")), "a\x7f");
}

TEST(AppendJsonString, ValidMultiByteUtf8Kept) {
  for (const std::string_view s : {
           std::string_view("\xC2\x80"),               // U+0080
           std::string_view("caf\xC3\xA9"),            // é
           std::string_view("\xE2\x82\xAC"),           // €
           std::string_view("v1/kanji/\xE9\x9B\x86"),  // 集
           std::string_view("\xED\x9F\xBF"),           // U+D7FF, just below the surrogates
           std::string_view("\xEE\x80\x80"),           // U+E000, just above
           std::string_view("\xEF\xBF\xBF"),           // U+FFFF
           std::string_view("\xF0\x90\x80\x80"),       // U+10000
           std::string_view("\xF0\x9D\x84\x9E"),       // 𝄞
           std::string_view("\xF4\x8F\xBF\xBF"),       // U+10FFFF
           std::string_view("\xEF\xBF\xBD"),           // U+FFFD itself
       }) {
    const std::string out = jsonString(s);
    std::string quoted = "\"";  // built step by step: GCC 12 -O3 warns (-Wrestrict) on a + chain
    quoted.append(s);
    quoted.push_back('"');
    EXPECT_EQ(out, quoted);
    EXPECT_EQ(decodeJsonString(out), s);
  }
}

TEST(AppendJsonString, InvalidUtf8BecomesReplacementCharacter) {
  struct Case {
    const char* name;
    std::string_view bad;
  };
  for (const Case& c : {
           Case{"lone continuation byte", "\x80"},
           Case{"lone continuation byte 0xBF", "\xBF"},
           Case{"overlong 2-byte '/'", "\xC0\xAF"},
           Case{"overlong 2-byte C1", "\xC1\xBF"},
           Case{"overlong 3-byte", "\xE0\x80\xAF"},
           Case{"overlong 4-byte", "\xF0\x80\x80\xAF"},
           Case{"surrogate U+D800", "\xED\xA0\x80"},
           Case{"surrogate U+DFFF", "\xED\xBF\xBF"},
           Case{"truncated 2-byte", "\xC3"},
           Case{"truncated 3-byte", "\xE2\x82"},
           Case{"truncated 4-byte", "\xF0\x9F\x98"},
           Case{"above U+10FFFF (F4 90)", "\xF4\x90\x80\x80"},
           Case{"above U+10FFFF (F5)", "\xF5\x80\x80\x80"},
           Case{"byte FE", "\xFE"},
           Case{"byte FF", "\xFF"},
       }) {
    for (const bool atEnd : {false, true}) {
      const std::string in = "a" + std::string(c.bad) + (atEnd ? "" : "b");
      const std::string out = jsonString(in);
      const std::string decoded = decodeJsonString(out);
      ASSERT_GE(decoded.size(), 2u) << c.name;
      EXPECT_EQ(decoded.front(), 'a') << c.name;
      const std::string_view middle =
          std::string_view(decoded).substr(1, decoded.size() - (atEnd ? 1 : 2));
      EXPECT_TRUE(onlyReplacements(middle)) << c.name << ": " << out;
      if (!atEnd) {
        EXPECT_EQ(decoded.back(), 'b') << c.name;
      }
    }
  }
}

TEST(AppendJsonString, ValidSequenceAfterInvalidByteSurvives) {
  // A truncated sequence must not swallow the valid character that follows it.
  const std::string decoded = decodeJsonString(jsonString("\xE2\x82\xC3\xA9"));
  EXPECT_EQ(decoded.substr(decoded.size() - 2), "\xC3\xA9");
  EXPECT_TRUE(onlyReplacements(std::string_view(decoded).substr(0, decoded.size() - 2)));
}

TEST(AppendJsonString, EmbeddedNul) {
  const std::string in("a\0b", 3);
  EXPECT_EQ(jsonString(in), "\"a\\u0000b\"");
  EXPECT_EQ(decodeJsonString(jsonString(in)), in);
}

TEST(AppendJsonString, EveryByteAndRandomBytesGiveValidJson) {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    const std::string decoded = decodeJsonString(jsonString(in));
    if (b < 0x80) {
      EXPECT_EQ(decoded, in) << b;
    } else {
      EXPECT_EQ(decoded, kReplacement) << b;
    }
  }
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 64);
  for (int i = 0; i < 2000; ++i) {
    std::string in(static_cast<size_t>(len(rng)), '\0');
    for (char& ch : in) ch = static_cast<char>(byte(rng));
    const std::string out = jsonString(in);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << i;
    ASSERT_TRUE(doc.is_string()) << i;
  }
}

TEST(JsonWriter, ObjectsArraysAndValues) {
  std::string out;
  JsonWriter w(out);
  w.beginObject();
  w.field("s", std::string_view("x\"y"));
  w.field("c", "chars");
  w.field("i", int64_t{-42});
  w.field("min", std::numeric_limits<int64_t>::min());
  w.field("u", std::numeric_limits<uint64_t>::max());
  w.field("n", 7);
  w.field("d", 0.5);
  w.field("nan", std::nan(""));
  w.field("t", true);
  w.field("f", false);
  w.key("null");
  w.null();
  w.key("arr");
  w.beginArray();
  w.value(int64_t{1});
  w.beginObject();
  w.endObject();
  w.beginArray();
  w.endArray();
  w.raw("{\"r\":[1,2]}");
  w.endArray();
  w.key("empty");
  w.beginObject();
  w.endObject();
  w.endObject();

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(std::string_view(doc["s"]), "x\"y");
  EXPECT_EQ(std::string_view(doc["c"]), "chars");
  EXPECT_EQ(int64_t(doc["i"]), -42);
  EXPECT_EQ(int64_t(doc["min"]), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(uint64_t(doc["u"]), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(int64_t(doc["n"]), 7);
  EXPECT_EQ(double(doc["d"]), 0.5);
  EXPECT_TRUE(doc["nan"].is_null());
  EXPECT_TRUE(bool(doc["t"]));
  EXPECT_FALSE(bool(doc["f"]));
  EXPECT_TRUE(doc["null"].is_null());
  simdjson::dom::array arr = doc["arr"];
  EXPECT_EQ(arr.size(), 4u);
  EXPECT_EQ(int64_t(arr.at(3)["r"].at(1)), 2);
  EXPECT_EQ(simdjson::dom::object(doc["empty"]).size(), 0u);
}

AccessEvent sampleEvent() {
  AccessEvent e;
  e.provider = Provider::kAws;
  e.format = Format::kS3Access;
  e.timeUs = ::blobwatch::testing::utcUs(2019, 2, 6, 0, 0, 38, 120);
  e.principal = "arn:aws:sts::123456789012:assumed-role/Admin";
  e.principalKind = PrincipalKind::kRole;
  e.sourceIpText = "2001:0db8:0000:0000:0000:0000:0000:0001";
  EXPECT_TRUE(parseIp(e.sourceIpText, e.sourceIp));
  e.bucket = "examplebucket";
  e.objectKey = "photos/caf\xC3\xA9 \"1\".jpg";
  e.opClass = OpClass::kRead;
  e.rawOperation = "REST.GET.OBJECT";
  e.httpStatus = 206;
  e.errorCode = "";
  e.bytesOut = 65536;
  e.bytesIn = -1;
  e.objectSize = 72610716;
  e.userAgent =
      "evil\xFF\x01"
      "agent";
  e.authType = AuthType::kQueryString;
  e.tlsVersion = "TLSv1.2";
  e.requestId = "1VADRPF1K9DV2RTE";
  return e;
}

TEST(WriteEventJson, DocumentedKeysInOrder) {
  std::string out;
  writeEventJson(sampleEvent(), out);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  simdjson::dom::object obj;
  ASSERT_EQ(doc.get_object().get(obj), simdjson::SUCCESS);
  std::vector<std::string> keys;
  for (const auto field : obj) keys.emplace_back(field.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{
                "provider",      "format",          "time",       "principal",   "principal_kind",
                "source_ip",     "source_ip_valid", "bucket",     "object",      "operation",
                "raw_operation", "http_status",     "error_code", "bytes_out",   "bytes_in",
                "object_size",   "user_agent",      "auth_type",  "tls_version", "request_id"}));
}

TEST(WriteEventJson, Values) {
  std::string out;
  writeEventJson(sampleEvent(), out);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(std::string_view(doc["provider"]), "aws");
  EXPECT_EQ(std::string_view(doc["format"]), "s3-access");
  EXPECT_EQ(std::string_view(doc["time"]), "2019-02-06T00:00:38.000120Z");
  EXPECT_EQ(std::string_view(doc["principal"]), "arn:aws:sts::123456789012:assumed-role/Admin");
  EXPECT_EQ(std::string_view(doc["principal_kind"]), "role");
  EXPECT_EQ(std::string_view(doc["source_ip"]), "2001:db8::1");  // canonical form
  EXPECT_TRUE(bool(doc["source_ip_valid"]));
  EXPECT_EQ(std::string_view(doc["bucket"]), "examplebucket");
  EXPECT_EQ(std::string_view(doc["object"]), "photos/caf\xC3\xA9 \"1\".jpg");
  EXPECT_EQ(std::string_view(doc["operation"]), "read");
  EXPECT_EQ(std::string_view(doc["raw_operation"]), "REST.GET.OBJECT");
  EXPECT_EQ(int64_t(doc["http_status"]), 206);
  EXPECT_TRUE(doc["error_code"].is_null());
  EXPECT_EQ(int64_t(doc["bytes_out"]), 65536);
  EXPECT_TRUE(doc["bytes_in"].is_null());
  EXPECT_EQ(int64_t(doc["object_size"]), 72610716);
  EXPECT_EQ(std::string_view(doc["user_agent"]),
            "evil\xEF\xBF\xBD\x01"
            "agent");
  EXPECT_EQ(std::string_view(doc["auth_type"]), "query-string");
  EXPECT_EQ(std::string_view(doc["tls_version"]), "TLSv1.2");
  EXPECT_EQ(std::string_view(doc["request_id"]), "1VADRPF1K9DV2RTE");
}

TEST(WriteEventJson, EmptyEventAndUnparsedIp) {
  AccessEvent e;
  e.sourceIpText = "s3.amazonaws.com";
  std::string out;
  writeEventJson(e, out);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(std::string_view(doc["provider"]), "unknown");
  EXPECT_EQ(std::string_view(doc["format"]), "unknown");
  EXPECT_EQ(std::string_view(doc["time"]), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(std::string_view(doc["principal"]), "");
  EXPECT_EQ(std::string_view(doc["principal_kind"]), "unknown");
  EXPECT_EQ(std::string_view(doc["source_ip"]), "s3.amazonaws.com");  // kept as logged
  EXPECT_FALSE(bool(doc["source_ip_valid"]));
  for (const char* k : {"bucket", "object", "http_status", "error_code", "bytes_out", "bytes_in",
                        "object_size", "user_agent", "tls_version", "request_id"}) {
    EXPECT_TRUE(doc[k].is_null()) << k;
  }
  EXPECT_EQ(std::string_view(doc["operation"]), "other");
  EXPECT_EQ(std::string_view(doc["auth_type"]), "unknown");

  AccessEvent noIp;
  std::string out2;
  writeEventJson(noIp, out2);
  ASSERT_EQ(parser.parse(out2).get(doc), simdjson::SUCCESS) << out2;
  EXPECT_TRUE(doc["source_ip"].is_null());
}

TEST(WriteEventJson, AppendsOneObjectPerCall) {
  std::string out;
  writeEventJson(sampleEvent(), out);
  out.push_back('\n');
  writeEventJson(AccessEvent{}, out);
  out.push_back('\n');
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  ASSERT_EQ(parser.parse_many(out).get(stream), simdjson::SUCCESS);
  size_t n = 0;
  for (auto d : stream) {
    simdjson::dom::element el;
    ASSERT_EQ(d.get(el), simdjson::SUCCESS);
    ++n;
  }
  EXPECT_EQ(n, 2u);
}

}  // namespace
}  // namespace blobwatch::schemas
