// blobwatch-test-receiver: a small HTTP/1.1 server that receives webhook alerts the way a SOC's
// receiver would, and verifies their signature. Listens on 127.0.0.1, an ephemeral port printed
// on the first line of stdout; runs until SIGTERM or SIGINT.
//
//   blobwatch-test-receiver --secret-file FILE --log FILE [--status N] [--down-file FILE]
//                           [--reject-file FILE] [--max-age SECONDS]
//
// Every request (POST with a Content-Length body; keep-alive) appends one JSON line to --log:
//   {"ids":[...],"idempotency_key":"...","timestamp":"...","signature":"v1=...",
//    "signature_ok":true|false,"status":N,"received_ns":N,"body":<body>}
// ("received_ns": CLOCK_REALTIME in nanoseconds when the request had been read whole; "body" is
// the request body as is when it is JSON, else a string). The answer: 401 when the
// signature (X-Blobwatch-Signature: v1=<hex HMAC-SHA256(secret, timestamp "." body)>) does not
// verify or the timestamp is older than --max-age (300 s); else 503 while --down-file exists,
// 400 while --reject-file exists; else --status (200).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

struct Options {
  std::string secret;
  std::string logPath;
  int status = 200;
  std::string downFile;
  std::string rejectFile;
  long maxAge = 300;
};

std::mutex gLogMutex;

bool exists(const std::string& path) { return !path.empty() && ::access(path.c_str(), F_OK) == 0; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::string hmacHex(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xf]);
  }
  return out;
}

void jsonString(std::string& out, const std::string& s) {
  out.push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

bool sendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads more bytes into `buf`; false on EOF, error or stop.
bool readMore(int fd, std::string& buf) {
  while (gStop == 0) {
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, 200);
    if (r < 0 && errno != EINTR) return false;
    if (r <= 0) continue;
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }
  return false;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

void serve(int fd, const Options& opt) {
  std::string buf;
  while (gStop == 0) {
    size_t headerEnd;
    while ((headerEnd = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!readMore(fd, buf)) {
        ::close(fd);
        return;
      }
    }
    std::istringstream head(buf.substr(0, headerEnd));
    std::string line;
    std::getline(head, line);
    size_t contentLength = 0;
    bool close = false, expectContinue = false;
    std::string timestamp, signature, ids, idempotencyKey, contentType;
    while (std::getline(head, line)) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string value = trim(line.substr(colon + 1));
      if (name == "content-length") contentLength = std::strtoul(value.c_str(), nullptr, 10);
      if (name == "connection" && lower(value) == "close") close = true;
      if (name == "expect" && lower(value) == "100-continue") expectContinue = true;
      if (name == "x-blobwatch-timestamp") timestamp = value;
      if (name == "x-blobwatch-signature") signature = value;
      if (name == "x-blobwatch-alert-ids") ids = value;
      if (name == "idempotency-key") idempotencyKey = value;
      if (name == "content-type") contentType = lower(value);
    }
    buf.erase(0, headerEnd + 4);
    if (expectContinue && !sendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) break;
    while (buf.size() < contentLength) {
      if (!readMore(fd, buf)) {
        ::close(fd);
        return;
      }
    }
    timespec receivedAt{};
    ::clock_gettime(CLOCK_REALTIME, &receivedAt);
    const long long receivedNs =
        static_cast<long long>(receivedAt.tv_sec) * 1'000'000'000LL + receivedAt.tv_nsec;
    const std::string body = buf.substr(0, contentLength);
    buf.erase(0, contentLength);

    // What a receiver does: recompute the HMAC over timestamp "." body, compare in constant
    // time, and refuse stale timestamps (replays).
    bool signatureOk = false;
    if (signature.rfind("v1=", 0) == 0 && !timestamp.empty()) {
      const std::string expected = hmacHex(opt.secret, timestamp + "." + body);
      const std::string given = signature.substr(3);
      const long age = static_cast<long>(std::time(nullptr)) - std::atol(timestamp.c_str());
      signatureOk = given.size() == expected.size() &&
                    CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0 &&
                    age <= opt.maxAge && age >= -opt.maxAge;
    }
    int status = opt.status;
    if (!signatureOk) {
      status = 401;
    } else if (exists(opt.downFile)) {
      status = 503;
    } else if (exists(opt.rejectFile)) {
      status = 400;
    }

    std::string entry = "{\"ids\":[";
    for (size_t start = 0, n = 0; !ids.empty() && start <= ids.size(); ++n) {
      size_t comma = ids.find(',', start);
      if (comma == std::string::npos) comma = ids.size();
      if (n > 0) entry.push_back(',');
      jsonString(entry, ids.substr(start, comma - start));
      start = comma + 1;
    }
    entry += "],\"idempotency_key\":";
    jsonString(entry, idempotencyKey);
    entry += ",\"timestamp\":";
    jsonString(entry, timestamp);
    entry += ",\"signature\":";
    jsonString(entry, signature);
    entry += ",\"signature_ok\":";
    entry += signatureOk ? "true" : "false";
    entry += ",\"status\":" + std::to_string(status);
    entry += ",\"received_ns\":" + std::to_string(receivedNs) + ",\"body\":";
    const bool json = contentType.rfind("application/json", 0) == 0 && !body.empty() &&
                      (body.front() == '{' || body.front() == '[');
    if (json) {
      entry += body;
    } else {
      jsonString(entry, body);
    }
    entry += "}\n";
    {
      std::lock_guard<std::mutex> lock(gLogMutex);
      std::ofstream log(opt.logPath, std::ios::app | std::ios::binary);
      log << entry;
    }

    const std::string answer = "{\"status\":" + std::to_string(status) + "}";
    std::string response =
        "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(answer.size()) +
        "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + answer;
    if (!sendAll(fd, response) || close) break;
  }
  ::close(fd);
}

int usage() {
  std::fprintf(stderr,
               "usage: blobwatch-test-receiver --secret-file FILE --log FILE [--status N] "
               "[--down-file FILE] [--reject-file FILE] [--max-age SECONDS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::string secretFile;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string value = argv[++i];
    if (arg == "--secret-file") {
      secretFile = value;
    } else if (arg == "--log") {
      opt.logPath = value;
    } else if (arg == "--status") {
      opt.status = std::atoi(value.c_str());
    } else if (arg == "--down-file") {
      opt.downFile = value;
    } else if (arg == "--reject-file") {
      opt.rejectFile = value;
    } else if (arg == "--max-age") {
      opt.maxAge = std::atol(value.c_str());
    } else {
      return usage();
    }
  }
  if (secretFile.empty() || opt.logPath.empty()) return usage();
  {
    std::ifstream in(secretFile, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "blobwatch-test-receiver: cannot read %s\n", secretFile.c_str());
      return 1;
    }
    std::ostringstream os;
    os << in.rdbuf();
    opt.secret = os.str();
    while (!opt.secret.empty() && (opt.secret.back() == '\n' || opt.secret.back() == '\r')) {
      opt.secret.pop_back();
    }
  }

  struct sigaction sa {};
  sa.sa_handler = onSignal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);

  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener, 64) != 0) {
    std::fprintf(stderr, "blobwatch-test-receiver: cannot listen: %s\n", std::strerror(errno));
    return 1;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);

  std::vector<std::thread> threads;
  while (gStop == 0) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    threads.emplace_back(serve, fd, std::cref(opt));
  }
  ::close(listener);
  for (auto& t : threads) t.join();
  return 0;
}
