#include "schemas/gcs_usage_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schemas/access_event.h"
#include "schemas/json_writer.h"
#include "tests/schemas/schema_test_util.h"
#include "tests/support/parse_util.h"
#include "tests/support/samples.h"

namespace blobwatch::schemas {
namespace {

using ::blobwatch::testing::describeErrors;
using ::blobwatch::testing::OneRecord;
using ::blobwatch::testing::ParsedFile;
using ::blobwatch::testing::parseOne;
using ::blobwatch::testing::parseSample;

constexpr char kExample1[] =
    "gcs-usage/onlyskin-kanjiapi.dev_popularity-contest_test_main_csv_example_1.csv";
constexpr char kExample2[] =
    "gcs-usage/onlyskin-kanjiapi.dev_popularity-contest_test_main_csv_example_2.csv";

// The header of the samples, in their order.
constexpr char kHeader[] =
    R"("time_micros","c_ip","c_ip_type","c_ip_region","cs_method","cs_uri","sc_status","cs_bytes","sc_bytes","time_taken_micros","cs_host","cs_referer","cs_user_agent","s_request_id","cs_operation","cs_bucket","cs_object")";

// A data row in the samples' column order.
std::string row(const std::string& time, const std::string& ip, const std::string& method,
                const std::string& uri, const std::string& status, const std::string& csBytes,
                const std::string& scBytes, const std::string& ua, const std::string& id,
                const std::string& op, const std::string& bucket, const std::string& object) {
  auto q = [](const std::string& v) { return "\"" + v + "\""; };
  return q(time) + "," + q(ip) + ",\"1\",\"\"," + q(method) + "," + q(uri) + "," + q(status) + "," +
         q(csBytes) + "," + q(scBytes) + ",\"1000\",\"host\",\"\"," + q(ua) + "," + q(id) + "," +
         q(op) + "," + q(bucket) + "," + q(object);
}

ParsedFile parseCsv(const std::string& content, size_t chunk = 1 << 20) {
  return ::blobwatch::testing::parseBuffer(content, Format::kGcsUsage, chunk);
}

std::vector<std::string> asJson(const ParsedFile& f) {
  std::vector<std::string> out;
  for (size_t i = 0; i < f.events.size(); ++i) {
    std::string s = std::to_string(f.eventLines[i]) + " ";
    writeEventJson(f.events[i], s);
    out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Samples.

TEST(GcsUsageSamples, EveryRecordParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto files = ::blobwatch::testing::sampleFiles("gcs-usage");
  ASSERT_EQ(files.size(), 2u);
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const std::string content = ::blobwatch::testing::readFile(path);
    const ParsedFile f = ::blobwatch::testing::parseBuffer(content);  // format detected
    EXPECT_EQ(f.format, Format::kGcsUsage) << name;
    EXPECT_TRUE(f.errors.empty()) << describeErrors(f, name);
    EXPECT_EQ(f.skipped, 0u) << name;
    EXPECT_FALSE(f.events.empty()) << name;
    for (const AccessEvent& e : f.events) {
      EXPECT_EQ(e.provider, Provider::kGcp) << name;
      EXPECT_EQ(e.format, Format::kGcsUsage) << name;
      EXPECT_EQ(e.principal, "unidentified") << name;
      EXPECT_EQ(e.principalKind, PrincipalKind::kUnidentified) << name;
      EXPECT_EQ(e.authType, AuthType::kUnknown) << name;
      EXPECT_EQ(e.bucket, "kanjiapi.dev") << name;
      EXPECT_EQ(e.rawOperation, "GET_Object") << name;
      EXPECT_EQ(e.opClass, OpClass::kRead) << name;
      EXPECT_EQ(e.bytesIn, 0) << name;
      EXPECT_TRUE(e.sourceIp.valid) << name;
      EXPECT_EQ(e.objectKey.rfind("v1/kanji/", 0), 0u) << name;
    }
    const ParsedFile small = parseCsv(content, 7);
    EXPECT_EQ(asJson(small), asJson(f)) << name;
  }
}

TEST(GcsUsageSamples, Example1Fields) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile f = parseSample(kExample1, Format::kGcsUsage);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, kExample1);
  ASSERT_EQ(f.eventLines, (std::vector<uint64_t>{2, 3}));  // line 1 is the header

  const AccessEvent& a = f.events[0];
  EXPECT_EQ(a.timeUs, 1693206014339368);
  EXPECT_EQ(a.sourceIpText, "172.71.142.38");
  EXPECT_TRUE(a.sourceIp.valid);
  EXPECT_EQ(a.httpStatus, 200);
  EXPECT_EQ(a.bytesIn, 0);
  EXPECT_EQ(a.bytesOut, 277);
  EXPECT_EQ(a.userAgent,
            "Mozilla/5.0 (Windows NT 6.2; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "QtWebEngine/6.4.3 Chrome/102.0.5005.177 Safari/537.36");
  EXPECT_EQ(a.requestId,
            "ADPycduvHuLfdAtc-f-Uyl-AONU9elsqMfPUaul2F0vpty_e_YDJ67AKrjeB3_60LKULw_l50awy-"
            "M8UxjCnP4bhuWx7");
  EXPECT_EQ(a.bucket, "kanjiapi.dev");
  EXPECT_EQ(a.objectKey, "v1/kanji/\xE9\x9B\x86");  // cs_object is decoded (cs_uri has %E9%9B%86)
  EXPECT_EQ(a.rawOperation, "GET_Object");
  EXPECT_EQ(a.opClass, OpClass::kRead);
  EXPECT_EQ(a.errorCode, "");
  EXPECT_EQ(a.tlsVersion, "");
  EXPECT_EQ(a.objectSize, -1);

  const AccessEvent& b = f.events[1];
  EXPECT_EQ(b.timeUs, 1693206098543049);
  EXPECT_EQ(b.sourceIpText, "172.70.210.203");
  EXPECT_EQ(b.httpStatus, 404);
  EXPECT_FALSE(b.success());
  EXPECT_EQ(b.bytesOut, 0);
  EXPECT_EQ(b.objectKey, "v1/kanji/\xE5\x85\x88");
}

TEST(GcsUsageSamples, Example2Fields) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile f = parseSample(kExample2, Format::kGcsUsage);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, kExample2);
  ASSERT_EQ(f.eventLines, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(f.events[0].timeUs, 1693210382477156);
  EXPECT_EQ(f.events[0].httpStatus, 304);
  EXPECT_TRUE(f.events[0].success());
  EXPECT_EQ(f.events[0].bytesOut, 0);
  EXPECT_EQ(f.events[0].objectKey, "v1/kanji/\xE7\x8B\x99");
  EXPECT_EQ(f.events[0].sourceIpText, "162.158.186.55");
  EXPECT_EQ(f.events[1].httpStatus, 200);
  EXPECT_EQ(f.events[1].bytesOut, 267);
  EXPECT_EQ(f.events[1].sourceIpText, "162.158.186.54");
  EXPECT_EQ(f.events[1].objectKey, "v1/kanji/\xE5\x93\x80");
  EXPECT_EQ(f.events[2].timeUs, 1693210493491679);
  EXPECT_EQ(f.events[2].objectKey, "v1/kanji/\xE6\x9B\xB8");
  EXPECT_EQ(f.events[2].requestId.rfind("ADPycdsDJNzAQEGN", 0), 0u);
}

// ---------------------------------------------------------------------------------------------
// Synthetic files.

TEST(GcsUsageParser, ColumnsFoundByName) {
  // Reordered columns, an extra unknown column, some sample columns missing.
  const std::string content =
      "\"cs_object\",\"future_col\",\"sc_bytes\",\"cs_bucket\",\"cs_operation\",\"time_micros\","
      "\"sc_status\",\"c_ip\",\"cs_uri\",\"cs_method\",\"cs_bytes\",\"s_request_id\","
      "\"cs_user_agent\"\n"
      "\"dir/file.bin\",\"whatever\",\"1024\",\"my-bucket\",\"PUT_Object\",\"1700000000000001\","
      "\"200\",\"2001:db8::7\",\"/my-bucket/dir/file.bin\",\"PUT\",\"2048\",\"req-1\",\"curl/8\"\n";
  const ParsedFile f = parseCsv(content);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "reordered");
  ASSERT_EQ(f.events.size(), 1u);
  const AccessEvent& e = f.events[0];
  EXPECT_EQ(f.eventLines[0], 2u);
  EXPECT_EQ(e.timeUs, 1700000000000001);
  EXPECT_EQ(e.objectKey, "dir/file.bin");
  EXPECT_EQ(e.bucket, "my-bucket");
  EXPECT_EQ(e.bytesOut, 1024);
  EXPECT_EQ(e.bytesIn, 2048);
  EXPECT_EQ(e.rawOperation, "PUT_Object");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.sourceIpText, "2001:db8::7");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_FALSE(e.sourceIp.isV4());
  EXPECT_EQ(e.requestId, "req-1");
  EXPECT_EQ(e.userAgent, "curl/8");

  // Only time_micros: the rest stays unknown.
  const ParsedFile m = parseCsv("\"time_micros\",\"x\"\n\"5\",\"y\"\n");
  EXPECT_TRUE(m.errors.empty()) << describeErrors(m, "minimal");
  ASSERT_EQ(m.events.size(), 1u);
  EXPECT_EQ(m.events[0].timeUs, 5);
  EXPECT_EQ(m.events[0].httpStatus, -1);
  EXPECT_EQ(m.events[0].bytesIn, -1);
  EXPECT_EQ(m.events[0].bytesOut, -1);
  EXPECT_EQ(m.events[0].rawOperation, "");
  EXPECT_EQ(m.events[0].sourceIpText, "");
}

TEST(GcsUsageParser, QuotedCommasAndEscapedQuotes) {
  const std::string content = std::string(kHeader) + "\n" +
                              row("1", "1.2.3.4", "GET", "/b/a%2Cb.txt", "200", "0", "5",
                                  R"(Mozilla/5.0 (X11, Linux) ""quoted"", end)", "id,1",
                                  "GET_Object", "b", R"(a,b""c"".txt)") +
                              "\r\n";
  const ParsedFile f = parseCsv(content);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "quoted");
  ASSERT_EQ(f.events.size(), 1u);
  const AccessEvent& e = f.events[0];
  EXPECT_EQ(e.userAgent, R"(Mozilla/5.0 (X11, Linux) "quoted", end)");
  EXPECT_EQ(e.requestId, "id,1");
  EXPECT_EQ(e.objectKey, R"(a,b"c".txt)");
  EXPECT_EQ(e.bucket, "b");
  EXPECT_EQ(e.bytesOut, 5);

  // Unquoted values and an empty last cell are accepted too.
  const ParsedFile u = parseCsv("time_micros,sc_status,cs_object\n7,204,\n");
  EXPECT_TRUE(u.errors.empty()) << describeErrors(u, "unquoted");
  ASSERT_EQ(u.events.size(), 1u);
  EXPECT_EQ(u.events[0].timeUs, 7);
  EXPECT_EQ(u.events[0].httpStatus, 204);
  EXPECT_EQ(u.events[0].objectKey, "");
}

TEST(GcsUsageParser, Utf8ObjectNamesKeptAsBytes) {
  const std::string content = "\xEF\xBB\xBF" + std::string(kHeader) + "\n" +
                              row("10", "::1", "GET", "/b/%E6%97%A5%20x", "200", "0", "1", "ua",
                                  "r", "GET_Object", "b", "\xE6\x97\xA5 x/\xF0\x9F\x98\x80.txt") +
                              "\n";
  const ParsedFile f = parseCsv(content);  // with a byte order mark before the header
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "utf8");
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].objectKey, "\xE6\x97\xA5 x/\xF0\x9F\x98\x80.txt");  // not re-decoded
}

TEST(GcsUsageParser, MissingHeader) {
  const std::string data =
      row("1", "1.2.3.4", "GET", "/b/o", "200", "0", "1", "ua", "r", "GET_Object", "b", "o");
  const ParsedFile f = parseCsv(data + "\n" + data + "\n" + kHeader + "\n" + data + "\n");
  ASSERT_EQ(f.errors.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(f.errors[i].line, i + 1);
    EXPECT_EQ(f.errors[i].code, ParseErrc::kMissingField);
    EXPECT_EQ(f.errors[i].detail, "no header row");
  }
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{4}));  // after the header, rows parse

  // The header row alone is kEmpty and emits nothing.
  GcsUsageParser p;
  const OneRecord h = parseOne(p, kHeader);
  EXPECT_EQ(h.code, ParseErrc::kEmpty);
  EXPECT_TRUE(h.events.empty());
  EXPECT_EQ(parseOne(p, "").code, ParseErrc::kEmpty);
  EXPECT_EQ(parseOne(p, data).code, ParseErrc::kOk);
}

TEST(GcsUsageParser, ShortAndMalformedRowsAreErrors) {
  struct Case {
    std::string line;
    ParseErrc code;
  };
  const std::string good =
      row("1", "1.2.3.4", "GET", "/b/o", "200", "0", "1", "ua", "r", "GET_Object", "b", "o");
  for (const Case& c : {
           Case{R"("1","1.2.3.4","1")", ParseErrc::kMissingField},
           Case{"\"", ParseErrc::kSyntax},
           Case{",", ParseErrc::kMissingField},
           Case{"\"\"\"\"", ParseErrc::kMissingField},
           Case{good.substr(0, good.size() - 1), ParseErrc::kSyntax},  // unterminated quote
           Case{good + ",\"extra\"", ParseErrc::kSyntax},
           Case{"\"1\"x" + good.substr(3), ParseErrc::kSyntax},  // text after a closing quote
           Case{"\"soon\"" + good.substr(3), ParseErrc::kBadField},
           Case{"\"-5\"" + good.substr(3), ParseErrc::kBadField},
           Case{"\"\"" + good.substr(3), ParseErrc::kMissingField},  // empty time_micros
           Case{row("1", "1.2.3.4", "GET", "/b/o", "OK", "0", "1", "ua", "r", "GET_Object", "b",
                    "o"),
                ParseErrc::kBadField},
           Case{row("1", "1.2.3.4", "GET", "/b/o", "200", "many", "1", "ua", "r", "GET_Object", "b",
                    "o"),
                ParseErrc::kBadField},
           Case{row("1", "1.2.3.4", "GET", "/b/o", "200", "0", "-1", "ua", "r", "GET_Object", "b",
                    "o"),
                ParseErrc::kBadField},
       }) {
    GcsUsageParser p;
    ASSERT_EQ(parseOne(p, kHeader).code, ParseErrc::kEmpty);
    const OneRecord r = parseOne(p, c.line);
    EXPECT_EQ(r.code, c.code) << c.line << " -> " << r.detail;
    EXPECT_TRUE(r.events.empty()) << c.line;
    // The parser still works after the bad row.
    EXPECT_EQ(parseOne(p, good).code, ParseErrc::kOk) << c.line;
  }
}

TEST(GcsUsageParser, OperationClasses) {
  struct Case {
    const char* method;
    const char* operation;
    const char* object;
    OpClass cls;
    const char* raw;
  };
  for (const Case& c : {
           Case{"GET", "GET_Object", "o", OpClass::kRead, "GET_Object"},
           Case{"HEAD", "HEAD_Object", "o", OpClass::kHead, "HEAD_Object"},
           Case{"GET", "GET_Bucket", "", OpClass::kList, "GET_Bucket"},
           Case{"GET", "LIST", "", OpClass::kList, "LIST"},
           Case{"PUT", "PUT_Object", "o", OpClass::kWrite, "PUT_Object"},
           Case{"POST", "POST_Object", "o", OpClass::kWrite, "POST_Object"},
           Case{"PATCH", "PATCH_Object", "o", OpClass::kWrite, "PATCH_Object"},
           Case{"DELETE", "DELETE_Object", "o", OpClass::kDelete, "DELETE_Object"},
           Case{"DELETE", "DELETE_Bucket", "", OpClass::kDelete, "DELETE_Bucket"},
           Case{"PUT", "PUT_BucketAcl", "", OpClass::kPolicy, "PUT_BucketAcl"},
           Case{"GET", "GET_ObjectAcl", "o", OpClass::kOther, "GET_ObjectAcl"},
           Case{"OPTIONS", "OPTIONS_Object", "o", OpClass::kOther, "OPTIONS_Object"},
           Case{"PUT", "PUT_Bucket", "", OpClass::kOther, "PUT_Bucket"},
           // No cs_operation: cs_method and whether an object is named decide.
           Case{"GET", "", "o", OpClass::kRead, "GET"},
           Case{"GET", "", "", OpClass::kList, "GET"},
           Case{"PUT", "", "o", OpClass::kWrite, "PUT"},
           Case{"HEAD", "", "o", OpClass::kHead, "HEAD"},
       }) {
    GcsUsageParser p;
    ASSERT_EQ(parseOne(p, kHeader).code, ParseErrc::kEmpty);
    const OneRecord r = parseOne(p, row("1", "1.2.3.4", c.method, "/b/o", "200", "0", "1", "ua",
                                        "r", c.operation, "b", c.object));
    ASSERT_EQ(r.events.size(), 1u) << c.operation << " " << r.detail;
    EXPECT_EQ(r.events[0].opClass, c.cls) << c.method << " " << c.operation;
    EXPECT_EQ(r.events[0].rawOperation, c.raw);
  }
}

TEST(GcsUsageParser, SignedUrlsAreQueryStringAuth) {
  struct Case {
    const char* uri;
    AuthType auth;
  };
  for (const Case& c : {
           Case{"/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p&X-Goog-"
                "Signature=3b60e3",
                AuthType::kQueryString},
           Case{"/b/o?x-goog-signature=abc", AuthType::kQueryString},
           Case{"/b/o?GoogleAccessId=sa%40p&Expires=1700000000&Signature=abc%3D",
                AuthType::kQueryString},
           Case{"/b/o", AuthType::kUnknown},
           Case{"/b/o?generation=3&alt=media", AuthType::kUnknown},
           Case{"/b/Signature=x", AuthType::kUnknown},  // in the path, not the query
           Case{"/b/o?MySignature=1", AuthType::kUnknown},
       }) {
    GcsUsageParser p;
    ASSERT_EQ(parseOne(p, kHeader).code, ParseErrc::kEmpty);
    const OneRecord r = parseOne(
        p, row("1", "1.2.3.4", "GET", c.uri, "200", "0", "1", "ua", "r", "GET_Object", "b", "o"));
    ASSERT_EQ(r.events.size(), 1u) << r.detail;
    EXPECT_EQ(r.events[0].authType, c.auth) << c.uri;
    EXPECT_EQ(r.events[0].principalKind, PrincipalKind::kUnidentified);
  }
}

TEST(GcsUsageParser, HeaderRulesAgainstHostileValuesAndConcatenation) {
  // A User-Agent of "time_micros" in a data row must not be taken as a new header.
  const std::string hostile = row("2", "1.2.3.4", "GET", "/b/o", "200", "0", "1", "time_micros",
                                  "r", "GET_Object", "b", "o");
  // A second header (files concatenated) with another column order re-maps the columns.
  const std::string content = std::string(kHeader) + "\n" + hostile + "\n" +
                              "\"cs_bucket\",\"time_micros\",\"sc_status\"\n" +
                              "\"other\",\"3\",\"500\"\n";
  const ParsedFile f = parseCsv(content);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "concatenated");
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{2, 4}));
  EXPECT_EQ(f.events[0].userAgent, "time_micros");
  EXPECT_EQ(f.events[0].timeUs, 2);
  EXPECT_EQ(f.events[1].bucket, "other");
  EXPECT_EQ(f.events[1].timeUs, 3);
  EXPECT_EQ(f.events[1].httpStatus, 500);
  EXPECT_EQ(f.events[1].userAgent, "");
}

}  // namespace
}  // namespace blobwatch::schemas
