// `blobwatch run` with a Kafka source, against librdkafka's mock cluster on 127.0.0.1
// (tests/tools/mock_kafka.cpp), with kcat as the independent producer.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <set>

#include "tests/support/log_lines.h"
#include "tests/support/process.h"

namespace blobwatch {
namespace {

using testing::Child;
using testing::cloudTrailEvent;
using testing::eventually;
using testing::iamUserIdentity;
using testing::kAnonymousIdentity;
using testing::lines;
using testing::runProcess;
using testing::slurp;
using testing::TempDir;
using testing::writeFile;

constexpr int64_t kHour = 3600LL * 1'000'000;
constexpr int64_t kT0 = 1'793'577'600LL * 1'000'000;

class MockKafka {
 public:
  explicit MockKafka(const TempDir& dir)
      : out_(dir.file("mock.out")),
        child_({BLOBWATCH_MOCK_KAFKA, "--topic", "cloudtrail:3"}, out_, dir.file("mock.err")) {
    eventually([&] { return slurp(out_).find('\n') != std::string::npos; }, 10000);
    bootstrap_ = slurp(out_).substr(0, slurp(out_).find('\n'));
  }
  ~MockKafka() {
    child_.signal(SIGTERM);
    child_.wait(5000);
  }
  const std::string& bootstrap() const { return bootstrap_; }

  // Produces one message per line with kcat, spread over the partitions.
  void produce(const std::string& topic, const std::string& ndjson) const {
    auto r = runProcess({"/usr/bin/kcat", "-b", bootstrap_, "-P", "-t", topic}, ndjson);
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }

 private:
  std::string out_;
  Child child_;
  std::string bootstrap_;
};

std::string story(int part) {
  std::string out;
  auto add = [&](const std::string& line) { out += line + "\n"; };
  if (part == 0) {
    for (int i = 0; i < 40; ++i) {
      add(cloudTrailEvent(kT0 + i * kHour, "GetObject", iamUserIdentity("ci"), "192.0.2.10",
                          "harbor", "k" + std::to_string(i), "A" + std::to_string(i)));
    }
  } else {
    add(cloudTrailEvent(kT0 + 50 * kHour, "GetObject", iamUserIdentity("ci"), "203.0.113.99",
                        "harbor", "leak", "L1"));
    for (int i = 0; i < 3; ++i) {
      add(cloudTrailEvent(kT0 + (60 + i * 2) * kHour, "GetObject", kAnonymousIdentity,
                          "198.51.100.20", "public-" + std::to_string(i), "x",
                          "P" + std::to_string(i)));
    }
  }
  return out;
}

std::string config(const TempDir& dir, const std::string& bootstrap, const std::string& topic,
                   const std::string& group) {
  const std::string path = dir.file(group + ".conf");
  // exit_idle_ms: a run ends by itself once every partition is drained (Kafka partitions are
  // consumed in parallel, so the last alert is not the last message).
  writeFile(path, "[run]\nexit_idle_ms = 3000\n[state]\ndir = " + dir.file(group + "-state") +
                      "\nbatch_interval_ms = 50\n[alerts]\nfile = " + dir.file(group + ".ndjson") +
                      "\n[source.trail]\ntype = kafka\nformat = cloudtrail\ntopics = " + topic +
                      "\nkafka.bootstrap.servers = " + bootstrap + "\nkafka.group.id = " + group +
                      "\n"
                      // A short session: the mock cluster holds a rejoin until the previous
                      // member's session ends (a SIGKILLed one never says goodbye).
                      "kafka.session.timeout.ms = 4000\nkafka.heartbeat.interval.ms = 500\n");
  return path;
}

std::map<std::string, std::string> alertsById(const std::string& path) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  for (const auto& line : lines(slurp(path))) {
    simdjson::dom::element doc;
    std::string_view id;
    if (parser.parse(line).get(doc) == simdjson::SUCCESS &&
        doc["id"].get(id) == simdjson::SUCCESS) {
      out[std::string(id)] = line;
    }
  }
  return out;
}

uint64_t inspectEvents(const std::string& stateDir) {
  auto r = runProcess({BLOBWATCH_BINARY, "inspect", "--state-dir", stateDir});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  uint64_t n = 0;
  EXPECT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out << r.err;
  EXPECT_EQ(doc["events"].get(n), simdjson::SUCCESS);
  return n;
}

TEST(RunKafka, ConsumesWhatKcatProducesAndResumesFromTheState) {
  TempDir dir;
  MockKafka kafka(dir);
  ASSERT_FALSE(kafka.bootstrap().empty());
  kafka.produce("cloudtrail", story(0) + story(1));
  const std::string conf = config(dir, kafka.bootstrap(), "cloudtrail", "g1");
  {
    Child daemon({BLOBWATCH_BINARY, "run", "--config", conf}, dir.file("out"), dir.file("err"));
    ASSERT_TRUE(eventually([&] { return alertsById(dir.file("g1.ndjson")).size() == 4; }, 40000))
        << slurp(dir.file("err"));
    EXPECT_EQ(daemon.wait(60000), 0) << slurp(dir.file("err"));  // drained, then idle: exits
  }
  EXPECT_EQ(inspectEvents(dir.file("g1-state")), 44u);
  // New messages after a restart: only they are read (the state and the group agree).
  kafka.produce("cloudtrail", cloudTrailEvent(kT0 + 70 * kHour, "GetObject", kAnonymousIdentity,
                                              "198.51.100.21", "public-late", "x", "P9") +
                                  "\n");
  {
    Child daemon({BLOBWATCH_BINARY, "run", "--config", conf}, dir.file("out"), dir.file("err"));
    ASSERT_TRUE(eventually([&] { return alertsById(dir.file("g1.ndjson")).size() == 5; }, 40000))
        << slurp(dir.file("err"));
    EXPECT_EQ(daemon.wait(60000), 0) << slurp(dir.file("err"));  // drained, then idle: exits
  }
  EXPECT_EQ(inspectEvents(dir.file("g1-state")), 45u);
  // The group's committed offsets cover every message: a kcat consumer in the same group
  // starting from them finds nothing left.
  auto r = runProcess({"/usr/bin/kcat", "-b", kafka.bootstrap(), "-G", "g1", "cloudtrail", "-C",
                       "-e", "-q", "-X", "auto.offset.reset=earliest"});
  EXPECT_EQ(lines(r.out).size(), 0u) << r.out << r.err;
}

TEST(RunKafka, KillNineMidStreamThenRestartMatchesAnUninterruptedRun) {
  TempDir dir;
  MockKafka kafka(dir);
  // Uninterrupted reference on its own topic and group.
  std::string all;
  for (int i = 0; i < 300; ++i) {
    all +=
        cloudTrailEvent(kT0 + i * 600LL * 1'000'000, "GetObject", iamUserIdentity("ci"),
                        "192.0.2.10", "harbor", "k" + std::to_string(i), "A" + std::to_string(i)) +
        "\n";
    if (i == 100) {  // an early alert: the sign that the killed daemon had got going
      all += cloudTrailEvent(kT0 + i * 600LL * 1'000'000, "GetObject", kAnonymousIdentity,
                             "198.51.100.30", "early", "x", "E1") +
             "\n";
    }
  }
  all += story(1);
  kafka.produce("reference", all);
  const std::string refConf = config(dir, kafka.bootstrap(), "reference", "ref");
  {
    Child daemon({BLOBWATCH_BINARY, "run", "--config", refConf}, dir.file("out"), dir.file("err"));
    ASSERT_TRUE(eventually([&] { return alertsById(dir.file("ref.ndjson")).size() == 5; }, 40000))
        << slurp(dir.file("err"));
    EXPECT_EQ(daemon.wait(60000), 0) << slurp(dir.file("err"));  // drained, then idle: exits
  }
  const auto expected = alertsById(dir.file("ref.ndjson"));
  EXPECT_EQ(inspectEvents(dir.file("ref-state")), 305u);

  // The same messages on another topic, consumed by a daemon killed with SIGKILL mid-stream.
  const std::string conf = config(dir, kafka.bootstrap(), "live", "live");
  const auto msgs = lines(all);
  std::string first, second;
  for (size_t i = 0; i < msgs.size(); ++i) (i < 250 ? first : second) += msgs[i] + "\n";
  kafka.produce("live", first);
  {
    Child daemon({BLOBWATCH_BINARY, "run", "--config", conf}, dir.file("out"), dir.file("err"));
    // Killed as soon as the early alert is out: mid-stream, mid-batch.
    ASSERT_TRUE(eventually([&] { return alertsById(dir.file("live.ndjson")).size() == 1; }, 40000))
        << slurp(dir.file("err"));
    daemon.signal(SIGKILL);
    EXPECT_EQ(daemon.wait(5000), -1);
  }
  kafka.produce("live", second);
  {
    Child daemon({BLOBWATCH_BINARY, "run", "--config", conf}, dir.file("out"), dir.file("err"));
    ASSERT_TRUE(eventually([&] { return alertsById(dir.file("live.ndjson")).size() == 5; }, 40000))
        << slurp(dir.file("err"));
    EXPECT_EQ(daemon.wait(60000), 0) << slurp(dir.file("err"));  // drained, then idle: exits
  }
  EXPECT_EQ(inspectEvents(dir.file("live-state")), 305u);  // none skipped, none twice
  // The same alerts by id. (Their evidence may differ: Kafka orders messages within a partition
  // only, so the two runs may interleave the partitions differently.)
  std::set<std::string> got, want;
  for (const auto& [id, json] : alertsById(dir.file("live.ndjson"))) got.insert(id);
  for (const auto& [id, json] : expected) want.insert(id);
  EXPECT_EQ(got, want);
  EXPECT_EQ(want.size(), 5u);
}

}  // namespace
}  // namespace blobwatch
