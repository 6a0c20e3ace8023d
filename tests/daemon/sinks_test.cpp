// Tests of the network alert sinks and the OCSF mapping against real peers: blobwatch's own
// verifying webhook receiver (blobwatch-test-receiver), the real Alertmanager (Debian's
// prometheus-alertmanager) and, for TLS, `openssl s_server`.

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "daemon/alert_sink.h"
#include "detectors/alert.h"
#include "schemas/text.h"
#include "tests/support/process.h"

namespace blobwatch {
namespace {

using daemon::DeliveryOutcome;
using daemon::DeliveryResult;
using daemon::SinkConfig;
using testing::Child;
using testing::eventually;
using testing::lines;
using testing::slurp;
using testing::TempDir;
using testing::writeFile;

constexpr const char* kSecret = "s3cr3t-0f-the-s0c-webhook";

int64_t nowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A loopback port nothing listens on (bound, then released).
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A loopback port held bound but not listening: a connection to it is refused, and no other
// process (another test running in parallel) can start a server on it while this lives.
class RefusingPort {
 public:
  // Binds `port`, or a port the kernel picks when 0. ok() is false when the port is taken.
  explicit RefusingPort(int port = 0) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // past TIME_WAIT only
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  bool ok() const { return port_ != 0; }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// One alert of `detector`, with evidence shaped like the real detector's (detectors.cpp).
detectors::Alert makeAlert(const std::string& detector, int n, int64_t timeUs) {
  detectors::Alert a;
  char id[33];
  std::snprintf(id, sizeof(id), "%08x%024d",
                static_cast<unsigned>(std::hash<std::string>()(detector)), n);
  a.id = id;
  a.detector = detector;
  a.timeUs = timeUs;
  a.provider = schemas::Provider::kAws;
  a.format = schemas::Format::kS3Access;
  a.requestIds = {"REQ" + std::to_string(n)};
  a.rawOperation = "REST.GET.OBJECT";
  a.operation = schemas::OpClass::kRead;
  if (detector == "anonymous_read") {
    a.severity = detectors::Severity::kHigh;
    a.principal = "anonymous";
    a.sourceIp = "198.51.100.20";
    a.bucket = "public-bucket";
    a.object = "reports/q3 \"final\".pdf";
    a.dedupKey = a.bucket;
    a.summary = "Unauthenticated read of s3://public-bucket/reports/q3.pdf succeeded (HTTP 200).";
    a.evidenceJson =
        R"({"http_status":200,"auth_type":"anonymous","bytes_out":52311,"expected":"authenticated requests only"})";
  } else if (detector == "unknown_ip") {
    a.severity = detectors::Severity::kMedium;
    a.principal = "arn:aws:iam::123456789012:user/alice";
    a.sourceIp = "2001:db8:77::5";
    a.bucket = "finance";
    a.object = "";
    a.operation = schemas::OpClass::kList;
    a.rawOperation = "REST.GET.BUCKET";
    a.dedupKey = "2001:db8:77::/64";
    a.summary = "alice listed s3://finance from 2001:db8:77::5, an address never seen for it.";
    a.evidenceJson =
        R"({"observed_address":"2001:db8:77::/64","known_addresses":2,"most_used_known_addresses":[{"address":"192.0.2.0/24","requests":812,"last_seen":"2026-11-01T23:59:00.000000Z"}],"principal_first_seen":"2026-10-01T00:00:00.000000Z","history_seconds":2678400,"learning_period_seconds":86400,"granularity_prefix":64})";
  } else {
    a.severity = detectors::Severity::kCritical;  // not raised by the detector; covers the enum
    a.principal = "arn:aws:sts::123456789012:assumed-role/ci";
    a.sourceIp = "";  // no address
    a.bucket = "";    // no bucket: the label and the resource are omitted
    a.object = "";
    a.dedupKey = "backups";
    a.summary = "ci read 4000 objects (12.0 GiB) in the 15-minute window.";
    a.evidenceJson =
        R"({"window_start":"2026-11-02T00:00:00.000000Z","window_seconds":900,"objects":4000,"bytes":12884901888,"objects_threshold":250.5,"bytes_threshold":1073741824,"baseline":{"windows":12,"objects_mean":40.25,"objects_stddev":10.5,"bytes_mean":1.5e8,"bytes_stddev":2.5e7,"k_sigma":3},"min_objects":100,"min_bytes":104857600})";
  }
  if (n % 2 == 1) {
    a.foldedBefore = 3;
    a.previousAlertUs = timeUs - 3600LL * 1'000'000;
  }
  return a;
}

std::string alertJson(const detectors::Alert& a) {
  std::string out;
  detectors::writeAlertJson(a, out);
  return out;
}

std::string alertJson(const std::string& detector, int n, int64_t timeUs = 0) {
  return alertJson(makeAlert(detector, n, timeUs == 0 ? nowUs() : timeUs));
}

SinkConfig webhookConfig(const std::string& url, const std::string& secretFile) {
  SinkConfig c;
  c.name = "soc";
  c.type = "webhook";
  c.url = url;
  c.secretFile = secretFile;
  c.timeoutMs = 5000;
  return c;
}

// blobwatch-test-receiver running on a free port; stopped with SIGTERM by the destructor.
class Receiver {
 public:
  explicit Receiver(const TempDir& dir, const std::string& secret = kSecret,
                    std::vector<std::string> extra = {})
      : secretFile_(dir.file("receiver-secret")),
        log_(dir.file("receiver-" + std::to_string(++count_) + ".log")),
        downFile_(dir.file("down")),
        rejectFile_(dir.file("reject")) {
    writeFile(secretFile_, secret + "\n");
    std::vector<std::string> args = {
        BLOBWATCH_TEST_RECEIVER, "--secret-file", secretFile_,     "--log",    log_,
        "--down-file",           downFile_,       "--reject-file", rejectFile_};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string out = log_ + ".out";
    child_ = std::make_unique<Child>(args, out, log_ + ".err");
    eventually([&] { return !lines(slurp(out)).empty(); }, 10000);
    const auto l = lines(slurp(out));
    port_ = l.empty() ? 0 : std::atoi(l[0].c_str());
  }
  ~Receiver() {
    child_->signal(SIGTERM);
    EXPECT_EQ(child_->wait(5000), 0) << "the receiver did not stop cleanly on SIGTERM";
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/alerts"; }
  const std::string& downFile() const { return downFile_; }
  const std::string& rejectFile() const { return rejectFile_; }
  std::vector<std::string> requests() const { return lines(slurp(log_)); }

 private:
  static inline int count_ = 0;
  std::string secretFile_, log_, downFile_, rejectFile_;
  std::unique_ptr<Child> child_;
  int port_ = 0;
};

// Both take a lookup result, so that an absent key reads as empty / "<absent>" instead of throwing.
std::vector<std::string> stringArray(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return out;
  for (auto v : arr) {
    std::string_view s;
    if (v.get(s) == simdjson::SUCCESS) out.emplace_back(s);
  }
  return out;
}

std::string str(simdjson::simdjson_result<simdjson::dom::element> e, const char* key) {
  std::string_view s;
  return e[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string("<absent>");
}

std::string str(simdjson::dom::element e, const char* key) {
  return str(simdjson::simdjson_result<simdjson::dom::element>(std::move(e)), key);
}

void expectNoSecret(const DeliveryResult& r, const std::string& secret = kSecret) {
  EXPECT_EQ(r.message.find(secret), std::string::npos) << r.message;
}

class WebhookSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { writeFile(secretFile_, std::string(kSecret) + "\n"); }
  std::unique_ptr<daemon::AlertSink> make(const SinkConfig& c) {
    std::string error;
    auto sink = daemon::makeSink(c, stdout, error);
    EXPECT_NE(sink, nullptr) << error;
    return sink;
  }
  TempDir dir_;
  std::string secretFile_ = dir_.file("webhook-secret");
};

TEST(WebhookSignatureTest, IsLowercaseHexHmacSha256OfTimestampDotBody) {
  // python3: hmac.new(b"Jefe", b'1700000000.{"id":"x"}', hashlib.sha256).hexdigest()
  EXPECT_EQ(daemon::webhookSignature("Jefe", "1700000000", R"({"id":"x"})"),
            "83aaec65374de010f05f69354cbddd8bb459ab71908c7579dd27ff250b557358");
}

TEST_F(WebhookSinkTest, DeliversOneSignedAlertThatTheReceiverVerifies) {
  Receiver receiver(dir_);
  ASSERT_GT(receiver.port(), 0);
  auto sink = make(webhookConfig(receiver.url(), secretFile_));
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->name(), "soc");
  EXPECT_EQ(sink->maxBatch(), 1u);
  const std::string alert = alertJson("anonymous_read", 1);
  const std::string alert2 = alertJson("unknown_ip", 2);
  DeliveryResult r = sink->deliver({alert});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.message;
  EXPECT_EQ(r.httpStatus, 200);
  r = sink->deliver({alert2});  // the same (kept-alive) handle again
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.message;

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  simdjson::dom::parser parser, alertParser;
  simdjson::dom::element entry = parser.parse(requests[0]);
  simdjson::dom::element sent = alertParser.parse(alert);
  EXPECT_EQ(entry["signature_ok"].get_bool().value(), true) << requests[0];
  EXPECT_EQ(stringArray(entry["ids"]), std::vector<std::string>{str(sent, "id")});
  EXPECT_EQ(str(entry, "idempotency_key"), str(sent, "id"));
  // The body is the alert itself (batch = 1), not an array.
  EXPECT_EQ(str(entry["body"], "id"), str(sent, "id"));
  EXPECT_EQ(str(entry["body"], "object"), "reports/q3 \"final\".pdf");
  // Checked on this side too: the signature is v1=HMAC(secret, timestamp "." exact body).
  const std::string ts = str(entry, "timestamp");
  EXPECT_LE(std::abs(std::atoll(ts.c_str()) - nowUs() / 1'000'000), 60);
  EXPECT_EQ(str(entry, "signature"), "v1=" + daemon::webhookSignature(kSecret, ts, alert));
  simdjson::dom::element second = parser.parse(requests[1]);
  EXPECT_EQ(str(second, "signature"),
            "v1=" + daemon::webhookSignature(kSecret, str(second, "timestamp"), alert2));
}

TEST_F(WebhookSinkTest, BatchOfThreeIsOneSignedJsonArray) {
  Receiver receiver(dir_);
  SinkConfig c = webhookConfig(receiver.url(), secretFile_);
  c.batch = 3;
  auto sink = make(c);
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->maxBatch(), 3u);
  const std::vector<std::string> alerts = {
      alertJson("anonymous_read", 1), alertJson("unknown_ip", 2), alertJson("bulk_download", 3)};
  std::vector<std::string> ids;
  simdjson::dom::parser p;
  for (const auto& a : alerts) ids.push_back(str(p.parse(a), "id"));

  const DeliveryResult r = sink->deliver(alerts);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.message;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << "three alerts, one request";
  simdjson::dom::element entry = p.parse(requests[0]);
  EXPECT_TRUE(entry["signature_ok"].get_bool().value());
  EXPECT_EQ(stringArray(entry["ids"]), ids);
  EXPECT_EQ(str(entry, "idempotency_key"), ids[0] + "," + ids[1] + "," + ids[2]);
  simdjson::dom::array body;
  ASSERT_EQ(entry["body"].get(body), simdjson::SUCCESS) << "a JSON array";
  ASSERT_EQ(body.size(), 3u);
  size_t i = 0;
  for (auto a : body) EXPECT_EQ(str(a, "id"), ids[i++]);
  EXPECT_EQ(
      str(entry, "signature"),
      "v1=" + daemon::webhookSignature(kSecret, str(entry, "timestamp"),
                                       "[" + alerts[0] + "," + alerts[1] + "," + alerts[2] + "]"));
}

TEST_F(WebhookSinkTest, OcsfFormatSendsDetectionFindings) {
  Receiver receiver(dir_);
  SinkConfig c = webhookConfig(receiver.url(), secretFile_);
  c.format = "ocsf";
  auto sink = make(c);
  ASSERT_NE(sink, nullptr);
  const std::string alert = alertJson("bulk_download", 4);
  EXPECT_EQ(sink->deliver({alert}).outcome, DeliveryOutcome::kDelivered);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  simdjson::dom::parser p, q;
  simdjson::dom::element entry = p.parse(requests[0]);
  EXPECT_TRUE(entry["signature_ok"].get_bool().value());
  EXPECT_EQ(entry["body"]["class_uid"].get_int64().value(), 2004);
  EXPECT_EQ(str(entry["body"]["finding_info"], "uid"), str(q.parse(alert), "id"));
  EXPECT_EQ(stringArray(entry["ids"]), std::vector<std::string>{str(q.parse(alert), "id")});
}

TEST_F(WebhookSinkTest, ReceiverDownIsRetryRejectIsRejectAndRecoveryDelivers) {
  Receiver receiver(dir_);
  auto sink = make(webhookConfig(receiver.url(), secretFile_));
  ASSERT_NE(sink, nullptr);
  const std::string alert = alertJson("anonymous_read", 5);

  writeFile(receiver.downFile(), "");
  DeliveryResult r = sink->deliver({alert});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.httpStatus, 503);
  EXPECT_NE(r.message.find("503"), std::string::npos) << r.message;
  expectNoSecret(r);
  std::filesystem::remove(receiver.downFile());

  writeFile(receiver.rejectFile(), "");
  r = sink->deliver({alert});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kReject);
  EXPECT_EQ(r.httpStatus, 400);
  EXPECT_NE(r.message.find("400"), std::string::npos) << r.message;
  expectNoSecret(r);
  std::filesystem::remove(receiver.rejectFile());

  r = sink->deliver({alert});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.message;
  EXPECT_EQ(receiver.requests().size(), 3u);
}

TEST_F(WebhookSinkTest, NonAlertsAreRejectedWithoutARequest) {
  Receiver receiver(dir_);
  auto sink = make(webhookConfig(receiver.url(), secretFile_));
  ASSERT_NE(sink, nullptr);
  // Not JSON; no id; an id that would inject a header.
  for (const std::string bad :
       {"not json", R"({"detector":"unknown_ip"})", "{\"id\":\"abc\\r\\nX-Evil: 1\"}"}) {
    const DeliveryResult r = sink->deliver({bad});
    EXPECT_EQ(r.outcome, DeliveryOutcome::kReject) << bad;
    EXPECT_NE(r.message.find("not an alert"), std::string::npos) << r.message;
  }
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(WebhookSinkTest, StatusCodesMapToOutcomes) {
  const std::map<int, DeliveryOutcome> expected = {
      {202, DeliveryOutcome::kDelivered}, {408, DeliveryOutcome::kRetry},
      {429, DeliveryOutcome::kRetry},     {500, DeliveryOutcome::kRetry},
      {502, DeliveryOutcome::kRetry},     {404, DeliveryOutcome::kReject},
      {413, DeliveryOutcome::kReject}};
  for (const auto& [status, outcome] : expected) {
    Receiver receiver(dir_, kSecret, {"--status", std::to_string(status)});
    auto sink = make(webhookConfig(receiver.url(), secretFile_));
    ASSERT_NE(sink, nullptr);
    const DeliveryResult r = sink->deliver({alertJson("unknown_ip", 6)});
    EXPECT_EQ(r.outcome, outcome) << "HTTP " << status << ": " << r.message;
    EXPECT_EQ(r.httpStatus, status);
    expectNoSecret(r);
  }
}

TEST_F(WebhookSinkTest, NothingListeningIsRetry) {
  const RefusingPort refusing;
  ASSERT_TRUE(refusing.ok());
  auto sink = make(webhookConfig("http://127.0.0.1:" + std::to_string(refusing.port()) + "/alerts",
                                 secretFile_));
  ASSERT_NE(sink, nullptr);
  const DeliveryResult r = sink->deliver({alertJson("anonymous_read", 7)});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.httpStatus, 0);
  EXPECT_NE(r.message.find("soc"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("onnect"), std::string::npos) << r.message;
  expectNoSecret(r);
}

TEST_F(WebhookSinkTest, SilentPeerIsRetryAfterTheTimeout) {
  // Accepts connections (the kernel's backlog) but never answers.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  SinkConfig c =
      webhookConfig("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", secretFile_);
  c.timeoutMs = 300;
  auto sink = make(c);
  ASSERT_NE(sink, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const DeliveryResult r = sink->deliver({alertJson("anonymous_read", 8)});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.httpStatus, 0);
  EXPECT_NE(r.message.find("imeout"), std::string::npos) << r.message;
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(WebhookSinkTest, WrongSecretIsFlaggedByTheReceiver) {
  Receiver receiver(dir_, "the-receivers-real-secret");
  auto sink = make(webhookConfig(receiver.url(), secretFile_));
  ASSERT_NE(sink, nullptr);
  const DeliveryResult r = sink->deliver({alertJson("anonymous_read", 9)});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kReject) << r.message;
  EXPECT_EQ(r.httpStatus, 401);
  expectNoSecret(r);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  simdjson::dom::parser p;
  EXPECT_FALSE(p.parse(requests[0])["signature_ok"].get_bool().value()) << requests[0];
}

TEST_F(WebhookSinkTest, SecretEchoedByThePeerNeverReachesTheMessage) {
  // A peer that answers 400 with the secret in its body (as a careless receiver's debug output
  // might): the sink's message quotes the body, with the secret redacted.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread peer([fd] {
    const int c = ::accept(fd, nullptr, nullptr);
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    const std::string body = std::string("bad signature; expected secret ") + kSecret;
    const std::string response =
        "HTTP/1.1 400 Bad Request\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    (void)!::send(c, response.data(), response.size(), MSG_NOSIGNAL);
    ::close(c);
  });
  auto sink = make(
      webhookConfig("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", secretFile_));
  ASSERT_NE(sink, nullptr);
  const DeliveryResult r = sink->deliver({alertJson("anonymous_read", 10)});
  peer.join();
  ::close(fd);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kReject);
  EXPECT_NE(r.message.find("bad signature"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("[redacted]"), std::string::npos) << r.message;
  expectNoSecret(r);
}

TEST(SinkFactoryTest, WebhookWithoutSecretIsRefusedAtStartup) {
  SinkConfig c = webhookConfig("https://soc.example.com/hook", "");
  std::string error;
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.secret_file"), std::string::npos) << error;
  EXPECT_NE(error.find("sink.soc.secret_env"), std::string::npos) << error;
}

TEST(SinkFactoryTest, SecretSourcesAndTheirErrors) {
  TempDir dir;
  std::string error;
  // An unreadable file: named, with the key.
  SinkConfig c = webhookConfig("https://soc.example.com/hook", dir.file("missing"));
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.secret_file"), std::string::npos) << error;
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
  // An empty file is no secret.
  writeFile(dir.file("empty"), "\n");
  c.secretFile = dir.file("empty");
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  // An unset variable.
  c.secretFile.clear();
  c.secretEnv = "BLOBWATCH_TEST_UNSET_SECRET";
  ::unsetenv("BLOBWATCH_TEST_UNSET_SECRET");
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.secret_env"), std::string::npos) << error;
  EXPECT_NE(error.find("BLOBWATCH_TEST_UNSET_SECRET"), std::string::npos) << error;
  // A set variable works, and its value never shows in an error.
  ::setenv("BLOBWATCH_TEST_SECRET", kSecret, 1);
  c.secretEnv = "BLOBWATCH_TEST_SECRET";
  EXPECT_NE(daemon::makeSink(c, stdout, error), nullptr) << error;
  c.url = "ftp://soc.example.com/";
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.url"), std::string::npos) << error;
  EXPECT_EQ(error.find(kSecret), std::string::npos) << error;
  c.url = "";
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.url"), std::string::npos) << error;
  ::unsetenv("BLOBWATCH_TEST_SECRET");
}

TEST(SinkFactoryTest, RelativeSecretFileIsASystemdCredential) {
  TempDir dir, creds;
  writeFile(creds.file("webhook-secret"), std::string(kSecret) + "\n");
  Receiver receiver(dir);
  ::setenv("CREDENTIALS_DIRECTORY", creds.path().c_str(), 1);
  std::string error;
  auto sink = daemon::makeSink(webhookConfig(receiver.url(), "webhook-secret"), stdout, error);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_NE(sink, nullptr) << error;
  EXPECT_EQ(sink->deliver({alertJson("anonymous_read", 11)}).outcome, DeliveryOutcome::kDelivered);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  simdjson::dom::parser p;
  EXPECT_TRUE(p.parse(requests[0])["signature_ok"].get_bool().value())
      << "the trailing newline of the credential is not part of the secret";
}

TEST(SinkFactoryTest, MissingCaFileIsRefusedAtStartup) {
  TempDir dir;
  writeFile(dir.file("secret"), kSecret);
  SinkConfig c = webhookConfig("https://soc.example.com/hook", dir.file("secret"));
  c.caFile = dir.file("no-such-ca.pem");
  std::string error;
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.ca_file"), std::string::npos) << error;
  EXPECT_NE(error.find("no-such-ca.pem"), std::string::npos) << error;
  c.type = "alertmanager";
  c.url = "https://alertmanager.example.com:9093";
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.soc.ca_file"), std::string::npos) << error;
}

// TLS against `openssl s_server` with a fresh self-signed certificate for 127.0.0.1: verified by
// default (an untrusted certificate is a retry, never a delivery), trusted through ca_file.
TEST_F(WebhookSinkTest, TlsVerifiesTheServerCertificate) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "/usr/bin/openssl is absent";
  const std::string key = dir_.file("key.pem"), cert = dir_.file("cert.pem");
  const auto gen = testing::runProcess({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec",
                                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                                        key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                        "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(gen.exitCode, 0) << gen.err;
  const int port = freePort();
  Child server({"/usr/bin/openssl", "s_server", "-quiet", "-accept",
                "127.0.0.1:" + std::to_string(port), "-cert", cert, "-key", key, "-www"},
               dir_.file("s_server.out"), dir_.file("s_server.err"));
  ASSERT_TRUE(eventually(
      [&] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(port));
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
        ::close(fd);
        return ok;
      },
      10000));
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/";

  SinkConfig c = webhookConfig(url, secretFile_);
  c.timeoutMs = 1000;
  auto untrusted = make(c);
  ASSERT_NE(untrusted, nullptr);
  DeliveryResult r = untrusted->deliver({alertJson("anonymous_read", 12)});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.httpStatus, 0);
  EXPECT_NE(r.message.find("certificate"), std::string::npos) << r.message;

  c.caFile = cert;
  auto trusted = make(c);
  ASSERT_NE(trusted, nullptr);
  r = trusted->deliver({alertJson("anonymous_read", 12)});
  // The handshake succeeds; s_server -www serves GET only and never answers a POST, so what is
  // left is the request timeout (a retry), not a certificate error.
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_NE(r.message.find("imeout"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("certificate"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("SSL"), std::string::npos) << r.message;
  server.signal(SIGTERM);
}

// ---------------------------------------------------------------------------------------------
// Alertmanager: the real one, from Debian's prometheus-alertmanager.

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET with libcurl; returns the HTTP status (0 on a transport error).
long httpGet(const std::string& url, std::string& body) {
  body.clear();
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  return status;
}

class AlertmanagerSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kAlertmanager, X_OK) != 0) {
      GTEST_SKIP() << kAlertmanager
                   << " is absent: install Debian's prometheus-alertmanager "
                      "(scripts/install-deps.sh) to run the Alertmanager tests";
    }
    writeFile(dir_.file("alertmanager.yml"),
              "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
    std::filesystem::create_directories(dir_.file("data"));
    for (int attempt = 0; attempt < 3 && !ready_; ++attempt) {
      port_ = freePort();
      base_ = "http://127.0.0.1:" + std::to_string(port_);
      am_ = std::make_unique<Child>(
          std::vector<std::string>{kAlertmanager, "--config.file=" + dir_.file("alertmanager.yml"),
                                   "--storage.path=" + dir_.file("data"),
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                   "--cluster.listen-address="},
          dir_.file("am.out"), dir_.file("am.err"));
      std::string body;
      ready_ = eventually([&] { return httpGet(base_ + "/-/ready", body) == 200; }, 15000);
      if (!ready_) am_.reset();
    }
    ASSERT_TRUE(ready_) << "Alertmanager did not become ready: " << slurp(dir_.file("am.err"));
  }
  void TearDown() override {
    if (am_ != nullptr) {
      am_->signal(SIGTERM);
      am_->wait(10000);
    }
  }

  TempDir dir_;
  int port_ = 0;
  std::string base_;
  bool ready_ = false;
  std::unique_ptr<Child> am_;
};

TEST_F(AlertmanagerSinkTest, TwoAlertsArriveWithLabelsAndAnnotations) {
  SinkConfig c;
  c.name = "am";
  c.type = "alertmanager";
  c.url = base_ + "/";
  std::string error;
  auto sink = daemon::makeSink(c, stdout, error);
  ASSERT_NE(sink, nullptr) << error;
  EXPECT_EQ(sink->maxBatch(), 64u);

  const int64_t now = nowUs();
  const detectors::Alert recent = makeAlert("anonymous_read", 1, now - 60LL * 1'000'000);
  // Read from logs two days late: still active in Alertmanager, not born resolved.
  const detectors::Alert late = makeAlert("bulk_download", 2, now - 48 * 3600LL * 1'000'000);
  const DeliveryResult r = sink->deliver({alertJson(recent), alertJson(late)});
  ASSERT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.message;
  EXPECT_EQ(r.httpStatus, 200);

  std::string body;
  ASSERT_EQ(httpGet(base_ + "/api/v2/alerts", body), 200);
  simdjson::dom::parser p;
  simdjson::dom::array got;
  ASSERT_EQ(p.parse(body).get(got), simdjson::SUCCESS) << body;
  std::map<std::string, simdjson::dom::element> byId;
  for (auto a : got) byId[str(a["annotations"], "alert_id")] = a;
  ASSERT_EQ(byId.size(), 2u) << body;
  ASSERT_TRUE(byId.count(recent.id)) << body;
  ASSERT_TRUE(byId.count(late.id)) << body;

  simdjson::dom::element a = byId[recent.id];
  EXPECT_EQ(str(a["labels"], "alertname"), "blobwatch_anonymous_read");
  EXPECT_EQ(str(a["labels"], "detector"), "anonymous_read");
  EXPECT_EQ(str(a["labels"], "severity"), "high");
  EXPECT_EQ(str(a["labels"], "principal"), "anonymous");
  EXPECT_EQ(str(a["labels"], "bucket"), "public-bucket");
  EXPECT_EQ(str(a["labels"], "source"), "blobwatch");
  EXPECT_EQ(str(a["annotations"], "summary"), recent.summary);
  EXPECT_EQ(str(a["annotations"], "source_ip"), "198.51.100.20");
  EXPECT_EQ(str(a["annotations"], "object"), recent.object);
  simdjson::dom::parser ep;
  simdjson::dom::element evidence = ep.parse(str(a["annotations"], "evidence"));
  EXPECT_EQ(evidence["bytes_out"].get_int64().value(), 52311);
  EXPECT_EQ(str(a["status"], "state"), "active");
  int64_t startsUs = 0, endsUs = 0;
  ASSERT_TRUE(schemas::parseIso8601(str(a, "startsAt"), startsUs));
  EXPECT_EQ(startsUs / 1000, recent.timeUs / 1000);
  ASSERT_TRUE(schemas::parseIso8601(str(a, "endsAt"), endsUs));
  // time + dedup window, counted from the delivery when that is later.
  EXPECT_GE(endsUs, recent.timeUs + c.dedupWindowUs);
  EXPECT_LE(endsUs, nowUs() + c.dedupWindowUs);

  simdjson::dom::element b = byId[late.id];
  EXPECT_EQ(str(b["labels"], "alertname"), "blobwatch_bulk_download");
  EXPECT_EQ(str(b["labels"], "severity"), "critical");
  EXPECT_EQ(str(b["labels"], "bucket"), "<absent>") << "a null bucket is no label";
  EXPECT_EQ(str(b["annotations"], "source_ip"), "<absent>");
  EXPECT_EQ(str(b["status"], "state"), "active");
  ASSERT_TRUE(schemas::parseIso8601(str(b, "endsAt"), endsUs));
  EXPECT_GT(endsUs, now + c.dedupWindowUs - 60LL * 1'000'000);
  ASSERT_TRUE(schemas::parseIso8601(str(b, "startsAt"), startsUs));
  EXPECT_EQ(startsUs / 1000, late.timeUs / 1000);
}

TEST_F(AlertmanagerSinkTest, InvalidAlertIsRejectedAndStoppedAlertmanagerIsRetry) {
  SinkConfig c;
  c.name = "am";
  c.type = "alertmanager";
  c.url = base_;
  std::string error;
  auto sink = daemon::makeSink(c, stdout, error);
  ASSERT_NE(sink, nullptr) << error;
  // Not an alert: never sendable.
  const DeliveryResult bad = sink->deliver({"{\"no\":\"alert\"}"});
  EXPECT_EQ(bad.outcome, DeliveryOutcome::kReject) << bad.httpStatus << " " << bad.message;
  am_->signal(SIGTERM);
  ASSERT_EQ(am_->wait(10000), 0) << slurp(dir_.file("am.err"));
  am_.reset();
  // Keep the port refusing: a server another test starts meanwhile must not answer for it.
  const RefusingPort refusing(port_);
  if (!refusing.ok()) {
    GTEST_SKIP() << "port " << port_ << " was taken by another process once Alertmanager stopped";
  }
  const DeliveryResult r = sink->deliver({alertJson("unknown_ip", 3)});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.message;
  EXPECT_EQ(r.httpStatus, 0);
}

TEST(SinkFactoryTest, AlertmanagerNeedsAUrlAndNoOcsf) {
  SinkConfig c;
  c.name = "am";
  c.type = "alertmanager";
  std::string error;
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.am.url"), std::string::npos) << error;
  c.url = "http://127.0.0.1:9093";
  c.format = "ocsf";
  EXPECT_EQ(daemon::makeSink(c, stdout, error), nullptr);
  EXPECT_NE(error.find("sink.am.format"), std::string::npos) << error;
  c.format = "blobwatch";
  c.batch = 500;
  auto sink = daemon::makeSink(c, stdout, error);
  ASSERT_NE(sink, nullptr) << error;
  EXPECT_EQ(sink->maxBatch(), 500u);
}

// ---------------------------------------------------------------------------------------------
// OCSF. The JSON Schema check is tests/daemon/validate_ocsf.py (the ocsf_schema_validate test),
// which runs this test with BLOBWATCH_OCSF_OUT set and validates what it writes.

TEST(OcsfTest, EachDetectorMapsToADetectionFinding) {
  const int64_t t = 1'793'577'600LL * 1'000'000 + 123'456;  // 2026-11-02T00:00:00.123456Z
  const char* out = std::getenv("BLOBWATCH_OCSF_OUT");
  std::ofstream file;
  if (out != nullptr) file.open(out, std::ios::binary | std::ios::trunc);
  simdjson::dom::parser p;
  const std::map<std::string, int> severityIds = {
      {"anonymous_read", 4}, {"unknown_ip", 3}, {"bulk_download", 5}};
  for (const std::string detector : {"anonymous_read", "unknown_ip", "bulk_download"}) {
    for (int n = 1; n <= 2; ++n) {
      const detectors::Alert a = makeAlert(detector, n, t);
      const std::string ocsf = daemon::toOcsf(alertJson(a));
      ASSERT_FALSE(ocsf.empty()) << detector;
      if (file.is_open()) file << ocsf << '\n';
      simdjson::dom::element f;
      ASSERT_EQ(p.parse(ocsf).get(f), simdjson::SUCCESS) << ocsf;
      EXPECT_EQ(f["class_uid"].get_int64().value(), 2004);
      EXPECT_EQ(f["category_uid"].get_int64().value(), 2);
      EXPECT_EQ(f["activity_id"].get_int64().value(), 1);
      EXPECT_EQ(f["type_uid"].get_int64().value(), 200401);
      EXPECT_EQ(f["status_id"].get_int64().value(), 1);
      EXPECT_EQ(f["time"].get_int64().value(), t / 1000);
      EXPECT_EQ(f["severity_id"].get_int64().value(), severityIds.at(detector));
      EXPECT_EQ(str(f, "message"), a.summary);
      EXPECT_EQ(str(f["metadata"], "version"), "1.1.0");
      EXPECT_EQ(str(f["metadata"], "uid"), a.id);
      EXPECT_EQ(str(f["metadata"]["product"], "name"), "blobwatch");
      EXPECT_EQ(str(f["finding_info"], "uid"), a.id);
      EXPECT_EQ(str(f["finding_info"], "title"), detector);
      EXPECT_EQ(str(f["finding_info"], "desc"), a.summary);
      EXPECT_EQ(stringArray(f["finding_info"]["types"]), std::vector<std::string>{detector});
      EXPECT_EQ(str(f["actor"]["user"], "name"), a.principal);
      EXPECT_EQ(str(f["src_endpoint"], "ip"), a.sourceIp.empty() ? "<absent>" : a.sourceIp);
      EXPECT_EQ(str(f["cloud"], "provider"), "AWS");
      // The evidence object, as is.
      simdjson::dom::parser ep;
      EXPECT_EQ(simdjson::minify(f["evidences"].at(0)["data"]),
                simdjson::minify(ep.parse(a.evidenceJson)));
      EXPECT_EQ(stringArray(f["unmapped"]["request_ids"]), a.requestIds);
      EXPECT_EQ(str(f["unmapped"], "raw_operation"), a.rawOperation);
      EXPECT_EQ(str(f["unmapped"]["dedup"], "key"), a.dedupKey);
      simdjson::dom::array resources;
      if (a.bucket.empty()) {
        EXPECT_NE(f["resources"].get(resources), simdjson::SUCCESS);
      } else {
        ASSERT_EQ(f["resources"].get(resources), simdjson::SUCCESS);
        EXPECT_EQ(str(resources.at(0), "type"), "bucket");
        EXPECT_EQ(str(resources.at(0), "name"), a.bucket);
        if (!a.object.empty()) {
          EXPECT_EQ(str(resources.at(1), "type"), "object");
          EXPECT_EQ(str(resources.at(1), "name"), a.object);
        } else {
          EXPECT_EQ(resources.size(), 1u);
        }
      }
    }
  }
}

TEST(OcsfTest, SameAlertSameFindingAndNonAlertsGiveNothing) {
  const std::string alert = alertJson("unknown_ip", 1, 1'793'577'600LL * 1'000'000);
  EXPECT_EQ(daemon::toOcsf(alert), daemon::toOcsf(alert)) << "deterministic for redelivery";
  EXPECT_EQ(daemon::toOcsf(""), "");
  EXPECT_EQ(daemon::toOcsf("not json"), "");
  EXPECT_EQ(daemon::toOcsf("[1,2]"), "");
  EXPECT_EQ(daemon::toOcsf(R"({"id":"x","detector":"unknown_ip","severity":"odd",)"
                           R"("time":"2026-11-02T00:00:00Z","summary":"s"})"),
            "");
}

TEST(OcsfTest, StdoutSinkWritesOcsfLines) {
  TempDir dir;
  SinkConfig c;
  c.name = "local";
  c.type = "file";
  c.format = "ocsf";
  c.path = dir.file("ocsf.ndjson");
  std::string error;
  auto sink = daemon::makeSink(c, stdout, error);
  ASSERT_NE(sink, nullptr) << error;
  ASSERT_EQ(sink->deliver({alertJson("anonymous_read", 1)}).outcome, DeliveryOutcome::kDelivered);
  sink.reset();
  const auto l = lines(slurp(c.path));
  ASSERT_EQ(l.size(), 1u);
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(l[0])["class_uid"].get_int64().value(), 2004);
}

}  // namespace
}  // namespace blobwatch
