// blobwatch as a systemd service: the sd_notify protocol spoken by `blobwatch run` (observed on a
// Unix datagram socket standing in for systemd) and the packaged default configuration.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>

#include "daemon/config.h"
#include "daemon/run.h"
#include "tests/support/process.h"

namespace blobwatch {
namespace {

using testing::Child;
using testing::runProcess;
using testing::slurp;
using testing::TempDir;
using testing::writeFile;

using Clock = std::chrono::steady_clock;

struct Message {
  Clock::time_point at;
  std::string text;
};

// A NOTIFY_SOCKET: a bound Unix datagram socket that records what it is sent.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    EXPECT_LT(path.size(), sizeof(addr.sun_path));
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << std::strerror(errno);
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // Receives until `done(messages)` or `timeoutMs` passed; returns whether `done` became true.
  template <typename F>
  bool receiveUntil(F&& done, int timeoutMs) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (!done(messages_)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      timeval tv{};
      tv.tv_sec = static_cast<time_t>(left.count() / 1'000'000);
      tv.tv_usec = static_cast<suseconds_t>(left.count() % 1'000'000);
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) messages_.push_back({Clock::now(), std::string(buf, static_cast<size_t>(n))});
    }
    return true;
  }
  const std::vector<Message>& messages() const { return messages_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<Message> messages_;
};

// Assignments ("READY=1") of one datagram.
bool has(const Message& m, const std::string& assignment) {
  std::istringstream in(m.text);
  std::string line;
  while (std::getline(in, line)) {
    if (line == assignment || (assignment.back() == '=' && line.rfind(assignment, 0) == 0)) {
      return true;
    }
  }
  return false;
}

size_t count(const std::vector<Message>& ms, const std::string& assignment, size_t from = 0) {
  size_t n = 0;
  for (size_t i = from; i < ms.size(); ++i) n += has(ms[i], assignment) ? 1 : 0;
  return n;
}

// `blobwatch run` as systemd starts it: NOTIFY_SOCKET and WATCHDOG_USEC set, WATCHDOG_PID not.
class Service : public Child {
 public:
  Service(const std::vector<std::string>& args, const std::string& notifySocket,
          const std::string& errPath)
      : Child(args, errPath, errPath,
              {"NOTIFY_SOCKET=" + notifySocket, "WATCHDOG_USEC=2000000", "WATCHDOG_PID"}) {}
};

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "logs");
    writeFile(config(), "[state]\ndir = " + dir_.file("state") +
                            "\nbatch_interval_ms = 50\n[alerts]\nfile = " + dir_.file("alerts") +
                            "\n[source.s3]\ntype = file\npaths = " + dir_.file("logs") +
                            "/*.log\nrescan_ms = 50\n");
  }
  std::string config() const { return dir_.file("blobwatch.conf"); }
  std::string err() const { return slurp(dir_.file("stderr")); }
  TempDir dir_;
};

TEST_F(NotifyTest, ReadyStatusWatchdogAndStopping) {
  NotifySocket socket(dir_.file("notify"));
  Service daemon({BLOBWATCH_BINARY, "run", "--config", config()}, socket.path(),
                 dir_.file("stderr"));
  auto ready = [](const std::vector<Message>& ms) { return count(ms, "READY=1") > 0; };
  ASSERT_TRUE(socket.receiveUntil(ready, 15000)) << err();
  const auto& ms = socket.messages();
  size_t readyAt = 0;
  while (!has(ms[readyAt], "READY=1")) ++readyAt;
  EXPECT_TRUE(has(ms[readyAt], "STATUS=")) << ms[readyAt].text;
  EXPECT_NE(ms[readyAt].text.find("1 sources"), std::string::npos) << ms[readyAt].text;
  const auto readyTime = ms[readyAt].at;

  // WATCHDOG_USEC=2000000: a ping about every second from the main loop.
  auto pinged = [&](const std::vector<Message>& m) { return count(m, "WATCHDOG=1", readyAt) >= 2; };
  ASSERT_TRUE(socket.receiveUntil(pinged, 3500)) << err();
  EXPECT_LE(ms.back().at - readyTime, std::chrono::milliseconds(3000));
  // STATUS= comes every few seconds too.
  auto status = [&](const std::vector<Message>& m) {
    for (size_t i = readyAt + 1; i < m.size(); ++i) {
      if (has(m[i], "STATUS=") && !has(m[i], "READY=1")) return true;
    }
    return false;
  };
  EXPECT_TRUE(socket.receiveUntil(status, 8000));

  daemon.signal(SIGTERM);
  auto stopping = [](const std::vector<Message>& m) { return count(m, "STOPPING=1") > 0; };
  EXPECT_TRUE(socket.receiveUntil(stopping, 10000)) << err();
  EXPECT_EQ(daemon.wait(10000), 0) << err();
  EXPECT_EQ(count(ms, "READY=1"), 1u);
}

TEST_F(NotifyTest, SighupReloadsBetweenReloadingAndReady) {
  NotifySocket socket(dir_.file("notify"));
  Service daemon({BLOBWATCH_BINARY, "run", "--config", config()}, socket.path(),
                 dir_.file("stderr"));
  ASSERT_TRUE(socket.receiveUntil(
      [](const std::vector<Message>& ms) { return count(ms, "READY=1") > 0; }, 15000))
      << err();
  daemon.signal(SIGHUP);
  auto reloaded = [](const std::vector<Message>& ms) {
    for (size_t i = 0; i < ms.size(); ++i) {
      if (has(ms[i], "RELOADING=1")) return count(ms, "READY=1", i + 1) > 0;
    }
    return false;
  };
  ASSERT_TRUE(socket.receiveUntil(reloaded, 10000)) << err();
  for (const auto& m : socket.messages()) {
    if (has(m, "RELOADING=1")) {
      EXPECT_TRUE(has(m, "MONOTONIC_USEC=")) << m.text;
    }
  }
  EXPECT_NE(err().find("configuration reloaded"), std::string::npos) << err();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(10000), 0) << err();
}

TEST_F(NotifyTest, WithoutNotifySocketNothingIsSentAndRunIsUnchanged) {
  auto r = runProcess({BLOBWATCH_BINARY, "run", "--config", config(), "--run.exit_idle_ms=300"}, "",
                      {"WATCHDOG_USEC=2000000"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

// systemd/blobwatch.conf is exactly what `blobwatch print-config` prints, so it cannot drift
// from the configuration table.
TEST(DefaultConfig, PackagedFileIsPrintConfigOutput) {
  const auto r = runProcess({BLOBWATCH_BINARY, "print-config"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, daemon::defaultConfigText());
  EXPECT_EQ(slurp(std::string(BLOBWATCH_SOURCE_DIR) + "/systemd/blobwatch.conf"), r.out)
      << "regenerate: blobwatch print-config > systemd/blobwatch.conf";
}

TEST(DefaultConfig, EveryKeyIsThereAtItsDefaultAndEverythingUncommentedLoads) {
  const std::string text = daemon::defaultConfigText();
  // Uncomment every `#key = value` and `#[section]` line (defaults and examples alike).
  std::string uncommented;
  std::istringstream in(text);
  std::string line;
  const std::regex setting(R"(^#(\[[a-z0-9_.-]+\]|[a-z][a-z0-9_.]* =( .*)?)$)");
  size_t settings = 0;
  while (std::getline(in, line)) {
    if (std::regex_match(line, setting)) {
      line = line.substr(1);
      ++settings;
    }
    uncommented += line + "\n";
  }
  for (const auto& k : daemon::configTable()) {
    const std::string name = k.name;
    const std::string section = name.substr(0, name.rfind('.'));
    const std::string value = k.defaultValue;
    const std::string entry =
        name.substr(section.size() + 1) + (value.empty() ? " =" : " = " + value);
    EXPECT_NE(uncommented.find("[" + section + "]\n"), std::string::npos) << section;
    EXPECT_NE(uncommented.find("\n" + entry + "\n"), std::string::npos) << entry;
  }
  EXPECT_GT(settings, daemon::configTable().size());

  TempDir dir;
  writeFile(dir.file("blobwatch.conf"), uncommented);
  daemon::RunOptions options;
  EXPECT_EQ(daemon::loadRunConfig(dir.file("blobwatch.conf"), {}, options), "");
  EXPECT_EQ(options.sources.size(), 2u);
  ASSERT_EQ(options.sinks.size(), 2u);
  EXPECT_EQ(options.settings.detectors.suppressions.size(), 1u);
  EXPECT_EQ(options.settings.stateDir, "/var/lib/blobwatch");
  for (const auto& s : options.sinks) {
    if (s.type == "webhook") {
      EXPECT_EQ(s.secretFile, "webhook-secret");
    }
  }
  // As packaged (all commented out) it parses, and asks for a source.
  writeFile(dir.file("packaged.conf"), text);
  daemon::RunOptions packaged;
  EXPECT_NE(daemon::loadRunConfig(dir.file("packaged.conf"), {}, packaged)
                .find("no [source.NAME] section"),
            std::string::npos);
}

}  // namespace
}  // namespace blobwatch
