#include "schemas/azure_analytics_parser.h"

#include <gtest/gtest.h>

#include <map>
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
using ::blobwatch::testing::eventsAtLine;
using ::blobwatch::testing::OneRecord;
using ::blobwatch::testing::ParsedFile;
using ::blobwatch::testing::parseOne;
using ::blobwatch::testing::parseSample;
using ::blobwatch::testing::utcUs;

constexpr char kDocV1[] =
    "azure-blob/learn-microsoft-com_storage-analytics-log-format_v1.0-samples.log";
constexpr char kDocV2[] =
    "azure-blob/learn-microsoft-com_storage-analytics-log-format_v2.0-samples.log";
constexpr char kExercise[] = "azure-blob/MicrosoftDocs-learn_6-exercise-storage-logging_v2.0.log";
constexpr char kDumbo[] = "azure-blob/tcne-dumbo_UnescapeHtml-java_v1.0-anonymous.log";

AccessEvent eventAt(const char* file, uint64_t line) {
  const ParsedFile f = parseSample(file, Format::kAzureAnalytics);
  const auto events = eventsAtLine(f, line);
  EXPECT_EQ(events.size(), 1u) << file << ":" << line;
  return events.empty() ? AccessEvent{} : events.front();
}

size_t nonEmptyLines(const std::string& content) {
  size_t n = 0;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    if (end > start) ++n;
    start = end + 1;
  }
  return n;
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
// Whole sample files.

TEST(AzureAnalyticsSamples, EveryValidFileParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Lines per file, counted by reading the files (one request per line).
  const std::map<std::string, size_t> expected = {
      {"learn-microsoft-com_storage-analytics-log-format_v1.0-samples.log", 8},
      {"learn-microsoft-com_storage-analytics-log-format_v2.0-samples.log", 2},
      {"MicrosoftDocs-learn_6-exercise-storage-logging_v2.0.log", 4},
      {"tcne-dumbo_UnescapeHtml-java_v1.0-anonymous.log", 2},
  };
  size_t seen = 0;
  for (const auto& path : ::blobwatch::testing::sampleFiles("azure-blob")) {
    if (::blobwatch::testing::isInvalidSample(path) || path.extension() != ".log") continue;
    const std::string name = path.filename().string();
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "no expected count for " << name;
    ++seen;
    const std::string content = ::blobwatch::testing::readFile(path);
    EXPECT_EQ(nonEmptyLines(content), it->second) << name;
    const ParsedFile f = ::blobwatch::testing::parseBuffer(content);  // detected
    EXPECT_EQ(f.format, Format::kAzureAnalytics) << name;
    EXPECT_TRUE(f.errors.empty()) << describeErrors(f, name);
    EXPECT_EQ(f.skipped, 0u) << name;
    ASSERT_EQ(f.events.size(), it->second) << name;
    for (size_t i = 0; i < f.events.size(); ++i) {
      const AccessEvent& e = f.events[i];
      const std::string where = name + ":" + std::to_string(f.eventLines[i]);
      EXPECT_EQ(f.eventLines[i], i + 1) << where;
      EXPECT_EQ(e.provider, Provider::kAzure) << where;
      EXPECT_EQ(e.format, Format::kAzureAnalytics) << where;
      EXPECT_GE(e.timeUs, utcUs(2011, 1, 1, 0, 0, 0)) << where;
      EXPECT_LT(e.timeUs, utcUs(2020, 1, 1, 0, 0, 0)) << where;
      EXPECT_FALSE(e.rawOperation.empty()) << where;
      EXPECT_FALSE(e.principal.empty()) << where;
      EXPECT_FALSE(e.bucket.empty()) << where;
      EXPECT_FALSE(e.requestId.empty()) << where;
      EXPECT_EQ(e.tlsVersion, "") << where;  // the format has none
    }
    const ParsedFile small = ::blobwatch::testing::parseBuffer(content, Format::kAzureAnalytics, 7);
    EXPECT_EQ(asJson(small), asJson(f)) << name;
  }
  EXPECT_EQ(seen, expected.size());
}

// ---------------------------------------------------------------------------------------------
// Field assertions on samples.

TEST(AzureAnalyticsSamples, V1AnonymousGetWithDoubledQuotes) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 1: anonymous GetBlob whose ETag is written ""0x8D15A2913C934DE"": the fields after it
  // must still line up.
  const AccessEvent e = eventAt(kDocV1, 1);
  EXPECT_EQ(e.timeUs, utcUs(2014, 6, 19, 22, 59, 23, 196776));
  EXPECT_EQ(e.rawOperation, "GetBlob");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.errorCode, "");  // AnonymousSuccess
  EXPECT_EQ(e.principal, "anonymous");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(e.authType, AuthType::kAnonymous);
  EXPECT_EQ(e.sourceIpText, "192.100.0.102");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_EQ(e.bucket, "sample-container1");
  EXPECT_EQ(e.objectKey, "00001.txt");
  EXPECT_EQ(e.requestId, "61d2e3f6-bcb7-4cd1-a81e-4f8f497f0da2");
  EXPECT_EQ(e.bytesOut, 23);  // response-packet-size
  EXPECT_EQ(e.bytesIn, 0);
  EXPECT_EQ(e.userAgent, "WA-Storage/4.0.1 (.NET CLR 4.0.30319.34014; Win32NT 6.3.9600.0)");

  // Line 2: an authenticated PutBlob of 23 bytes.
  const AccessEvent put = eventAt(kDocV1, 2);
  EXPECT_EQ(put.principal, "storagesample/key");
  EXPECT_EQ(put.principalKind, PrincipalKind::kAccount);
  EXPECT_EQ(put.authType, AuthType::kHeader);
  EXPECT_EQ(put.opClass, OpClass::kWrite);
  EXPECT_EQ(put.httpStatus, 201);
  EXPECT_EQ(put.bytesIn, 23);
  EXPECT_EQ(put.bytesOut, 0);
  EXPECT_EQ(put.timeUs, utcUs(2014, 6, 19, 1, 33, 54, 92652));
}

TEST(AzureAnalyticsSamples, V1CopyBlobAndInvalidDocAddress) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 4: CopyBlobSource whose requested-object-key is the source URL.
  const AccessEvent src = eventAt(kDocV1, 4);
  EXPECT_EQ(src.rawOperation, "CopyBlobSource");
  EXPECT_EQ(src.opClass, OpClass::kRead);
  EXPECT_EQ(src.bucket, "sample-container");
  EXPECT_EQ(src.objectKey, "sample-blob.txt");
  const AccessEvent dst = eventAt(kDocV1, 5);
  EXPECT_EQ(dst.opClass, OpClass::kWrite);
  EXPECT_EQ(dst.objectKey, "Copy-sample-blob.txt");

  // Line 6: a copy requested by another account; the doc's address 268.20.203.21 is invalid and
  // stays as text; the user agent is empty.
  const AccessEvent cross = eventAt(kDocV1, 6);
  EXPECT_EQ(cross.principal, "account8ce1b67a9e80b35/key");
  EXPECT_EQ(cross.sourceIpText, "268.20.203.21");
  EXPECT_FALSE(cross.sourceIp.valid);
  EXPECT_EQ(cross.bucket, "thumbnails");
  EXPECT_EQ(cross.objectKey, "lakebck.jpg");
  EXPECT_EQ(cross.userAgent, "");
  EXPECT_EQ(cross.timeUs, utcUs(2011, 8, 9, 18, 2, 40, 652678));
  EXPECT_EQ(cross.requestId, "85ba10a5-b7e2-495e-8033-588e08628c5d");
  // Line 7: the source side, by the owner.
  const AccessEvent own = eventAt(kDocV1, 7);
  EXPECT_EQ(own.principal, "myaccount/key");
  EXPECT_EQ(own.objectKey, "lake.jpg");
}

TEST(AzureAnalyticsSamples, V2OAuthWithRawJsonAuthorizationDetail) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Bearer requests without a user-principal-name: the object id. authorization-detail is raw
  // JSON with unescaped quotes and says principalType User.
  const AccessEvent list = eventAt(kDocV2, 1);
  EXPECT_EQ(list.principal, "oid:e5981635-dcf0-4279-ab7b-ca1cbdf4a5c7");
  EXPECT_EQ(list.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(list.authType, AuthType::kHeader);
  EXPECT_EQ(list.errorCode, "");  // OAuthSuccess
  EXPECT_EQ(list.rawOperation, "ListBlobs");
  EXPECT_EQ(list.opClass, OpClass::kList);
  EXPECT_EQ(list.bucket, "sample-container");
  EXPECT_EQ(list.objectKey, "");
  EXPECT_EQ(list.bytesOut, 5184);
  EXPECT_EQ(list.sourceIpText, "200.59.21.176");
  EXPECT_EQ(list.timeUs, utcUs(2019, 2, 25, 20, 6, 55, 979404));
  EXPECT_EQ(list.requestId, "470b9e55-201e-0137-5c45-cdd293000000");
  EXPECT_EQ(list.userAgent,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/64.0.3282.140 Safari/537.36 Edge/18.17763");

  const AccessEvent block = eventAt(kDocV2, 2);
  EXPECT_EQ(block.principal, "oid:e5981635-dcf0-4279-ab7b-ca1cbdf4a5c7");
  EXPECT_EQ(block.rawOperation, "PutBlock");
  EXPECT_EQ(block.opClass, OpClass::kWrite);
  EXPECT_EQ(block.objectKey, "blob1.txt");
  EXPECT_EQ(block.bytesIn, 9);
  EXPECT_EQ(block.httpStatus, 201);
}

TEST(AzureAnalyticsSamples, V2AccountKeyWithEntityEtags) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // The ETags are "&quot;0x...&quot;"; the 8 OAuth fields are empty.
  const AccessEvent first = eventAt(kExercise, 1);
  EXPECT_EQ(first.principal, "xxxxx/key");  // this line's account has five x's
  EXPECT_EQ(first.rawOperation, "PutBlob");
  EXPECT_EQ(first.bytesIn, 1999980);
  EXPECT_EQ(first.bytesOut, 0);
  EXPECT_EQ(first.requestId, "c675930e-f01e-0016-2e66-2b5b8a000000");
  EXPECT_EQ(first.bucket, "testcontainer");
  EXPECT_EQ(first.objectKey, "testblob7.dat");
  EXPECT_EQ(first.userAgent, "Azure-Storage/9.3.2 (.NET Core)");
  EXPECT_EQ(first.sourceIpText, "40.91.210.176");
  EXPECT_TRUE(first.sourceIp.valid);
  EXPECT_EQ(first.timeUs, utcUs(2019, 6, 25, 14, 56, 54, 7915));

  const AccessEvent get = eventAt(kExercise, 3);
  EXPECT_EQ(get.principal, "xxxxxx/key");
  EXPECT_EQ(get.authType, AuthType::kHeader);
  EXPECT_EQ(get.opClass, OpClass::kRead);
  EXPECT_EQ(get.bytesOut, 1999980);
  EXPECT_EQ(get.bytesIn, 0);
  EXPECT_EQ(get.objectKey, "testblob39.dat");
}

TEST(AzureAnalyticsSamples, V1AnonymousRealLinesWithEntities) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Real 2013 lines: request URL and referrer full of &amp;, a trailing empty client-request-id.
  const AccessEvent a = eventAt(kDumbo, 1);
  EXPECT_EQ(a.principal, "anonymous");
  EXPECT_EQ(a.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(a.authType, AuthType::kAnonymous);
  EXPECT_EQ(a.bucket, "collect");
  EXPECT_EQ(a.objectKey, "hadoop.gif");
  EXPECT_EQ(a.bytesOut, 43);
  EXPECT_EQ(a.sourceIpText, "80.89.47.150");
  EXPECT_EQ(a.timeUs, utcUs(2013, 10, 17, 8, 59, 23, 138626));
  EXPECT_EQ(a.userAgent, "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)");
  EXPECT_EQ(a.requestId, "916e5e95-2748-4116-82d2-356802a15667");
  const AccessEvent b = eventAt(kDumbo, 2);
  EXPECT_EQ(b.sourceIpText, "80.212.87.168");
  EXPECT_EQ(b.requestId, "c8b5d530-1f7b-4e47-8395-abf43473826b");
}

// ---------------------------------------------------------------------------------------------
// Synthetic lines.

// A version 1.0 line as fields; v2() appends the 8 fields of 2.0.
struct Line {
  std::vector<std::string> f = {
      "1.0",
      "2024-05-01T10:00:00.1234567Z",
      "GetBlob",
      "Success",
      "200",
      "10",
      "9",
      "authenticated",
      "acct1",
      "acct1",
      "blob",
      "\"https://acct1.blob.core.windows.net/cont/dir/file.txt\"",
      "\"/acct1/cont/dir/file.txt\"",
      "req-1",
      "0",
      "198.51.100.7:50000",
      "2019-02-02",
      "300",
      "0",
      "200",
      "1234",
      "0",
      "",
      "",
      "\"&quot;0x8D0&quot;\"",
      "Thursday, 19-Jun-14 22:58:10 GMT",
      "",
      "\"ua/1\"",
      "",
      "\"client-1\"",
  };
  Line& v2() {
    f[0] = "2.0";
    f.resize(38);
    return *this;
  }
  Line& set(size_t i, std::string v) {
    f.at(i) = std::move(v);
    return *this;
  }
  std::string str() const {
    std::string s;
    for (size_t i = 0; i < f.size(); ++i) {
      if (i > 0) s += ';';
      s += f[i];
    }
    return s;
  }
};

OneRecord parseLine(const std::string& line) {
  AzureAnalyticsParser parser;
  return parseOne(parser, line);
}

AccessEvent parseOk(const Line& line) {
  const OneRecord r = parseLine(line.str());
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << line.str();
  EXPECT_EQ(r.events.size(), 1u) << line.str();
  return r.events.empty() ? AccessEvent{} : r.events.front();
}

TEST(AzureAnalyticsSynthetic, TemplateLine) {
  const AccessEvent e = parseOk(Line{});
  EXPECT_EQ(e.timeUs, utcUs(2024, 5, 1, 10, 0, 0, 123456));
  EXPECT_EQ(e.principal, "acct1/key");
  EXPECT_EQ(e.bucket, "cont");
  EXPECT_EQ(e.objectKey, "dir/file.txt");
  EXPECT_EQ(e.bytesOut, 1234);
  EXPECT_EQ(e.bytesIn, 0);
  EXPECT_EQ(e.userAgent, "ua/1");
  EXPECT_EQ(e.requestId, "req-1");
  EXPECT_EQ(e.sourceIpText, "198.51.100.7");
  EXPECT_EQ(parseOk(Line{}.v2()).principal, "acct1/key");
}

TEST(AzureAnalyticsSynthetic, SasPrincipalHashesTheSignature) {
  // sig=abc%2Bdef%3D, entity-encoded &amp; separators. FNV-1a-64 of "abc+def=" is
  // 0ba8879bd3d949de (computed outside this code base).
  Line l;
  l.set(7, "sas").set(8, "").set(3, "SASSuccess");
  l.set(11,
        "\"https://acct1.blob.core.windows.net/cont/dir/file.txt?sv=2019-02-02&amp;sr=b&amp;"
        "sig=abc%2Bdef%3D&amp;se=2024-06-01T00%3A00%3A00Z&amp;sp=r\"");
  const AccessEvent e = parseOk(l);
  EXPECT_EQ(e.principal, "acct1/sas:0ba8879bd3d949de");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAccount);
  EXPECT_EQ(e.authType, AuthType::kQueryString);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.principal.find("abc"), std::string::npos);

  // Another signature: another principal. No signature in the URL: the account's SAS.
  l.set(11, "\"https://acct1.blob.core.windows.net/cont/f?sig=other&amp;sv=1\"");
  const AccessEvent other = parseOk(l);
  EXPECT_EQ(other.principal.rfind("acct1/sas:", 0), 0u) << other.principal;
  EXPECT_NE(other.principal, e.principal);
  EXPECT_EQ(other.principal.size(), std::string("acct1/sas:").size() + 16);
  l.set(11, "\"https://acct1.blob.core.windows.net/cont/f?sv=1&amp;design=1\"");
  EXPECT_EQ(parseOk(l).principal, "acct1/sas");
  // The redacted signature Azure writes in logged URLs names no token.
  l.set(11, "\"https://acct1.blob.core.windows.net/cont/f?sv=1&amp;sig=XXXXX&amp;sp=r\"");
  EXPECT_EQ(parseOk(l).principal, "acct1/sas");
}

TEST(AzureAnalyticsSynthetic, OAuthPrincipals) {
  Line upn;
  upn.v2()
      .set(7, "bearer")
      .set(3, "OAuthSuccess")
      .set(30, "oid-1")
      .set(31, "tenant")
      .set(32, "app");
  upn.set(35, "\"alice@contoso.com\"");
  const AccessEvent a = parseOk(upn);
  EXPECT_EQ(a.principal, "alice@contoso.com");
  EXPECT_EQ(a.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(a.authType, AuthType::kHeader);

  Line svc = upn;
  svc.set(35, "");
  svc.set(37,
          "\"[{&quot;action&quot;:&quot;x&quot;, &quot;principalType&quot;:"
          "&quot;ServicePrincipal&quot;}]\"");
  const AccessEvent s = parseOk(svc);
  EXPECT_EQ(s.principal, "oid:oid-1");
  EXPECT_EQ(s.principalKind, PrincipalKind::kService);

  Line noDetail = svc;
  noDetail.set(37, "");
  EXPECT_EQ(parseOk(noDetail).principalKind, PrincipalKind::kService);  // an application id
  noDetail.set(32, "");
  EXPECT_EQ(parseOk(noDetail).principalKind, PrincipalKind::kUser);

  // Version 1.0 has no OAuth fields: a bearer request names no identity (FIELDS.md).
  Line v1;
  v1.set(7, "bearer").set(3, "OAuthSuccess");
  const AccessEvent old = parseOk(v1);
  EXPECT_EQ(old.principal, "unknown");
  EXPECT_EQ(old.principalKind, PrincipalKind::kUnknown);
  EXPECT_EQ(old.authType, AuthType::kHeader);
}

TEST(AzureAnalyticsSynthetic, EntitiesAndQuotes) {
  Line l;
  l.set(27, "\"Mozilla &amp; &lt;x&gt; &#65;&#x42; &quot;q&quot; &bogus; &\"");
  l.set(12, "\"/acct1/cont/a&amp;b%20c.txt\"");
  l.set(24, "\"\"0x8D15A2913C934DE\"\"");  // doubled quotes
  l.set(26, "\"If-Match=x;y\"");           // a quoted ';'
  const AccessEvent e = parseOk(l);
  EXPECT_EQ(e.userAgent, "Mozilla & <x> AB \"q\" &bogus; &");
  EXPECT_EQ(e.objectKey, "a&b c.txt");
  EXPECT_EQ(e.requestId, "req-1");
  EXPECT_EQ(e.bytesOut, 1234);

  // An empty quoted field.
  l.set(27, "\"\"");
  EXPECT_EQ(parseOk(l).userAgent, "");
}

TEST(AzureAnalyticsSynthetic, AddressesAndStatus) {
  Line l;
  l.set(15, "[2001:db8::1]:443");
  const AccessEvent v6 = parseOk(l);
  EXPECT_EQ(v6.sourceIpText, "2001:db8::1");
  ASSERT_TRUE(v6.sourceIp.valid);
  EXPECT_FALSE(v6.sourceIp.isV4());
  EXPECT_EQ(v6.sourceIp.bytes[0], 0x20);
  EXPECT_EQ(v6.sourceIp.bytes[15], 0x01);

  l.set(4, "403").set(3, "SASAuthorizationError");
  const AccessEvent denied = parseOk(l);
  EXPECT_EQ(denied.httpStatus, 403);
  EXPECT_EQ(denied.errorCode, "SASAuthorizationError");

  l.set(4, "Unknown").set(3, "NetworkError");
  const AccessEvent unknown = parseOk(l);
  EXPECT_EQ(unknown.httpStatus, -1);
  EXPECT_EQ(unknown.errorCode, "NetworkError");

  Line crlf;
  const OneRecord r = parseLine(crlf.str() + "\r");
  EXPECT_EQ(r.code, ParseErrc::kOk);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].requestId, "req-1");
}

TEST(AzureAnalyticsSynthetic, OtherServicesAreNotAccessEvents) {
  Line l;
  l.set(10, "queue");
  const OneRecord r = parseLine(l.str());
  EXPECT_EQ(r.code, ParseErrc::kNotAccessEvent);
  EXPECT_TRUE(r.events.empty());
}

TEST(AzureAnalyticsSynthetic, MalformedLinesAreErrorsNotCrashes) {
  struct Case {
    std::string line;
    ParseErrc code;
  };
  Line extra;
  extra.f.push_back("x");  // 31 fields for 1.0
  Line short2;
  short2.f[0] = "2.0";  // 30 fields for 2.0
  Line badTime;
  badTime.set(1, "Thursday, 19-Jun-14 22:58:10 GMT");
  Line noTime;
  noTime.set(1, "");
  Line noOp;
  noOp.set(2, "");
  Line badStatus;
  badStatus.set(4, "OK");
  Line badSize;
  badSize.set(20, "12x");
  Line unterminated;
  unterminated.set(29, "\"client-1");  // the last field: nothing can close it
  const std::string full = Line{}.str();
  for (const Case& c : {
           Case{"garbage", ParseErrc::kSyntax},
           Case{"{\"time\":\"2024-05-01T10:00:00Z\"}", ParseErrc::kSyntax},
           Case{"1.0;2014-06-19T22:59:23.1967767Z;GetBlob", ParseErrc::kMissingField},
           Case{full.substr(0, full.rfind(';')), ParseErrc::kMissingField},  // 29 fields
           Case{extra.str(), ParseErrc::kSyntax},
           Case{short2.str(), ParseErrc::kMissingField},
           Case{badTime.str(), ParseErrc::kBadField},
           Case{noTime.str(), ParseErrc::kMissingField},
           Case{noOp.str(), ParseErrc::kMissingField},
           Case{badStatus.str(), ParseErrc::kBadField},
           Case{badSize.str(), ParseErrc::kBadField},
           Case{unterminated.str(), ParseErrc::kSyntax},
           Case{"\"", ParseErrc::kSyntax},
           Case{";;;;", ParseErrc::kSyntax},
       }) {
    const OneRecord r = parseLine(c.line);
    EXPECT_EQ(r.code, c.code) << r.detail << "\n" << c.line;
    EXPECT_TRUE(r.events.empty()) << c.line;
  }
  EXPECT_EQ(parseLine("").code, ParseErrc::kEmpty);
  EXPECT_EQ(parseLine("  \r").code, ParseErrc::kEmpty);

  // Through the framing: the bad line is one error on its line; the others come out.
  const std::string good = Line{}.str();
  const ParsedFile f = ::blobwatch::testing::parseBuffer(
      good + "\n" + badTime.str() + "\n\n" + good + "\n", Format::kAzureAnalytics);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 2u);
  EXPECT_EQ(f.errors[0].code, ParseErrc::kBadField);
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 4}));
}

TEST(AzureAnalyticsSynthetic, ParserReuse) {
  AzureAnalyticsParser parser;
  Line anon;
  anon.set(7, "anonymous").set(8, "").set(3, "AnonymousSuccess").set(27, "\"a&amp;b\"");
  const OneRecord a = parseOne(parser, anon.str());
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].userAgent, "a&b");
  EXPECT_EQ(a.events[0].principal, "anonymous");
  Line err;
  err.set(3, "ServerTimeoutError").set(4, "500").set(27, "").set(12, "\"/acct1\"");
  const OneRecord b = parseOne(parser, err.str());
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].userAgent, "");
  EXPECT_EQ(b.events[0].principal, "acct1/key");
  EXPECT_EQ(b.events[0].errorCode, "ServerTimeoutError");
  EXPECT_EQ(b.events[0].bucket, "");
  EXPECT_EQ(b.events[0].objectKey, "");
}

}  // namespace
}  // namespace blobwatch::schemas
