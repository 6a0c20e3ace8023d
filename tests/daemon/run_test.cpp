// Integration tests of `blobwatch run` with file sources: the real binary, real files, real
// signals. Progress is observed the way an operator would: alerts in the alerts file, and
// `blobwatch inspect` on the state after the daemon stopped.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/support/log_lines.h"
#include "tests/support/process.h"

namespace blobwatch {
namespace {

using testing::Child;
using testing::eventually;
using testing::lines;
using testing::runProcess;
using testing::S3Line;
using testing::slurp;
using testing::TempDir;
using testing::writeFile;

constexpr int64_t kHour = 3600LL * 1'000'000;
constexpr int64_t kT0 = 1'793'577'600LL * 1'000'000;  // 2026-11-02T00:00:00Z

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// The CI user reading from its runner: `n` requests from `start`, one a minute.
std::string ciReads(int64_t start, int n, const std::string& ip = "192.0.2.10") {
  std::string out;
  for (int i = 0; i < n; ++i) {
    S3Line l;
    l.timeUs = start + i * 60LL * 1'000'000;
    l.ip = ip;
    l.requestId = "CI" + std::to_string(start / 1'000'000 + i);
    out += l.render();
  }
  return out;
}

// An anonymous read of `bucket`: one anonymous_read alert per bucket, so a marker of progress.
std::string marker(const std::string& bucket, int64_t t) {
  S3Line l;
  l.requester = "-";
  l.ip = "198.51.100.20";
  l.bucket = bucket;
  l.timeUs = t;
  l.requestId = "MK" + bucket;
  return l.render();
}

struct Alert {
  std::string id, detector, bucket, json;
};

std::vector<Alert> readAlerts(const std::string& path) {
  std::vector<Alert> out;
  simdjson::dom::parser parser;
  for (const auto& line : lines(slurp(path))) {
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) {
      ADD_FAILURE() << "not JSON: " << line;
      continue;
    }
    Alert a;
    std::string_view s;
    if (doc["id"].get(s) == simdjson::SUCCESS) a.id = s;
    if (doc["detector"].get(s) == simdjson::SUCCESS) a.detector = s;
    if (doc["bucket"].get(s) == simdjson::SUCCESS) a.bucket = s;
    a.json = line;
    out.push_back(a);
  }
  return out;
}

bool hasMarker(const std::string& alertsPath, const std::string& bucket) {
  for (const auto& a : readAlerts(alertsPath)) {
    if (a.detector == "anonymous_read" && a.bucket == bucket) return true;
  }
  return false;
}

uint64_t inspectEvents(const std::string& stateDir) {
  auto r = runProcess({BLOBWATCH_BINARY, "inspect", "--state-dir", stateDir});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  uint64_t n = 0;
  EXPECT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(doc["events"].get(n), simdjson::SUCCESS) << r.out;
  return n;
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "logs");
    writeConfig();
  }
  void writeConfig(const std::string& extra = "") {
    writeFile(config(), "[state]\ndir = " + dir_.file("state") +
                            "\nbatch_interval_ms = 50\n[alerts]\nfile = " + alerts() + "\n" +
                            extra + "\n[source.s3]\ntype = file\npaths = " + logs() +
                            "/*.log\nrescan_ms = 50\n");
  }
  std::unique_ptr<Child> start() {
    return std::make_unique<Child>(
        std::vector<std::string>{BLOBWATCH_BINARY, "run", "--config", config()},
        dir_.file("stdout"), dir_.file("stderr"));
  }
  int stop(Child& c) {
    c.signal(SIGTERM);
    return c.wait(10000);
  }
  std::string config() const { return dir_.file("blobwatch.conf"); }
  std::string alerts() const { return dir_.file("alerts.ndjson"); }
  std::string logs() const { return (dir_.path() / "logs").string(); }
  std::string log(const std::string& name) const { return logs() + "/" + name; }
  std::string err() const { return slurp(dir_.file("stderr")); }

  TempDir dir_;
};

TEST_F(RunTest, FollowsAGrowingFileAndNewFilesThenStopsCleanly) {
  auto daemon = start();
  append(log("a.log"), ciReads(kT0, 10) + marker("m1", kT0 + kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
  append(log("a.log"), ciReads(kT0 + 2 * kHour, 5));
  append(log("b.log"), ciReads(kT0 + 3 * kHour, 7) + marker("m2", kT0 + 4 * kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  EXPECT_NE(err().find("stopped after 24 events"), std::string::npos) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 24u);
}

TEST_F(RunTest, RotationByRenameLosesNothing) {
  auto daemon = start();
  append(log("a.log"), ciReads(kT0, 20) + marker("m1", kT0 + kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
  // The writer keeps writing to the renamed file for a while, until logrotate's signal makes
  // it reopen: those lines are read too (rotate_wait_ms).
  std::filesystem::rename(log("a.log"), log("a.log.1"));
  ::usleep(300000);
  append(log("a.log.1"), ciReads(kT0 + 2 * kHour, 3));
  append(log("a.log"), ciReads(kT0 + 3 * kHour, 4) + marker("m2", kT0 + 4 * kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 20u + 1 + 3 + 4 + 1);
}

TEST_F(RunTest, RotationByCopyTruncateStartsOver) {
  auto daemon = start();
  append(log("a.log"), ciReads(kT0, 30) + marker("m1", kT0 + kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
  std::filesystem::copy_file(log("a.log"), log("a.log.1"));  // not matched by *.log
  std::filesystem::resize_file(log("a.log"), 0);
  append(log("a.log"), ciReads(kT0 + 2 * kHour, 2) + marker("m2", kT0 + 3 * kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 31u + 3);
}

TEST_F(RunTest, RestartAfterARotationResumesTheNewFile) {
  {
    auto daemon = start();
    append(log("a.log"), ciReads(kT0, 20) + marker("m1", kT0 + kHour));
    ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
    std::filesystem::rename(log("a.log"), log("a.log.1"));
    ::usleep(1500000);  // past rotate_wait_ms: the old file is done, the new one not there yet
    append(log("a.log"), ciReads(kT0 + 2 * kHour, 3));
    ::usleep(300000);
    EXPECT_EQ(stop(*daemon), 0) << err();
  }
  // The state pairs the new file with its own offset, not with the old file's size.
  append(log("a.log"), ciReads(kT0 + 3 * kHour, 4) + marker("m2", kT0 + 4 * kHour));
  auto daemon = start();
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 21u + 3 + 4 + 1);
}

TEST_F(RunTest, RestartAfterATruncationStartsTheFileOver) {
  {
    auto daemon = start();
    append(log("a.log"), ciReads(kT0, 30) + marker("m1", kT0 + kHour));
    ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
    std::filesystem::resize_file(log("a.log"), 0);
    ::usleep(300000);
    EXPECT_EQ(stop(*daemon), 0) << err();
  }
  append(log("a.log"), ciReads(kT0 + 2 * kHour, 100) + marker("m2", kT0 + 4 * kHour));
  auto daemon = start();
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 31u + 101);
}

TEST_F(RunTest, AGlobThatMatchesRotatedNamesReadsEachFileOnce) {
  writeFile(config(), "[state]\ndir = " + dir_.file("state") +
                          "\nbatch_interval_ms = 50\n[alerts]\nfile = " + alerts() +
                          "\n[source.s3]\ntype = file\npaths = " + logs() +
                          "/a.log*\nrescan_ms = 50\nrotate_wait_ms = 200\n");
  {
    auto daemon = start();
    append(log("a.log"), ciReads(kT0, 20) + marker("m1", kT0 + kHour));
    ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
    std::filesystem::rename(log("a.log"), log("a.log.1"));
    append(log("a.log"), ciReads(kT0 + 2 * kHour, 5) + marker("m2", kT0 + 3 * kHour));
    ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
    ::usleep(500000);
    EXPECT_EQ(stop(*daemon), 0) << err();
  }
  EXPECT_EQ(inspectEvents(dir_.file("state")), 21u + 6);
  auto daemon = start();  // a.log.1 is still the same file: not read again after a restart
  ::usleep(500000);
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 21u + 6);
}

TEST_F(RunTest, ABrokenGzipOrAnUnknownFormatDoesNotStopTheOthers) {
  auto daemon = start();
  auto r = runProcess({"/bin/sh", "-c", "gzip -c"}, ciReads(kT0, 200));
  ASSERT_EQ(r.exitCode, 0);
  writeFile(log("cut.gz.log"), r.out.substr(0, r.out.size() / 2));  // still being written
  writeFile(log("junk.log"), "this is not an access log\nnor is this\n");
  append(log("a.log"), ciReads(kT0 + kHour, 3) + marker("m1", kT0 + 2 * kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
  ASSERT_TRUE(eventually([&] { return err().find("cut.gz.log") != std::string::npos; })) << err();
  EXPECT_NE(err().find("junk.log: cannot tell the log format"), std::string::npos) << err();
  // The gzip file completed: it is read (once), and the other files go on.
  writeFile(log("cut.gz.log"), r.out);
  append(log("a.log"), marker("m2", kT0 + 3 * kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  ::usleep(300000);
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 200u + 4 + 1);
}

TEST_F(RunTest, RestartResumesExactlyWhereTheStateSaysAndRedeliversNothingTwice) {
  {
    auto daemon = start();
    append(log("a.log"), ciReads(kT0, 12) + marker("m1", kT0 + kHour));
    ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
    EXPECT_EQ(stop(*daemon), 0) << err();
  }
  append(log("a.log"), ciReads(kT0 + 2 * kHour, 5) + marker("m2", kT0 + 3 * kHour));
  auto daemon = start();
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 19u);
  EXPECT_EQ(readAlerts(alerts()).size(), 2u);  // m1 once (delivered before the restart), m2
}

TEST_F(RunTest, KillNineThenRestartGivesTheSameAlertsAndCounts) {
  // The stream: a week of the CI user, a new address on day 3, a burst of bulk reads by a role
  // with history, and anonymous reads; written in many small appends.
  std::vector<std::string> chunks;
  for (int day = 0; day < 3; ++day) chunks.push_back(ciReads(kT0 + day * 24 * kHour, 30));
  chunks.push_back(ciReads(kT0 + 50 * kHour, 3, "203.0.113.99"));  // unknown_ip
  for (int w = 0; w < 4; ++w) {
    std::string c;
    for (int i = 0; i < 20; ++i) {
      S3Line l;
      l.requester = "arn:aws:sts::111122223333:assumed-role/backup/s";
      l.ip = "10.20.3.14";
      l.timeUs = kT0 + (60 + w * 4) * kHour + i * 1'000'000;
      l.bytes = 2 << 20;
      l.requestId = "BK" + std::to_string(w * 100 + i);
      c += l.render();
    }
    chunks.push_back(c);
  }
  {
    std::string c;
    for (int i = 0; i < 300; ++i) {  // 300 objects, 600 MiB in one window: bulk_download
      S3Line l;
      l.requester = "arn:aws:sts::111122223333:assumed-role/backup/s";
      l.ip = "10.20.3.14";
      l.timeUs = kT0 + 90 * kHour + i * 1'000'000;
      l.bytes = 2 << 20;
      l.requestId = "BULK" + std::to_string(i);
      c += l.render();
      if (i % 50 == 49) {
        chunks.push_back(c);
        c.clear();
      }
    }
  }
  chunks.push_back(marker("public-a", kT0 + 91 * kHour) + marker("public-b", kT0 + 92 * kHour));
  uint64_t total = 0;
  for (const auto& c : chunks) total += lines(c).size();

  // Uninterrupted run.
  std::map<std::string, std::string> expected;
  {
    auto daemon = start();
    for (const auto& c : chunks) append(log("a.log"), c);
    ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "public-b"); })) << err();
    EXPECT_EQ(stop(*daemon), 0) << err();
    EXPECT_EQ(inspectEvents(dir_.file("state")), total);
    for (const auto& a : readAlerts(alerts())) expected[a.id] = a.json;
  }
  std::multiset<std::string> detectors;
  for (const auto& [id, json] : expected) {
    detectors.insert(json.substr(json.find("\"detector\":\"") + 12, 6));
  }
  ASSERT_EQ(detectors.count("unknow"), 1u);
  ASSERT_EQ(detectors.count("bulk_d"), 1u);
  ASSERT_EQ(detectors.count("anonym"), 2u);

  // The same stream, with kill -9 in the middle, then a restart.
  TempDir second;
  std::filesystem::create_directories(second.path() / "logs");
  const std::string stateDir = second.file("state"), alertsPath = second.file("alerts.ndjson");
  const std::string logPath = (second.path() / "logs" / "a.log").string();
  const std::string conf = second.file("blobwatch.conf");
  writeFile(conf, "[state]\ndir = " + stateDir +
                      "\nbatch_interval_ms = 20\n[alerts]\nfile = " + alertsPath +
                      "\n[source.s3]\ntype = file\npaths = " + (second.path() / "logs").string() +
                      "/*.log\nrescan_ms = 20\n");
  auto startSecond = [&] {
    return std::make_unique<Child>(
        std::vector<std::string>{BLOBWATCH_BINARY, "run", "--config", conf}, second.file("stdout"),
        second.file("stderr"));
  };
  {
    auto daemon = startSecond();
    for (size_t i = 0; i < chunks.size(); ++i) {
      append(logPath, chunks[i]);
      ::usleep(30000);
      if (i == chunks.size() / 2) break;
    }
    daemon->signal(SIGKILL);
    EXPECT_EQ(daemon->wait(5000), -1);
  }
  {
    auto daemon = startSecond();
    for (size_t i = chunks.size() / 2 + 1; i < chunks.size(); ++i) append(logPath, chunks[i]);
    ASSERT_TRUE(eventually([&] { return hasMarker(alertsPath, "public-b"); }))
        << slurp(second.file("stderr"));
    daemon->signal(SIGTERM);
    EXPECT_EQ(daemon->wait(10000), 0);
  }
  // No event skipped, none counted twice: the totals and every alert's evidence (which carries
  // the baseline numbers) are identical. Delivery is at-least-once: an alert may repeat, with
  // the same id and content.
  EXPECT_EQ(inspectEvents(stateDir), total);
  std::map<std::string, std::string> got;
  for (const auto& a : readAlerts(alertsPath)) {
    auto [it, inserted] = got.emplace(a.id, a.json);
    if (!inserted) {
      EXPECT_EQ(it->second, a.json) << "a repeated alert changed";
    }
  }
  EXPECT_EQ(got, expected);
}

TEST_F(RunTest, SighupReloadsDetectorSettingsAndRefusesABadConfig) {
  writeConfig("[detectors.anonymous_read]\nenabled = false\n");
  auto daemon = start();
  append(log("a.log"), marker("before", kT0) + ciReads(kT0 + kHour, 2));
  ASSERT_TRUE(eventually([&] { return err().find("running with") != std::string::npos; }));
  ::usleep(500000);
  EXPECT_FALSE(hasMarker(alerts(), "before"));
  // A bad config is refused; the daemon keeps running with the old one.
  writeFile(config(), "[detectors.anonymous_read]\nenabled = perhaps\n");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return err().find("reload refused") != std::string::npos; }))
      << err();
  EXPECT_NE(err().find("detectors.anonymous_read.enabled"), std::string::npos) << err();
  writeConfig("[detectors.anonymous_read]\nenabled = true\n");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return err().find("configuration reloaded") != std::string::npos; }))
      << err();
  append(log("a.log"), marker("after", kT0 + 2 * kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "after"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_FALSE(hasMarker(alerts(), "before"));
  EXPECT_EQ(inspectEvents(dir_.file("state")), 4u);  // nothing lost or repeated across reloads
}

TEST_F(RunTest, ReadsGzipFilesOnceWhole) {
  auto daemon = start();
  const std::string text = ciReads(kT0, 40) + marker("gz", kT0 + kHour);
  auto r = runProcess({"/bin/sh", "-c", "gzip -c > " + log("old.log.gz")}, text);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  // The glob is *.log: name the gzip file so that it matches.
  std::filesystem::rename(log("old.log.gz"), log("old.gz.log"));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "gz"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 41u);
  // Restarting does not read it again, however often.
  for (int i = 0; i < 3; ++i) {
    auto again = start();
    ::usleep(400000);
    EXPECT_EQ(stop(*again), 0) << err();
    EXPECT_EQ(inspectEvents(dir_.file("state")), 41u) << "restart " << i;
  }
}

TEST_F(RunTest, JsonLogsAndRateLimitedParseErrors) {
  writeConfig("[log]\nformat = json\n");
  auto daemon = start();
  std::string junk;
  for (int i = 0; i < 50; ++i) junk += "79a59df9 bucket [06/Feb/2019:00:00:38 +0000] broken line\n";
  append(log("a.log"), ciReads(kT0, 2) + junk + marker("m1", kT0 + kHour));
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  simdjson::dom::parser parser;
  int parseErrorLines = 0;
  for (const auto& line : lines(err())) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << "not JSON: " << line;
    std::string_view level, msg;
    ASSERT_EQ(doc["level"].get(level), simdjson::SUCCESS) << line;
    ASSERT_EQ(doc["msg"].get(msg), simdjson::SUCCESS) << line;
    if (msg.find("a.log:") != std::string_view::npos) {
      EXPECT_EQ(level, "warning");
      ++parseErrorLines;
    }
  }
  EXPECT_EQ(parseErrorLines, 10);  // 50 parse errors, at most 10 a minute per stream logged
  EXPECT_EQ(inspectEvents(dir_.file("state")), 3u);
}

TEST_F(RunTest, ATruncatedJsonLineCostsOneErrorNotTheRecordsAfterIt) {
  // A CloudTrail writer that died mid-record, then went on appending. The truncated line must
  // not be taken as the start of a record that swallows the ones after it.
  auto daemon = start();
  const std::string first = testing::cloudTrailEvent(kT0, "GetObject", testing::kAnonymousIdentity,
                                                     "198.51.100.20", "m1", "k", "CT1");
  const std::string second = testing::cloudTrailEvent(
      kT0 + kHour, "GetObject", testing::kAnonymousIdentity, "198.51.100.20", "m2", "k", "CT2");
  append(log("trail.log"), first + "\n" + second.substr(0, second.find("\"eventName\"")) + "\n");
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m1"); })) << err();
  append(log("trail.log"), second + "\n");
  ASSERT_TRUE(eventually([&] { return hasMarker(alerts(), "m2"); })) << err();
  EXPECT_EQ(stop(*daemon), 0) << err();
  EXPECT_NE(err().find("trail.log:2: cloudtrail:"), std::string::npos) << err();
  EXPECT_EQ(inspectEvents(dir_.file("state")), 2u);
}

TEST(RunConfig, ErrorsNameTheKey) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[source.a]\ntype = file\n", "source.a.paths is required"},
      {"[source.a]\ntype = ftp\npaths = /x\n", "expected file or kafka"},
      {"[source.a]\ntype = file\npaths = /x\nformat = parquet\n", "unknown format 'parquet'"},
      {"[source.a]\ntype = file\npaths = /x\ncolour = red\n", "source.a.colour"},
      {"[source.a]\ntype = kafka\n", "source.a.topics is required"},
      {"[sorce.a]\ntype = file\n", "sorce.a.type"},
      {"[state]\ndir = /tmp/x\n", "no [source.NAME] section"},
      {"[detectors.unknown_ip]\nlearning_period = soon\n[source.a]\ntype = file\npaths = /x\n",
       "learning_period"},
  };
  for (const auto& [content, needle] : cases) {
    writeFile(dir.file("c.conf"), content);
    auto r = runProcess({BLOBWATCH_BINARY, "run", "--config", dir.file("c.conf")});
    EXPECT_EQ(r.exitCode, 2) << content;
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << " not in " << r.err;
  }
}

}  // namespace
}  // namespace blobwatch
