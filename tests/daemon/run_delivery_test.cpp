// `blobwatch run` delivering to a real HTTP receiver on a loopback socket
// (tests/tools/test_receiver.cpp), which verifies every request's signature: never lose an alert,
// even with the receiver down and blobwatch killed.

#include <gtest/gtest.h>
#include <simdjson.h>

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
constexpr int64_t kT0 = 1'793'577'600LL * 1'000'000;

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// n anonymous reads of distinct buckets: n anonymous_read alerts.
std::string publicReads(int first, int n) {
  std::string out;
  for (int i = first; i < first + n; ++i) {
    S3Line l;
    l.requester = "-";
    l.ip = "198.51.100.20";
    l.bucket = "public-" + std::to_string(i);
    l.timeUs = kT0 + i * kHour;
    l.requestId = "PUB" + std::to_string(i);
    out += l.render();
  }
  return out;
}

struct Received {
  std::map<std::string, int> okById;  // alert id -> requests answered 200 with a valid signature
  int attempts = 0;
  int badSignatures = 0;
};

Received readLog(const std::string& path) {
  Received r;
  simdjson::dom::parser parser;
  for (const auto& line : lines(slurp(path))) {
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) continue;
    ++r.attempts;
    bool sigOk = false;
    int64_t status = 0;
    if (doc["signature_ok"].get(sigOk) != simdjson::SUCCESS) sigOk = false;
    if (doc["status"].get(status) != simdjson::SUCCESS) status = 0;
    if (!sigOk) ++r.badSignatures;
    simdjson::dom::array ids;
    if (sigOk && status == 200 && doc["ids"].get(ids) == simdjson::SUCCESS) {
      for (auto id : ids) {
        std::string_view s;
        if (id.get(s) == simdjson::SUCCESS) ++r.okById[std::string(s)];
      }
    }
  }
  return r;
}

class Delivery : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "logs");
    writeFile(dir_.file("secret"), "s3cr3t-for-tests\n");
    writeFile(down(), "");  // the receiver starts down
    receiver_ = std::make_unique<Child>(
        std::vector<std::string>{BLOBWATCH_TEST_RECEIVER, "--secret-file", dir_.file("secret"),
                                 "--log", received(), "--down-file", down(), "--reject-file",
                                 dir_.file("reject")},
        dir_.file("receiver.out"), dir_.file("receiver.err"));
    ASSERT_TRUE(eventually(
        [&] { return slurp(dir_.file("receiver.out")).find('\n') != std::string::npos; }));
    const std::string out = slurp(dir_.file("receiver.out"));
    port_ = out.substr(0, out.find('\n'));
  }
  void TearDown() override {
    receiver_->signal(SIGTERM);
    receiver_->wait(5000);
  }
  void writeConfig(const std::string& extra = "") {
    writeFile(config(),
              "[state]\ndir = " + dir_.file("state") + "\nbatch_interval_ms = 50\n" + extra +
                  "\n[source.s3]\ntype = file\npaths = " + log() +
                  "\nrescan_ms = 50\n[sink.soc]\ntype = webhook\nurl = http://127.0.0.1:" + port_ +
                  "/alerts\nsecret_file = " + dir_.file("secret") + "\ntimeout_ms = 2000\n");
  }
  std::unique_ptr<Child> start() {
    return std::make_unique<Child>(
        std::vector<std::string>{BLOBWATCH_BINARY, "run", "--config", config()},
        dir_.file("stdout"), dir_.file("stderr"));
  }
  std::string config() const { return dir_.file("blobwatch.conf"); }
  std::string log() const { return (dir_.path() / "logs" / "a.log").string(); }
  std::string down() const { return dir_.file("down"); }
  std::string received() const { return dir_.file("received.ndjson"); }
  std::string err() const { return slurp(dir_.file("stderr")); }
  uint64_t inspect(const char* key) {
    auto r = runProcess({BLOBWATCH_BINARY, "inspect", "--state-dir", dir_.file("state")});
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    uint64_t n = 0;
    EXPECT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out << r.err;
    EXPECT_EQ(doc[key].get(n), simdjson::SUCCESS) << r.out;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<Child> receiver_;
  std::string port_;
};

TEST_F(Delivery, ReceiverDownThenUpGetsEveryAlertOnce) {
  writeConfig();
  auto daemon = start();
  append(log(), publicReads(0, 3));
  // Refused while down (503): retried with backoff, never dropped.
  ASSERT_TRUE(eventually([&] { return readLog(received()).attempts >= 2; })) << err();
  EXPECT_TRUE(readLog(received()).okById.empty());
  std::filesystem::remove(down());
  ASSERT_TRUE(eventually([&] { return readLog(received()).okById.size() == 3; }, 30000)) << err();
  ::usleep(500000);
  const Received r = readLog(received());
  for (const auto& [id, n] : r.okById) EXPECT_EQ(n, 1) << id;  // each accepted exactly once
  EXPECT_EQ(r.badSignatures, 0);
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(10000), 0) << err();
  EXPECT_NE(err().find("sink soc: delivery failed, will retry"), std::string::npos) << err();
  EXPECT_EQ(err().find("s3cr3t"), std::string::npos);  // the secret is never logged
}

TEST_F(Delivery, KillNineWhileTheReceiverIsDownLosesNothing) {
  writeConfig();
  {
    auto daemon = start();
    append(log(), publicReads(0, 4));
    // The alerts are committed to the outbox once a delivery was attempted.
    ASSERT_TRUE(eventually([&] { return readLog(received()).attempts >= 1; })) << err();
    daemon->signal(SIGKILL);
    EXPECT_EQ(daemon->wait(5000), -1);
  }
  auto daemon = start();
  append(log(), publicReads(4, 1));
  std::filesystem::remove(down());
  ASSERT_TRUE(eventually([&] { return readLog(received()).okById.size() == 5; }, 30000)) << err();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(10000), 0) << err();
  EXPECT_EQ(inspect("alerts"), 5u);
}

TEST_F(Delivery, RefusedAlertsAreDeadLetteredAndDeliveryGoesOn) {
  writeConfig();
  std::filesystem::remove(down());
  writeFile(dir_.file("reject"), "");  // 400: will never be accepted
  auto daemon = start();
  append(log(), publicReads(0, 2));
  ASSERT_TRUE(eventually([&] { return err().find("dead-lettered") != std::string::npos; }))
      << err();
  std::filesystem::remove(dir_.file("reject"));
  append(log(), publicReads(2, 1));
  ASSERT_TRUE(eventually([&] { return readLog(received()).okById.size() == 1; })) << err();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(10000), 0) << err();
  EXPECT_EQ(inspect("dead_letters"), 2u);
}

TEST_F(Delivery, AFullOutboxPausesInputInsteadOfDropping) {
  writeConfig("[outbox]\nmax_alerts = 2\n");
  {
    auto daemon = start();
    append(log(), publicReads(0, 6));
    ASSERT_TRUE(eventually([&] { return err().find("outbox full") != std::string::npos; }))
        << err();
    // More input while the outbox is full is left where it is (here: in the file).
    append(log(), publicReads(6, 3));
    ::usleep(800000);
    daemon->signal(SIGKILL);
    EXPECT_EQ(daemon->wait(5000), -1);
  }
  EXPECT_EQ(inspect("events"), 6u);
  EXPECT_EQ(inspect("alerts"), 6u);
  std::filesystem::remove(down());
  auto daemon = start();
  ASSERT_TRUE(eventually([&] { return readLog(received()).okById.size() == 9; }, 60000)) << err();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(10000), 0) << err();
  EXPECT_EQ(inspect("events"), 9u);
}

}  // namespace
}  // namespace blobwatch
