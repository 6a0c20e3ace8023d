// End-to-end tests of the `blobwatch` binary: real argv, files, stdin, exit codes and output.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <filesystem>
#include <set>

#include "daemon/config.h"
#include "tests/support/log_lines.h"
#include "tests/support/process.h"
#include "tests/support/samples.h"

namespace blobwatch {
namespace {

using testing::cloudTrailEvent;
using testing::iamUserIdentity;
using testing::kAnonymousIdentity;
using testing::lines;
using testing::ProcessResult;
using testing::runProcess;
using testing::S3Line;
using testing::TempDir;
using testing::writeFile;

constexpr int64_t kHour = 3600LL * 1'000'000;
constexpr int64_t kT0 = 1'793'577'600LL * 1'000'000;  // 2026-11-02T00:00:00Z

ProcessResult blobwatch(std::vector<std::string> args, const std::string& input = "",
                        const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), BLOBWATCH_BINARY);
  return runProcess(args, input, env);
}

// The last stderr line is the JSON summary.
simdjson::dom::element summary(const ProcessResult& r, simdjson::dom::parser& parser) {
  auto errLines = lines(r.err);
  EXPECT_FALSE(errLines.empty());
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(errLines.empty() ? std::string("{}") : errLines.back()).get(doc),
            simdjson::SUCCESS)
      << r.err;
  return doc;
}

uint64_t summaryCount(const ProcessResult& r, const char* key) {
  simdjson::dom::parser parser;
  uint64_t n = 0;
  EXPECT_EQ(summary(r, parser)[key].get(n), simdjson::SUCCESS) << key << " in " << r.err;
  return n;
}

struct ParsedAlert {
  std::string id, detector, principal, sourceIp;
};

std::vector<ParsedAlert> alerts(const std::string& ndjson) {
  std::vector<ParsedAlert> out;
  simdjson::dom::parser parser;
  for (const auto& line : lines(ndjson)) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
    ParsedAlert a;
    std::string_view s;
    EXPECT_EQ(doc["id"].get(s), simdjson::SUCCESS);
    a.id = s;
    EXPECT_EQ(doc["detector"].get(s), simdjson::SUCCESS);
    a.detector = s;
    EXPECT_EQ(doc["principal"].get(s), simdjson::SUCCESS);
    a.principal = s;
    if (doc["source_ip"].get(s) == simdjson::SUCCESS) a.sourceIp = s;
    for (const char* key : {"severity", "time", "provider", "format", "summary", "operation",
                            "raw_operation", "bucket"}) {
      EXPECT_EQ(doc[key].error(), simdjson::SUCCESS) << key << " missing in " << line;
    }
    simdjson::dom::object evidence;
    EXPECT_EQ(doc["evidence"].get(evidence), simdjson::SUCCESS) << line;
    simdjson::dom::array ids;
    EXPECT_EQ(doc["request_ids"].get(ids), simdjson::SUCCESS) << line;
    out.push_back(a);
  }
  return out;
}

std::set<std::string> idsOf(const std::vector<ParsedAlert>& as) {
  std::set<std::string> out;
  for (const auto& a : as) out.insert(a.id);
  return out;
}

std::multiset<std::string> detectorsOf(const std::vector<ParsedAlert>& as) {
  std::multiset<std::string> out;
  for (const auto& a : as) out.insert(a.detector);
  return out;
}

// Day 1: the CI user works from its runner; an anonymous reader is denied.
// Day 2: the CI user's key is used from an unknown address; the bucket is read anonymously.
struct Story {
  std::string dayOne, dayTwo;
};

Story s3Story() {
  Story s;
  S3Line l;
  for (int i = 0; i < 5; ++i) {
    l.timeUs = kT0 + i * kHour;
    l.requestId = "D1REQ000000000" + std::to_string(10 + i);
    s.dayOne += l.render();
  }
  S3Line denied = l;
  denied.requester = "-";
  denied.ip = "198.51.100.20";
  denied.status = 403;
  denied.timeUs = kT0 + 6 * kHour;
  s.dayOne += denied.render();

  S3Line leaked = l;
  leaked.ip = "203.0.113.99";
  leaked.timeUs = kT0 + 30 * kHour;
  leaked.requestId = "D2REQ00000000001";
  s.dayTwo += leaked.render();
  S3Line anon = denied;
  anon.status = 200;
  anon.timeUs = kT0 + 31 * kHour;
  anon.requestId = "D2REQ00000000002";
  s.dayTwo += anon.render();
  return s;
}

TEST(ScanCli, HelpListsEveryConfigurationKeyWithItsDefault) {
  ProcessResult r = blobwatch({"--help"});
  EXPECT_EQ(r.exitCode, 0);
  for (const auto& k : daemon::configTable()) {
    EXPECT_NE(r.out.find(std::string("--") + k.name), std::string::npos) << k.name;
    const std::string shown = *k.defaultValue ? k.defaultValue : "\"\"";
    EXPECT_NE(r.out.find("--" + std::string(k.name) + " arg (=" + shown + ")"), std::string::npos)
        << k.name;
  }
  EXPECT_NE(r.out.find("--state-dir"), std::string::npos);
  EXPECT_EQ(blobwatch({"--version"}).out.rfind("blobwatch ", 0), 0u);
}

TEST(ScanCli, UsageAndConfigErrorsExitTwoAndNameTheProblem) {
  TempDir dir;
  writeFile(dir.file("a.log"), s3Story().dayOne);
  writeFile(dir.file("typo.conf"), "[detectors.unknown_ip]\nlerning_period = 2h\n");
  writeFile(dir.file("badvalue.conf"), "[detectors.unknown_ip]\nlearning_period = soon\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "missing command"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"scan"}, "at least one FILE"},
      {{"scan", "--detectors.unknwn_ip.enabled=false", dir.file("a.log")}, "unknwn_ip"},
      {{"scan", "--detectors.unknown_ip.learning_period=soon", dir.file("a.log")},
       "detectors.unknown_ip.learning_period"},
      {{"scan", "--detectors.unknown_ip.trusted_networks=10.0.0.0/8,10.1.2.3/8", dir.file("a.log")},
       "10.1.2.3/8"},
      {{"scan", "--format=parquet", dir.file("a.log")}, "parquet"},
      {{"scan", "--config", dir.file("typo.conf"), dir.file("a.log")}, "lerning_period"},
      {{"scan", "--config", dir.file("badvalue.conf"), dir.file("a.log")}, "soon"},
      {{"scan", "--config", dir.file("missing.conf"), dir.file("a.log")}, "missing.conf"},
      {{"scan", dir.file("does-not-exist.log")}, "does-not-exist.log"},
  };
  for (const auto& [args, needle] : cases) {
    ProcessResult r = blobwatch(args);
    EXPECT_EQ(r.exitCode, 2) << ::testing::PrintToString(args) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << " not in: " << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(ScanCli, ScansAFileAndReportsAlertsAndSummary) {
  TempDir dir;
  const Story s = s3Story();
  writeFile(dir.file("all.log"), s.dayOne + s.dayTwo);
  ProcessResult r = blobwatch({"scan", dir.file("all.log")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto as = alerts(r.out);
  EXPECT_EQ(detectorsOf(as), (std::multiset<std::string>{"anonymous_read", "unknown_ip"}));
  for (const auto& a : as) {
    if (a.detector == "unknown_ip") {
      EXPECT_EQ(a.principal, "arn:aws:iam::111122223333:user/ci");
      EXPECT_EQ(a.sourceIp, "203.0.113.99");
    } else {
      EXPECT_EQ(a.principal, "anonymous");
    }
  }
  simdjson::dom::parser parser;
  auto doc = summary(r, parser);
  uint64_t n = 0;
  ASSERT_EQ(doc["events"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 8u);
  ASSERT_EQ(doc["parse_errors"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(doc["alerts"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 2u);
  ASSERT_EQ(doc["by_detector"]["unknown_ip"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(doc["by_detector"]["bulk_download"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(doc["anonymous_denied"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 1u);
  // The human summary precedes the JSON line.
  EXPECT_NE(r.err.find("blobwatch scan: 1 files, 8 events"), std::string::npos) << r.err;
}

TEST(ScanCli, SameInputGivesTheSameAlertIds) {
  TempDir dir;
  const Story s = s3Story();
  writeFile(dir.file("all.log"), s.dayOne + s.dayTwo);
  ProcessResult a = blobwatch({"scan", dir.file("all.log")});
  ProcessResult b = blobwatch({"scan", dir.file("all.log")});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(alerts(a.out).size(), 2u);
}

TEST(ScanCli, TwoRunsWithOneStateDirEqualOneRunOverBothFiles) {
  TempDir dir;
  const Story s = s3Story();
  writeFile(dir.file("day1.log"), s.dayOne);
  writeFile(dir.file("day2.log"), s.dayTwo);
  ProcessResult both = blobwatch({"scan", dir.file("day1.log"), dir.file("day2.log")});
  ASSERT_EQ(both.exitCode, 0) << both.err;
  ProcessResult first = blobwatch({"scan", "--state-dir", dir.file("state"), dir.file("day1.log")});
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_TRUE(first.out.empty());  // day one alone raises nothing
  ProcessResult second =
      blobwatch({"scan", "--state-dir", dir.file("state"), dir.file("day2.log")});
  ASSERT_EQ(second.exitCode, 0) << second.err;
  EXPECT_EQ(idsOf(alerts(first.out + second.out)), idsOf(alerts(both.out)));
  EXPECT_EQ(alerts(both.out).size(), 2u);
  // Without the state, day two alone lacks the CI user's history: no unknown_ip alert.
  ProcessResult fresh = blobwatch({"scan", dir.file("day2.log")});
  EXPECT_EQ(detectorsOf(alerts(fresh.out)), std::multiset<std::string>{"anonymous_read"});
}

TEST(ScanCli, ReadsStandardInputAndWritesAlertsToAFile) {
  TempDir dir;
  const Story s = s3Story();
  ProcessResult r =
      blobwatch({"scan", "--alerts", dir.file("alerts.ndjson"), "-"}, s.dayOne + s.dayTwo);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(alerts(testing::slurp(dir.file("alerts.ndjson"))).size(), 2u);
  EXPECT_EQ(summaryCount(r, "events"), 8u);
}

TEST(ScanCli, TemporaryStateIsRemovedAtExit) {
  TempDir dir;
  TempDir tmp;
  const Story s = s3Story();
  writeFile(dir.file("all.log"), s.dayOne);
  ProcessResult r = blobwatch({"scan", dir.file("all.log")}, "", {"TMPDIR=" + tmp.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(ScanCli, ParseErrorsNameFileAndLineAndScanningGoesOn) {
  TempDir dir;
  const Story s = s3Story();
  std::string content = s.dayOne;                                              // 6 lines
  content.insert(content.find('\n') + 1, "this is not an access log line\n");  // line 2
  content += "garbage [unterminated time\n";                                   // line 8
  content += s.dayTwo;
  writeFile(dir.file("mixed.log"), content);
  ProcessResult r = blobwatch({"scan", dir.file("mixed.log")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find(dir.file("mixed.log") + ":2: s3-access:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir.file("mixed.log") + ":8: s3-access:"), std::string::npos) << r.err;
  EXPECT_EQ(summaryCount(r, "parse_errors"), 2u);
  EXPECT_EQ(summaryCount(r, "events"), 8u);
  EXPECT_EQ(alerts(r.out).size(), 2u);
}

TEST(ScanCli, ParseErrorsNameFileAndLineInEveryOtherFormat) {
  // Per format: a valid record on line 1 (it also tells the format), a broken one on line 2, a
  // valid one on line 3. Each broken record is reported as FILE:2: FORMAT: and counted once.
  const std::string azure =
      R"({"time":"2024-05-01T10:00:00Z","category":"StorageRead","operationName":"GetBlob",)"
      R"("callerIpAddress":"198.51.100.7:5","statusCode":200,"statusText":"Success",)"
      R"("identity":{"type":"Anonymous"},"properties":{"accountName":"acct",)"
      R"("objectKey":"/acct/c/k"}})";
  const std::string gcs =
      R"({"timestamp":"2024-05-01T10:00:00Z","protoPayload":{"serviceName":)"
      R"("storage.googleapis.com","methodName":"storage.objects.get","authenticationInfo":)"
      R"({"principalEmail":"a@example.com"},"resourceName":"projects/_/buckets/b/objects/k"}})";
  const std::string minio =
      R"({"version":"1","deploymentid":"d","time":"2024-05-01T10:00:00Z","api":{"name":)"
      R"("GetObject","bucket":"b","object":"k","statusCode":200},"remotehost":"198.51.100.7",)"
      R"("accessKey":"AKIA1"})";
  const std::string analytics =
      "1.0;2024-05-01T10:00:00.1234567Z;GetBlob;AnonymousSuccess;200;12;10;anonymous;;acct;blob;"
      "\"https://acct.blob.core.windows.net/c/k\";\"/acct/c/k\";"
      "a1b2c3d4-0001-0000-0000-000000000000;0;203.0.113.5:50123;2009-09-19;250;0;310;42;0;;;"
      "\"&quot;0x8DC0000000000&quot;\";Wednesday, 01-May-24 09:00:00 GMT;;\"curl/8.4.0\";;";
  const std::string usageHeader =
      "\"time_micros\",\"c_ip\",\"c_ip_type\",\"c_ip_region\",\"cs_method\",\"cs_uri\","
      "\"sc_status\",\"cs_bytes\",\"sc_bytes\",\"time_taken_micros\",\"cs_host\","
      "\"cs_referer\",\"cs_user_agent\",\"s_request_id\",\"cs_operation\",\"cs_bucket\","
      "\"cs_object\"";
  const std::string usageRow =
      "\"1714557600123456\",\"2001:db8::9\",\"2\",\"\",\"GET\",\"/b/k\",\"200\",\"0\","
      "\"42\",\"1500\",\"storage.googleapis.com\",\"\",\"curl/8.4.0\",\"AAANs0\","
      "\"GET_Object\",\"b\",\"k\"";
  struct Case {
    std::string name, format, content;
  };
  // The JSON records broken as a writer that died mid-line would leave them: cut inside a
  // string, after a string value, after a number.
  const std::vector<Case> cases = {
      {"azure.json", "azure-blob", azure + "\n" + azure.substr(0, 20) + "\n" + azure + "\n"},
      {"gcs.json", "gcs-audit",
       gcs + "\n" + gcs.substr(0, gcs.find(",\"protoPayload")) + "\n" + gcs + "\n"},
      {"minio.json", "minio-audit",
       minio + "\n" + minio.substr(0, minio.find(R"(},"remotehost)")) + "\n" + minio + "\n"},
      {"analytics.log", "azure-analytics",
       analytics + "\n1.0;2024-05-01;GetBlob\n" + analytics + "\n"},
      {"usage.csv", "gcs-usage",
       usageHeader + "\n" + usageRow + "\n\"17145\",\"x\"\n" + usageRow + "\n"},
  };
  TempDir dir;
  std::vector<std::string> args = {"scan"};
  for (const Case& c : cases) {
    writeFile(dir.file(c.name), c.content);
    args.push_back(dir.file(c.name));
  }
  ProcessResult r = blobwatch(args);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  for (const Case& c : cases) {
    // The usage log's header is line 1, so its broken row is line 3.
    const std::string line = c.format == "gcs-usage" ? ":3: " : ":2: ";
    EXPECT_NE(r.err.find(dir.file(c.name) + line + c.format + ":"), std::string::npos)
        << c.name << "\n"
        << r.err;
  }
  EXPECT_EQ(summaryCount(r, "parse_errors"), cases.size()) << r.err;
  EXPECT_EQ(summaryCount(r, "events"), 2 * cases.size()) << r.err;
}

TEST(ScanCli, UndetectableFormatIsReportedAndFormatFlagOverrides) {
  TempDir dir;
  writeFile(dir.file("odd.txt"), "hello world\n");
  ProcessResult r = blobwatch({"scan", dir.file("odd.txt")});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_EQ(summaryCount(r, "parse_errors"), 1u);
  // Forcing a format parses what it can and counts the rest.
  ProcessResult forced = blobwatch({"scan", "--format=s3-access", dir.file("odd.txt")});
  EXPECT_EQ(forced.exitCode, 0);
  EXPECT_EQ(summaryCount(forced, "parse_errors"), 1u);
}

void writeGzip(const std::string& path, const std::string& content) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())),
            static_cast<int>(content.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

TEST(ScanCli, ReadsGzippedCloudTrailRecordsFiles) {
  TempDir dir;
  std::string records = "{\"Records\":[\n";
  records += cloudTrailEvent(kT0, "GetObject", iamUserIdentity("ci"), "192.0.2.10",
                             "harbor-registry-prod", "docker/a/data", "R1");
  records += ",\n";
  records += cloudTrailEvent(kT0 + 30 * kHour, "GetObject", iamUserIdentity("ci"), "203.0.113.99",
                             "harbor-registry-prod", "docker/b/data", "R2");
  records += ",\n";
  records += cloudTrailEvent(kT0 + 31 * kHour, "GetObject", kAnonymousIdentity, "198.51.100.20",
                             "harbor-registry-prod", "docker/c/data", "R3");
  records += "\n]}\n";
  writeGzip(dir.file("111122223333_CloudTrail_us-east-1_20261102T0000Z_abc.json.gz"), records);
  ProcessResult r =
      blobwatch({"scan", dir.file("111122223333_CloudTrail_us-east-1_20261102T0000Z_abc.json.gz")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(summaryCount(r, "events"), 3u);
  EXPECT_EQ(detectorsOf(alerts(r.out)),
            (std::multiset<std::string>{"anonymous_read", "unknown_ip"}));
}

TEST(ScanCli, TruncatedGzipIsAnErrorNotACrash) {
  TempDir dir;
  std::string records;
  for (int i = 0; i < 2000; ++i) {
    records += cloudTrailEvent(kT0 + i, "GetObject", iamUserIdentity("ci"), "192.0.2.10", "b",
                               "k" + std::to_string(i), "R" + std::to_string(i)) +
               "\n";
  }
  writeGzip(dir.file("full.json.gz"), records);
  std::string gz = testing::slurp(dir.file("full.json.gz"));
  writeFile(dir.file("cut.json.gz"), gz.substr(0, gz.size() / 2));
  ProcessResult r = blobwatch({"scan", dir.file("cut.json.gz")});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("cut.json.gz"), std::string::npos) << r.err;
  EXPECT_GT(summaryCount(r, "events"), 0u);  // what was readable was scanned
}

TEST(ScanCli, ConfigFileAndCommandLineOverride) {
  TempDir dir;
  const Story s = s3Story();
  writeFile(dir.file("all.log"), s.dayOne + s.dayTwo);
  // Trust the leaked key's address in the file: no unknown_ip alert...
  writeFile(dir.file("blobwatch.conf"),
            "# comment\n[detectors.unknown_ip]\ntrusted_networks = 203.0.113.0/24\n");
  ProcessResult r =
      blobwatch({"scan", "--config", dir.file("blobwatch.conf"), dir.file("all.log")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(detectorsOf(alerts(r.out)), std::multiset<std::string>{"anonymous_read"});
  // ...unless the command line says otherwise.
  ProcessResult o = blobwatch({"scan", "--config", dir.file("blobwatch.conf"),
                               "--detectors.unknown_ip.trusted_networks", "", dir.file("all.log")});
  ASSERT_EQ(o.exitCode, 0) << o.err;
  EXPECT_EQ(detectorsOf(alerts(o.out)),
            (std::multiset<std::string>{"anonymous_read", "unknown_ip"}));
}

TEST(ScanCli, SuppressionSectionsMuteAndAreCounted) {
  TempDir dir;
  const Story s = s3Story();
  writeFile(dir.file("all.log"), s.dayOne + s.dayTwo);
  writeFile(dir.file("mute.conf"),
            "[suppress.public-mirror]\ndetector = anonymous_read\nnetwork = 198.51.100.0/24\n"
            "[source.ignored]\ntype = file\npaths = /nowhere\n");
  ProcessResult r = blobwatch({"scan", "--config", dir.file("mute.conf"), dir.file("all.log")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(detectorsOf(alerts(r.out)), std::multiset<std::string>{"unknown_ip"});
  EXPECT_EQ(summaryCount(r, "suppressed"), 1u);
  writeFile(dir.file("bad.conf"), "[suppress.everything]\nexpires = 2030-01-01T00:00:00Z\n");
  ProcessResult bad = blobwatch({"scan", "--config", dir.file("bad.conf"), dir.file("all.log")});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("suppress.everything matches every alert"), std::string::npos) << bad.err;
  writeFile(dir.file("typo.conf"), "[supress.x]\ndetector = unknown_ip\n");
  ProcessResult typo = blobwatch({"scan", "--config", dir.file("typo.conf"), dir.file("all.log")});
  EXPECT_EQ(typo.exitCode, 2);
  EXPECT_NE(typo.err.find("supress.x.detector"), std::string::npos) << typo.err;
}

TEST(ScanCli, HostileStringsGiveValidJson) {
  TempDir dir;
  S3Line l;
  l.requester = "-";
  l.ip = "198.51.100.20";
  l.key = "evil%22key%5C%0A%01%FF%C0";                // decoded: evil"key\<LF><SOH><FF><C0>
  l.userAgent = "Mozilla \"quoted\" \x01\xfe agent";  // raw quote, control and invalid UTF-8
  writeFile(dir.file("hostile.log"), l.render());
  ProcessResult r = blobwatch({"scan", dir.file("hostile.log")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto as = alerts(r.out);  // each line must parse as JSON
  ASSERT_EQ(as.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(lines(r.out)[0]).get(doc), simdjson::SUCCESS);
  std::string_view object;
  ASSERT_EQ(doc["object"].get(object), simdjson::SUCCESS);
  EXPECT_EQ(object, "evil\"key\\\n\x01\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ScanCli, EverySharedSampleOutsideInvalidFilesParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  std::vector<std::string> args = {"scan"};
  for (const char* sub :
       {"s3-access", "cloudtrail", "azure-blob", "gcs-audit", "gcs-usage", "minio-audit"}) {
    for (const auto& f : testing::sampleFiles(sub)) {
      if (!testing::isInvalidSample(f)) args.push_back(f.string());
    }
  }
  ASSERT_GT(args.size(), 20u);
  ProcessResult r = blobwatch(args);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(summaryCount(r, "parse_errors"), 0u) << r.err;
  // Every record outside the three INVALID files is an event, but one: a Cloud SQL change logged
  // under the storage service (Panther's GCS tests), skipped as not a storage access.
  EXPECT_EQ(summaryCount(r, "events"), 1265u);
  EXPECT_EQ(summaryCount(r, "skipped"), 1u);
  alerts(r.out);  // every alert line is valid JSON with the documented keys
}

}  // namespace
}  // namespace blobwatch
