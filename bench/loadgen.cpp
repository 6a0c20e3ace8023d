// blobwatch-loadgen: appends S3 server access log lines to a file at a steady rate, for the
// event-to-webhook latency benchmark (bench/latency.sh).
//
//   blobwatch-loadgen --rate EVENTS_PER_S --seconds N --alert-every K --out LOGFILE
//                     --marks MARKSFILE [--principals P] [--tick-ms T] [--seed S]
//
// Every T ms (5) it appends the lines that are due (rate x elapsed time) to LOGFILE in one write
// and flushes. The lines are 26-field S3 server access log lines of a container registry's
// traffic by P (50) authenticated principals (IAM users and assumed roles), each always from its
// own address, so they raise nothing (their addresses are learned, their reads stay far below
// bulk_download's floors). Every K-th line instead is an anonymous successful GET object of a
// bucket never used before, with a unique request id (LG + 14 digits): each raises exactly one
// anonymous_read alert, never folded into another. These reads are small (0.5 to 8.5 KB), so
// that the anonymous principal itself stays below bulk_download's 100 MiB per 15 minutes for
// runs of up to about 20,000 alert lines. For each such line MARKSFILE gets
// "REQUESTID WRITE_TIME_NS", CLOCK_REALTIME nanoseconds taken right after the write and flush of
// its batch. Event times are the wall clock at the time the line is written.
//
// At the end it prints one line to stdout:
//   lines=N alert_lines=M bytes=B seconds=S rate=R max_lag_ms=L
// where S is the time from the start to the last write, R = N / S, and L the most the writer
// woke up late for a tick.

#include <time.h>

#include <array>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

// xoshiro256** seeded through splitmix64 (as blobwatch-gen).
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) s = splitmix(seed);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::array<uint64_t, 4> s_{};
};

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr const char* kBuckets[] = {"harbor-registry-prod", "harbor-registry-staging",
                                    "ci-artifacts-eu"};
constexpr const char* kAccounts[] = {"111122223333", "444455556666", "777788889999"};
constexpr const char* kUserAgents[] = {
    "docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1.0-13-amd64 os/linux arch/amd64",
    "containerd/1.7.13",
    "Harbor-Registry/2.10.0 aws-sdk-go/1.44.302 (go1.21.6; linux; amd64)",
    "aws-cli/2.15.17 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.6 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 "
    "md/prompt#off md/command#s3.cp",
};
constexpr const char* kNames[] = {"ci",    "harbor", "release", "backup", "deploy",
                                  "alice", "bob",    "carol",   "dave",   "erin"};

void appendHex(std::string& out, Rng& rng, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(kHexDigits[rng.below(16)]);
}

void appendFrom(std::string& out, Rng& rng, std::string_view alphabet, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(alphabet[rng.below(alphabet.size())]);
}

void appendUint(std::string& out, uint64_t v) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof(buf), "%" PRIu64, v);
  out.append(buf, static_cast<size_t>(n));
}

int64_t nowNs(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
}

// `[dd/Mon/yyyy:HH:MM:SS +0000]` for a Unix time in seconds.
void appendClfTime(std::string& out, time_t t) {
  tm parts{};
  ::gmtime_r(&t, &parts);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof(buf), "[%d/%b/%Y:%H:%M:%S +0000]", &parts);
  out.append(buf, n);
}

struct Principal {
  std::string arn;
  std::string ip;
  int bucket = 0;
};

std::vector<Principal> makePrincipals(int n, Rng& rng) {
  std::vector<Principal> out;
  for (int i = 0; i < n; ++i) {
    Principal p;
    const char* account = kAccounts[i % 3];
    const std::string name = std::string(kNames[i % 10]) + "-" + std::to_string(i);
    if (i % 3 == 2) {
      // A role keeps one session name (the host it runs on) for the whole run.
      p.arn = std::string("arn:aws:sts::") + account + ":assumed-role/registry-node-" +
              std::to_string(i) + "/i-0" + std::to_string(100000000 + i * 7919);
    } else {
      p.arn = std::string("arn:aws:iam::") + account + ":user/" + name;
    }
    p.ip = "10." + std::to_string(20 + i % 4) + "." + std::to_string(rng.below(256)) + "." +
           std::to_string(1 + rng.below(254));
    p.bucket = static_cast<int>(rng.below(3));
    out.push_back(std::move(p));
  }
  return out;
}

struct Line {
  const char* op = "REST.GET.OBJECT";
  const char* method = "GET";
  std::string key;
  std::string uri;
  int status = 200;
  const char* error = nullptr;
  uint64_t sent = 0;
  uint64_t size = 0;
};

// One authenticated request of the registry: HEAD and GET of blobs and manifests, layer links,
// uploads, listings and a few 404s. Reads send small objects (manifests, links), so no principal
// nears bulk_download's 100 MiB floor.
void fillAuthenticated(Line& l, const char* bucket, Rng& rng) {
  std::string digest;
  appendHex(digest, rng, 64);
  const std::string repo = std::string("library/app-") + std::to_string(rng.below(40));
  const double r = rng.unit();
  if (r < 0.35) {
    l.op = "REST.HEAD.OBJECT";
    l.method = "HEAD";
    l.key = "docker/registry/v2/blobs/sha256/" + digest.substr(0, 2) + "/" + digest + "/data";
    l.size = 2'000'000 + rng.below(60'000'000);
  } else if (r < 0.65) {
    l.key = "docker/registry/v2/repositories/" + repo + "/_manifests/revisions/sha256/" + digest +
            "/link";
    l.sent = l.size = 71;
  } else if (r < 0.80) {
    l.key = "docker/registry/v2/blobs/sha256/" + digest.substr(0, 2) + "/" + digest + "/data";
    l.sent = l.size = 1'000 + rng.below(7'000);  // a manifest
  } else if (r < 0.88) {
    l.op = "REST.PUT.OBJECT";
    l.method = "PUT";
    l.key = "docker/registry/v2/repositories/" + repo + "/_uploads/" + digest.substr(0, 8) + "-" +
            digest.substr(8, 4) + "-" + digest.substr(12, 4) + "/data";
    l.size = 4'096 + rng.below(60'000);
  } else if (r < 0.95) {
    l.op = "REST.GET.BUCKET";
    l.uri = std::string("/") + bucket + "?list-type=2&prefix=docker%2Fregistry%2Fv2%2F" +
            "repositories%2F" + "library%2F&delimiter=%2F&encoding-type=url";
    l.sent = 400 + rng.below(4'000);
  } else {
    l.key = "docker/registry/v2/repositories/" + repo + "/_manifests/tags/v" +
            std::to_string(rng.below(30)) + "/current/link";
    l.status = 404;
    l.error = "NoSuchKey";
    l.sent = 300 + rng.below(40);
  }
  if (l.uri.empty()) l.uri = std::string("/") + bucket + "/" + l.key;
}

void writeLine(std::string& out, const std::string& owner, const char* bucket, time_t t,
               const std::string& ip, const std::string& requester, const std::string& requestId,
               const Line& l, const char* userAgent, Rng& rng) {
  const bool anonymous = requester == "-";
  out += owner;
  out += ' ';
  out += bucket;
  out += ' ';
  appendClfTime(out, t);
  out += ' ';
  out += ip;
  out += ' ';
  out += requester;
  out += ' ';
  out += requestId;
  out += ' ';
  out += l.op;
  out += ' ';
  out += l.key.empty() ? "-" : l.key;
  out += " \"";
  out += l.method;
  out += ' ';
  out += l.uri;
  out += " HTTP/1.1\" ";
  appendUint(out, static_cast<uint64_t>(l.status));
  out += ' ';
  out += l.error != nullptr ? l.error : "-";
  out += ' ';
  if (l.sent == 0) {
    out += '-';
  } else {
    appendUint(out, l.sent);
  }
  out += ' ';
  if (l.size == 0) {
    out += '-';
  } else {
    appendUint(out, l.size);
  }
  out += ' ';
  const uint64_t turnaround = 3 + rng.below(40);
  appendUint(out, turnaround + rng.below(20));
  out += ' ';
  appendUint(out, turnaround);
  out += " \"-\" \"";
  out += userAgent;
  out += "\" - ";
  appendFrom(out, rng, kBase64, 76);  // host id
  out += anonymous ? " - " : " SigV4 ";
  out += "ECDHE-RSA-AES128-GCM-SHA256 ";
  out += anonymous ? "- " : "AuthHeader ";
  out += bucket;
  out += ".s3.us-east-1.amazonaws.com TLSv1.2 - -\n";
}

int usage() {
  std::fprintf(stderr,
               "usage: blobwatch-loadgen --rate EVENTS_PER_S --seconds N --alert-every K "
               "--out LOGFILE --marks MARKSFILE [--principals P] [--tick-ms T] [--seed S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double rate = 0, seconds = 0;
  uint64_t alertEvery = 0, seed = 1;
  int principals = 50, tickMs = 5;
  std::string outPath, marksPath;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--rate") {
      rate = std::atof(value);
    } else if (arg == "--seconds") {
      seconds = std::atof(value);
    } else if (arg == "--alert-every") {
      alertEvery = std::strtoull(value, nullptr, 10);
    } else if (arg == "--out") {
      outPath = value;
    } else if (arg == "--marks") {
      marksPath = value;
    } else if (arg == "--principals") {
      principals = std::atoi(value);
    } else if (arg == "--tick-ms") {
      tickMs = std::atoi(value);
    } else if (arg == "--seed") {
      seed = std::strtoull(value, nullptr, 10);
    } else {
      return usage();
    }
  }
  if (rate <= 0 || seconds <= 0 || alertEvery == 0 || outPath.empty() || marksPath.empty() ||
      principals <= 0 || tickMs <= 0) {
    return usage();
  }

  std::FILE* out = std::fopen(outPath.c_str(), "ab");
  std::FILE* marks = std::fopen(marksPath.c_str(), "ab");
  if (out == nullptr || marks == nullptr) {
    std::fprintf(stderr, "blobwatch-loadgen: cannot open %s or %s: %s\n", outPath.c_str(),
                 marksPath.c_str(), std::strerror(errno));
    return 1;
  }
  // One write per batch: a batch is at most a few hundred KB.
  std::vector<char> outBuffer(8 << 20);
  std::setvbuf(out, outBuffer.data(), _IOFBF, outBuffer.size());

  Rng rng(seed);
  const std::vector<Principal> people = makePrincipals(principals, rng);
  std::string owners[3];
  for (auto& o : owners) appendHex(o, rng, 64);
  // A prefix per run, so that buckets stay new even when a log file is reused.
  const std::string runTag = std::to_string(nowNs(CLOCK_REALTIME) / 1'000'000'000LL % 1'000'000);

  const uint64_t total = static_cast<uint64_t>(rate * seconds + 0.5);
  uint64_t written = 0, alertLines = 0, bytes = 0;
  int64_t maxLagNs = 0;
  std::string batch;
  std::vector<std::string> batchIds;
  std::string requestId;
  const int64_t tickNs = static_cast<int64_t>(tickMs) * 1'000'000;
  const int64_t start = nowNs(CLOCK_MONOTONIC);
  int64_t lastWrite = start;
  for (int64_t tick = 0; written < total; ++tick) {
    const int64_t scheduled = start + tick * tickNs;
    timespec until{static_cast<time_t>(scheduled / 1'000'000'000LL),
                   static_cast<long>(scheduled % 1'000'000'000LL)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
    const int64_t now = nowNs(CLOCK_MONOTONIC);
    if (now - scheduled > maxLagNs) maxLagNs = now - scheduled;
    uint64_t due = static_cast<uint64_t>(rate * static_cast<double>(now - start) / 1e9);
    if (due > total) due = total;
    const time_t eventTime = static_cast<time_t>(nowNs(CLOCK_REALTIME) / 1'000'000'000LL);
    batch.clear();
    batchIds.clear();
    for (; written < due; ++written) {
      const uint64_t n = written + 1;
      Line l;
      requestId.clear();
      if (n % alertEvery == 0) {
        char id[24];
        std::snprintf(id, sizeof(id), "LG%014" PRIu64, alertLines);
        requestId = id;
        std::string digest;
        appendHex(digest, rng, 64);
        const std::string bucket = "bench-public-" + runTag + "-" + std::to_string(alertLines);
        // A small file (a few KB), so that the anonymous principal's reads (100 per second at
        // the benchmark's settings) stay below bulk_download's 100 MiB floor for 15 minutes.
        l.key = "assets/" + digest.substr(0, 12) + (rng.unit() < 0.5 ? ".png" : ".json");
        l.uri = "/" + bucket + "/" + l.key;
        l.sent = l.size = 500 + rng.below(8'000);
        const std::string ip = "198.51.100." + std::to_string(1 + rng.below(254));
        writeLine(batch, owners[0], bucket.c_str(), eventTime, ip, "-", requestId, l, "curl/7.88.1",
                  rng);
        batchIds.push_back(requestId);
        ++alertLines;
      } else {
        const Principal& p = people[rng.below(people.size())];
        const char* bucket = kBuckets[rng.unit() < 0.8 ? p.bucket : rng.below(3)];
        fillAuthenticated(l, bucket, rng);
        appendFrom(requestId, rng, kUpperAlnum, 16);
        writeLine(batch, owners[p.bucket], bucket, eventTime, p.ip, p.arn, requestId, l,
                  kUserAgents[rng.below(4)], rng);
      }
    }
    if (batch.empty()) continue;
    if (std::fwrite(batch.data(), 1, batch.size(), out) != batch.size() || std::fflush(out) != 0) {
      std::fprintf(stderr, "blobwatch-loadgen: cannot write %s: %s\n", outPath.c_str(),
                   std::strerror(errno));
      return 1;
    }
    const int64_t writtenAt = nowNs(CLOCK_REALTIME);
    lastWrite = nowNs(CLOCK_MONOTONIC);
    bytes += batch.size();
    for (const auto& id : batchIds) {
      std::fprintf(marks, "%s %" PRId64 "\n", id.c_str(), writtenAt);
    }
  }
  if (std::fclose(out) != 0 || std::fclose(marks) != 0) {
    std::fprintf(stderr, "blobwatch-loadgen: cannot close the output: %s\n", std::strerror(errno));
    return 1;
  }
  const double span = static_cast<double>(lastWrite - start) / 1e9;
  std::printf("lines=%" PRIu64 " alert_lines=%" PRIu64 " bytes=%" PRIu64
              " seconds=%.3f rate=%.1f max_lag_ms=%.1f\n",
              written, alertLines, bytes, span,
              span > 0 ? static_cast<double>(written) / span : 0.0,
              static_cast<double>(maxLagNs) / 1e6);
  return 0;
}
