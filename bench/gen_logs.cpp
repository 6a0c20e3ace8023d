// blobwatch-gen: deterministic generator of realistic object-storage access logs for the
// benchmark.
//
//   blobwatch-gen s3-access N PRINCIPALS OUT [SEED]   N S3 server access log lines (26 fields)
//   blobwatch-gen cloudtrail N PRINCIPALS OUT [SEED]  N CloudTrail S3 data events, one per line
//
// The traffic model is shared by both formats: a container registry (Harbor-style keys) in a few
// buckets, PRINCIPALS distinct IAM users and roles that mostly keep to their own one or two
// addresses, a few anonymous requests (mostly refused, some to a public bucket), and event times
// advancing in order over five days. The same arguments always give the same bytes.

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// PRNG: xoshiro256** seeded through splitmix64.
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
  // Uniform in [0, n).
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

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

// ---------------------------------------------------------------------------------------------
// Small text helpers appending to a string.

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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

void appendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof(buf), "%0*" PRIu64, width, v);
  out.append(buf, static_cast<size_t>(n));
}

void appendIpv4(std::string& out, uint32_t ip) {
  appendUint(out, ip >> 24);
  out.push_back('.');
  appendUint(out, (ip >> 16) & 255);
  out.push_back('.');
  appendUint(out, (ip >> 8) & 255);
  out.push_back('.');
  appendUint(out, ip & 255);
}

// UUID-looking text (version 4 layout).
void appendUuid(std::string& out, Rng& rng) {
  appendHex(out, rng, 8);
  out.push_back('-');
  appendHex(out, rng, 4);
  out.append("-4");
  appendHex(out, rng, 3);
  out.push_back('-');
  out.push_back("89ab"[rng.below(4)]);
  appendHex(out, rng, 3);
  out.push_back('-');
  appendHex(out, rng, 12);
}

// Civil date from days since 1970-01-01 (Howard Hinnant's civil_from_days).
struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil civilFromSeconds(int64_t t) {
  int64_t days = t / 86400;
  int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  Civil c{};
  c.year = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  c.month = m;
  c.day = d;
  c.hour = static_cast<unsigned>(rem / 3600);
  c.minute = static_cast<unsigned>(rem / 60 % 60);
  c.second = static_cast<unsigned>(rem % 60);
  return c;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// [dd/Mon/yyyy:HH:MM:SS +0000]
void appendClfTime(std::string& out, int64_t t) {
  const Civil c = civilFromSeconds(t);
  char buf[40];
  const int n = std::snprintf(buf, sizeof(buf), "[%02u/%s/%04" PRId64 ":%02u:%02u:%02u +0000]",
                              c.day, kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  out.append(buf, static_cast<size_t>(n));
}

// 2024-03-04T05:06:07Z
void appendIsoTime(std::string& out, int64_t t) {
  const Civil c = civilFromSeconds(t);
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", c.year,
                              c.month, c.day, c.hour, c.minute, c.second);
  out.append(buf, static_cast<size_t>(n));
}

// 20240304 (for SigV4 credential scopes)
void appendCompactDate(std::string& out, int64_t t) {
  const Civil c = civilFromSeconds(t);
  char buf[16];
  const int n = std::snprintf(buf, sizeof(buf), "%04" PRId64 "%02u%02u", c.year, c.month, c.day);
  out.append(buf, static_cast<size_t>(n));
}

void appendCompactDateTime(std::string& out, int64_t t) {
  const Civil c = civilFromSeconds(t);
  char buf[24];
  const int n = std::snprintf(buf, sizeof(buf), "%04" PRId64 "%02u%02uT%02u%02u%02uZ", c.year,
                              c.month, c.day, c.hour, c.minute, c.second);
  out.append(buf, static_cast<size_t>(n));
}

// Percent-encodes for a query-string value ('/' as %2F).
void appendQueryEncoded(std::string& out, std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[u >> 4]);
      out.push_back("0123456789ABCDEF"[u & 15]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The traffic model.

constexpr int64_t kStartTime = 1709510400;  // 2024-03-04T00:00:00Z
constexpr int64_t kSpanSeconds = 5 * 86400;

constexpr const char* kBuckets[] = {"harbor-registry-prod", "harbor-registry-staging",
                                    "harbor-registry-ci", "harbor-registry-dr",
                                    "public-assets-cdn"};
constexpr size_t kPublicBucket = 4;
constexpr const char* kRegion = "eu-west-1";

constexpr const char* kUserAgents[] = {
    "aws-sdk-go/1.44.327 (go1.20.10; linux; amd64)",
    "docker-distribution/v2.8.3 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
    "harbor-jobservice/v2.10.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off "
    "command/s3.cp",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 "
    "lang/python#3.11.8 Botocore/1.34.69",
    "aws-sdk-java/1.12.661 Linux/5.15.0-1053-aws OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS "
    "java/17.0.10",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.1",
    "rclone/v1.65.2",
};
constexpr const char* kBrowserAgent =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
    "Safari/537.36";
constexpr const char* kScannerAgents[] = {
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; Nimbostratus-Bot/v1.3.2; http://cloudsystemnetworks.com)",
};
constexpr const char* kRepos[] = {
    "platform/api-gateway", "platform/auth", "data/etl-runner",     "ml/trainer",
    "ml/inference",         "web/frontend",  "infra/node-exporter", "library/nginx",
    "library/postgres",     "ci/builder"};
constexpr const char* kRoleNames[] = {"harbor-core",  "ci-runner",   "eks-node",  "etl-batch",
                                      "backup-agent", "ml-training", "analytics", "deploy-bot"};
constexpr const char* kUserNames[] = {"alice", "bob",   "carol",  "dave",  "erin",    "frank",
                                      "grace", "heidi", "ivan",   "judy",  "mallory", "oscar",
                                      "peggy", "trent", "victor", "walter"};

struct Account {
  std::string id;         // 12 digits
  std::string canonical;  // 64 hex digits (bucket owner)
};

struct Principal {
  bool role = false;
  uint32_t account = 0;
  std::string name;                     // user name or role name
  std::string uniqueId;                 // AIDA... or AROA...
  std::string accessKey;                // AKIA... (users)
  std::array<uint32_t, 3> addresses{};  // home, then secondaries
  uint32_t nAddresses = 1;
  uint32_t userAgent = 0;
  uint32_t bucket = 0;  // the bucket it mostly uses
};

struct Model {
  std::vector<Account> accounts;
  std::vector<Principal> principals;
  std::vector<std::string> blobDigests;  // reused layer digests (64 hex)
  std::vector<std::string> bucketOwner;  // canonical id per bucket
};

// A public-looking IPv4 address (not 10/8, 127/8, 172.16/12, 192.168/16, multicast).
uint32_t randomPublicIpv4(Rng& rng) {
  for (;;) {
    const auto ip = static_cast<uint32_t>(rng.next() >> 32);
    const uint32_t a = ip >> 24;
    if (a == 0 || a == 10 || a == 127 || a >= 224) continue;
    if (a == 172 && ((ip >> 20) & 15) == 1) continue;
    if (a == 192 && ((ip >> 16) & 255) == 168) continue;
    return ip;
  }
}

Model buildModel(uint64_t nPrincipals, Rng& rng) {
  Model m;
  for (int i = 0; i < 6; ++i) {
    Account a;
    appendPadded(a.id, 100000000000ULL + rng.below(899999999999ULL), 12);
    appendHex(a.canonical, rng, 64);
    m.accounts.push_back(std::move(a));
  }
  for (size_t b = 0; b < std::size(kBuckets); ++b) m.bucketOwner.push_back(m.accounts[0].canonical);
  // Sites: principals share egress networks (NAT gateways, offices) by /24.
  std::vector<uint32_t> sites;
  for (int i = 0; i < 64; ++i) sites.push_back(randomPublicIpv4(rng) & 0xffffff00u);
  m.principals.reserve(nPrincipals);
  for (uint64_t i = 0; i < nPrincipals; ++i) {
    Principal p;
    p.role = rng.chance(0.45);
    p.account = rng.chance(0.8) ? 0 : static_cast<uint32_t>(1 + rng.below(m.accounts.size() - 1));
    if (p.role) {
      p.name = kRoleNames[rng.below(std::size(kRoleNames))];
      p.name += '-';
      appendUint(p.name, i);
      p.uniqueId = "AROA";
      appendFrom(p.uniqueId, rng, kUpperAlnum, 17);
    } else {
      p.name = kUserNames[rng.below(std::size(kUserNames))];
      p.name += '.';
      appendUint(p.name, i);
      p.uniqueId = "AIDA";
      appendFrom(p.uniqueId, rng, kUpperAlnum, 17);
      p.accessKey = "AKIA";
      appendFrom(p.accessKey, rng, kUpperAlnum, 16);
    }
    const uint32_t site = sites[rng.below(sites.size())];
    p.addresses[0] = site | static_cast<uint32_t>(1 + rng.below(254));
    p.nAddresses = static_cast<uint32_t>(1 + rng.below(3));
    for (uint32_t k = 1; k < p.nAddresses; ++k) {
      // A second address in the same network, or another site.
      p.addresses[k] =
          rng.chance(0.7)
              ? (site | static_cast<uint32_t>(1 + rng.below(254)))
              : (sites[rng.below(sites.size())] | static_cast<uint32_t>(1 + rng.below(254)));
    }
    p.userAgent = static_cast<uint32_t>(rng.below(std::size(kUserAgents)));
    p.bucket = static_cast<uint32_t>(rng.below(std::size(kBuckets) - 1));
    m.principals.push_back(std::move(p));
  }
  for (int i = 0; i < 4096; ++i) {
    std::string d;
    appendHex(d, rng, 64);
    m.blobDigests.push_back(std::move(d));
  }
  return m;
}

enum class Op : uint8_t { kGet, kHead, kPut, kList, kDelete };

struct Request {
  int64_t time = 0;
  const Principal* principal = nullptr;  // null: anonymous
  std::string session;                   // role session name
  uint32_t ip = 0;
  uint32_t bucket = 0;
  Op op = Op::kGet;
  std::string key;     // empty for list
  std::string prefix;  // list prefix
  int status = 200;
  const char* errorCode = nullptr;
  uint64_t bytesSent = 0;
  uint64_t objectSize = 0;
  uint64_t bytesIn = 0;
  bool presigned = false;
  const char* userAgent = "";
  bool tls13 = false;
};

// Draws requests in time order.
class Traffic {
 public:
  Traffic(const Model& m, uint64_t n, Rng& rng) : m_(m), n_(n), rng_(rng) {}

  void next(Request& r) {
    // Time advances so that n requests span about five days.
    now_ += static_cast<double>(kSpanSeconds) / static_cast<double>(n_) * 2.0 * rng_.unit();
    r.time = kStartTime + static_cast<int64_t>(now_);
    r.presigned = false;
    r.errorCode = nullptr;
    r.bytesIn = 0;
    r.tls13 = rng_.chance(0.3);
    r.session.clear();
    r.key.clear();
    r.prefix.clear();
    ++count_;

    if (rng_.chance(0.02)) {
      anonymous(r);
      return;
    }
    // A quarter of the requests walk every principal in turn (so each one appears); the rest
    // favour a busy few.
    uint64_t idx;
    if (count_ % 4 == 0) {
      idx = cursor_++ % m_.principals.size();
    } else {
      const double u = rng_.unit();
      idx = static_cast<uint64_t>(u * u * static_cast<double>(m_.principals.size()));
    }
    const Principal& p = m_.principals[idx];
    r.principal = &p;
    if (p.role) {
      // Sessions change: EC2 instance ids, CI job ids, botocore session names.
      const uint64_t s = (static_cast<uint64_t>(r.time) / 3600 + idx) % 7;
      const uint64_t v = idx * 0x9e3779b97f4a7c15ULL + s * 0xbf58476d1ce4e5b9ULL;
      if (s < 3) {
        char id[24];
        std::snprintf(id, sizeof(id), "i-0%016" PRIx64, v);
        r.session = id;
      } else {
        r.session = s < 5 ? "botocore-session-" : "ci-job-";
        appendUint(r.session, 1000000 + v % 9000000);
      }
    }
    // Mostly the home address, sometimes a secondary one, rarely a new one (roaming).
    const double a = rng_.unit();
    if (a >= 0.997) {
      r.ip = randomPublicIpv4(rng_);
    } else if (a < 0.9 || p.nAddresses == 1) {
      r.ip = p.addresses[0];
    } else {
      r.ip = p.addresses[1 + rng_.below(p.nAddresses - 1)];
    }
    r.bucket = rng_.chance(0.85) ? p.bucket : static_cast<uint32_t>(rng_.below(4));
    r.userAgent = kUserAgents[p.userAgent];

    const double o = rng_.unit();
    r.op = o < 0.66   ? Op::kGet
           : o < 0.80 ? Op::kHead
           : o < 0.89 ? Op::kPut
           : o < 0.97 ? Op::kList
                      : Op::kDelete;
    objectFor(r);
    r.status = 200;
    switch (r.op) {
      case Op::kGet:
        if (rng_.chance(0.12)) r.status = 206;
        if (rng_.chance(0.05)) r.presigned = true;
        if (r.presigned && rng_.chance(0.5)) r.userAgent = kBrowserAgent;
        break;
      case Op::kHead:
        break;
      case Op::kPut:
        r.bytesIn = r.objectSize;
        break;
      case Op::kList:
        break;
      case Op::kDelete:
        r.status = 204;
        break;
    }
    const double e = rng_.unit();
    if (e < 0.02 && (r.op == Op::kGet || r.op == Op::kHead)) {
      r.status = 404;
      r.errorCode = "NoSuchKey";
    } else if (e < 0.03) {
      r.status = 403;
      r.errorCode = "AccessDenied";
    } else if (e < 0.032 && r.op == Op::kGet) {
      r.status = 503;
      r.errorCode = "SlowDown";
    }
    sizes(r);
  }

 private:
  void anonymous(Request& r) {
    r.principal = nullptr;
    r.ip = rng_.chance(0.5) ? randomPublicIpv4(rng_)
                            : (0x2d9a0000u | static_cast<uint32_t>(rng_.below(65536)));
    r.userAgent = kScannerAgents[rng_.below(std::size(kScannerAgents))];
    const bool publicBucket = rng_.chance(0.25);
    r.bucket =
        publicBucket ? static_cast<uint32_t>(kPublicBucket) : static_cast<uint32_t>(rng_.below(4));
    r.op = rng_.chance(0.7) ? Op::kGet : (rng_.chance(0.5) ? Op::kHead : Op::kList);
    if (publicBucket) {
      r.key = "static/img/logo-";
      appendUint(r.key, rng_.below(40));
      r.key += ".png";
      if (r.op == Op::kList) r.op = Op::kGet;
      r.status = 200;
      r.objectSize = 2000 + rng_.below(200000);
      r.bytesSent = r.op == Op::kGet ? r.objectSize : 0;
    } else {
      objectFor(r);
      r.status = 403;
      r.errorCode = "AccessDenied";
      r.bytesSent = 243;
      r.objectSize = 0;
    }
  }

  void objectFor(Request& r) {
    const char* repo = kRepos[rng_.below(std::size(kRepos))];
    if (r.op == Op::kList) {
      r.prefix = "docker/registry/v2/repositories/";
      r.prefix += repo;
      r.prefix += "/_manifests/tags/";
      return;
    }
    const double k = rng_.unit();
    if (r.op == Op::kPut && k < 0.5) {
      r.key = "docker/registry/v2/repositories/";
      r.key += repo;
      r.key += "/_uploads/";
      appendUuid(r.key, rng_);
      r.key += "/data";
    } else if (k < 0.8) {
      // Layer digests: a popular few and a long tail.
      const double u = rng_.unit();
      const std::string& d = m_.blobDigests[static_cast<size_t>(
          u * u * u * static_cast<double>(m_.blobDigests.size()))];
      r.key = "docker/registry/v2/blobs/sha256/";
      r.key.append(d, 0, 2);
      r.key += '/';
      r.key += d;
      r.key += "/data";
    } else if (k < 0.93) {
      r.key = "docker/registry/v2/repositories/";
      r.key += repo;
      r.key += "/_manifests/tags/v1.";
      appendUint(r.key, rng_.below(30));
      r.key += '.';
      appendUint(r.key, rng_.below(10));
      r.key += "/current/link";
    } else {
      r.key = "docker/registry/v2/repositories/";
      r.key += repo;
      r.key += "/_layers/sha256/";
      r.key += m_.blobDigests[rng_.below(m_.blobDigests.size())];
      r.key += "/link";
    }
  }

  void sizes(Request& r) {
    const bool link = r.key.size() > 5 && r.key.compare(r.key.size() - 5, 5, "/link") == 0;
    r.objectSize = link ? 71 : 1000 + rng_.below(rng_.chance(0.2) ? 400000000 : 30000000);
    if (r.op == Op::kList) r.objectSize = 0;
    r.bytesSent = 0;
    if (r.errorCode != nullptr) {
      r.bytesSent = 200 + rng_.below(150);
    } else if (r.op == Op::kGet) {
      r.bytesSent = r.status == 206 ? std::min<uint64_t>(r.objectSize, 5242880) : r.objectSize;
    } else if (r.op == Op::kList) {
      r.bytesSent = 600 + rng_.below(30000);
    }
    if (r.op == Op::kPut) r.bytesIn = r.errorCode != nullptr ? 0 : r.objectSize;
  }

  const Model& m_;
  uint64_t n_;
  Rng& rng_;
  double now_ = 0;
  uint64_t count_ = 0;
  uint64_t cursor_ = 0;
};

std::string arnOf(const Model& m, const Principal& p, std::string_view session) {
  std::string arn;
  if (p.role) {
    arn = "arn:aws:sts::";
    arn += m.accounts[p.account].id;
    arn += ":assumed-role/";
    arn += p.name;
    arn += '/';
    arn += session;
  } else {
    arn = "arn:aws:iam::";
    arn += m.accounts[p.account].id;
    arn += ":user/";
    arn += p.name;
  }
  return arn;
}

const char* s3OperationName(Op op) {
  switch (op) {
    case Op::kGet:
      return "REST.GET.OBJECT";
    case Op::kHead:
      return "REST.HEAD.OBJECT";
    case Op::kPut:
      return "REST.PUT.OBJECT";
    case Op::kList:
      return "REST.GET.BUCKET";
    case Op::kDelete:
      return "REST.DELETE.OBJECT";
  }
  return "REST.GET.OBJECT";
}

const char* httpMethod(Op op) {
  switch (op) {
    case Op::kGet:
    case Op::kList:
      return "GET";
    case Op::kHead:
      return "HEAD";
    case Op::kPut:
      return "PUT";
    case Op::kDelete:
      return "DELETE";
  }
  return "GET";
}

const char* eventName(Op op) {
  switch (op) {
    case Op::kGet:
      return "GetObject";
    case Op::kHead:
      return "HeadObject";
    case Op::kPut:
      return "PutObject";
    case Op::kList:
      return "ListObjects";
    case Op::kDelete:
      return "DeleteObject";
  }
  return "GetObject";
}

void appendPresignedQuery(std::string& out, const Model& m, const Request& r, Rng& rng) {
  out += "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=";
  const std::string& key = r.principal != nullptr && !r.principal->role
                               ? r.principal->accessKey
                               : std::string("ASIAQX4NXGF7DKJ2PLMT");
  out += key;
  out += "%2F";
  appendCompactDate(out, r.time - 600);
  out += "%2F";
  out += kRegion;
  out += "%2Fs3%2Faws4_request&X-Amz-Date=";
  appendCompactDateTime(out, r.time - 600);
  out += "&X-Amz-Expires=1200&X-Amz-SignedHeaders=host&X-Amz-Signature=";
  appendHex(out, rng, 64);
  (void)m;
}

// One S3 server access log line, 26 fields.
void writeS3Line(std::string& out, const Model& m, const Request& r, Rng& rng) {
  const char* bucket = kBuckets[r.bucket];
  out += m.bucketOwner[r.bucket];
  out += ' ';
  out += bucket;
  out += ' ';
  appendClfTime(out, r.time);
  out += ' ';
  appendIpv4(out, r.ip);
  out += ' ';
  if (r.principal == nullptr) {
    out += '-';
  } else {
    out += arnOf(m, *r.principal, r.session);
  }
  out += ' ';
  appendFrom(out, rng, kUpperAlnum, 16);  // request id
  out += ' ';
  out += s3OperationName(r.op);
  out += ' ';
  if (r.key.empty()) {
    out += '-';
  } else {
    out += r.key;  // registry keys need no escaping
  }
  out += " \"";
  out += httpMethod(r.op);
  out += " /";
  out += bucket;
  if (r.op == Op::kList) {
    out += "?list-type=2&prefix=";
    appendQueryEncoded(out, r.prefix);
    out += "&delimiter=%2F&encoding-type=url";
  } else {
    out += '/';
    out += r.key;
    if (r.presigned) appendPresignedQuery(out, m, r, rng);
    if (r.op == Op::kPut && rng.chance(0.3)) {
      out += "?partNumber=";
      appendUint(out, 1 + rng.below(12));
      out += "&uploadId=";
      appendFrom(out, rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.", 64);
    }
  }
  out += " HTTP/1.1\" ";
  appendUint(out, static_cast<uint64_t>(r.status));
  out += ' ';
  out += r.errorCode != nullptr ? r.errorCode : "-";
  out += ' ';
  if (r.bytesSent == 0) {
    out += '-';
  } else {
    appendUint(out, r.bytesSent);
  }
  out += ' ';
  if (r.objectSize == 0) {
    out += '-';
  } else {
    appendUint(out, r.objectSize);
  }
  out += ' ';
  const uint64_t turnaround = 3 + rng.below(60);
  appendUint(out, turnaround + r.bytesSent / 20000000 + rng.below(40));  // total time
  out += ' ';
  appendUint(out, turnaround);
  out += " \"";
  out += r.presigned && r.userAgent == kBrowserAgent ? "https://registry.example.com/" : "-";
  out += "\" \"";
  out += r.userAgent;
  out += "\" - ";
  appendFrom(out, rng, kBase64, 76);  // host id
  const bool anon = r.principal == nullptr;
  out += anon ? " - " : " SigV4 ";
  out += r.tls13 ? "TLS_AES_128_GCM_SHA256 " : "ECDHE-RSA-AES128-GCM-SHA256 ";
  out += anon ? "- " : (r.presigned ? "QueryString " : "AuthHeader ");
  out += bucket;
  out += ".s3.";
  out += kRegion;
  out += ".amazonaws.com ";
  out += r.tls13 ? "TLSv1.3" : "TLSv1.2";
  out += " - -\n";
}

// One CloudTrail S3 data event as compact JSON on one line.
void writeCloudTrailLine(std::string& out, const Model& m, const Request& r, Rng& rng) {
  const char* bucket = kBuckets[r.bucket];
  const std::string& owner = m.accounts[0].id;
  out += "{\"eventVersion\":\"1.10\",\"userIdentity\":{";
  if (r.principal == nullptr) {
    out += "\"type\":\"AWSAccount\",\"principalId\":\"\",\"accountId\":\"ANONYMOUS_PRINCIPAL\"}";
  } else {
    const Principal& p = *r.principal;
    const std::string& acct = m.accounts[p.account].id;
    if (p.role) {
      out += "\"type\":\"AssumedRole\",\"principalId\":\"";
      out += p.uniqueId;
      out += ':';
      out += r.session;
      out += "\",\"arn\":\"";
      out += arnOf(m, p, r.session);
      out += "\",\"accountId\":\"";
      out += acct;
      out += "\",\"accessKeyId\":\"ASIA";
      appendFrom(out, rng, kUpperAlnum, 16);
      out += "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"";
      out += p.uniqueId;
      out += "\",\"arn\":\"arn:aws:iam::";
      out += acct;
      out += ":role/";
      out += p.name;
      out += "\",\"accountId\":\"";
      out += acct;
      out += "\",\"userName\":\"";
      out += p.name;
      out += "\"},\"attributes\":{\"creationDate\":\"";
      appendIsoTime(out, r.time - static_cast<int64_t>(rng.below(3600)));
      out += "\",\"mfaAuthenticated\":\"false\"}}}";
    } else {
      out += "\"type\":\"IAMUser\",\"principalId\":\"";
      out += p.uniqueId;
      out += "\",\"arn\":\"";
      out += arnOf(m, p, r.session);
      out += "\",\"accountId\":\"";
      out += acct;
      out += "\",\"accessKeyId\":\"";
      out += p.accessKey;
      out += "\",\"userName\":\"";
      out += p.name;
      out += "\"}";
    }
  }
  out += ",\"eventTime\":\"";
  appendIsoTime(out, r.time);
  out += "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"";
  out += eventName(r.op);
  out += "\",\"awsRegion\":\"";
  out += kRegion;
  out += "\",\"sourceIPAddress\":\"";
  appendIpv4(out, r.ip);
  out += "\",\"userAgent\":\"";
  const bool sdk = r.userAgent != kBrowserAgent && r.principal != nullptr;
  if (sdk) out += '[';
  out += r.userAgent;
  if (sdk) out += ']';
  out += '"';
  if (r.errorCode != nullptr) {
    out += ",\"errorCode\":\"";
    out += r.errorCode;
    out += "\",\"errorMessage\":\"";
    out += std::strcmp(r.errorCode, "NoSuchKey") == 0  ? "The specified key does not exist."
           : std::strcmp(r.errorCode, "SlowDown") == 0 ? "Please reduce your request rate."
                                                       : "Access Denied";
    out += '"';
  }
  out += ",\"requestParameters\":{\"bucketName\":\"";
  out += bucket;
  out += "\",\"Host\":\"";
  out += bucket;
  out += ".s3.";
  out += kRegion;
  out += ".amazonaws.com\"";
  if (r.op == Op::kList) {
    out += ",\"list-type\":\"2\",\"prefix\":\"";
    out += r.prefix;
    out += "\",\"delimiter\":\"/\",\"encoding-type\":\"url\"}";
  } else {
    out += ",\"key\":\"";
    out += r.key;
    out += "\"}";
  }
  out += ",\"responseElements\":";
  if (r.op == Op::kPut && r.errorCode == nullptr) {
    out += "{\"x-amz-server-side-encryption\":\"AES256\"}";
  } else {
    out += "null";
  }
  out += ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"";
  out += r.tls13 ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256";
  out += "\",\"bytesTransferredIn\":";
  appendUint(out, r.bytesIn);
  if (r.op == Op::kPut) out += ",\"SSEApplied\":\"Default_SSE_S3\"";
  out += ",\"AuthenticationMethod\":\"";
  out += r.principal == nullptr ? "" : (r.presigned ? "QueryString" : "AuthHeader");
  out += "\",\"x-amz-id-2\":\"";
  appendFrom(out, rng, kBase64, 76);
  out += "\",\"bytesTransferredOut\":";
  appendUint(out, r.bytesSent);
  out += "},\"requestID\":\"";
  appendFrom(out, rng, kUpperAlnum, 16);
  out += "\",\"eventID\":\"";
  appendUuid(out, rng);
  out += "\",\"readOnly\":";
  out += (r.op == Op::kGet || r.op == Op::kHead || r.op == Op::kList) ? "true" : "false";
  out += ",\"resources\":[";
  if (r.op != Op::kList) {
    out += "{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::";
    out += bucket;
    out += '/';
    out += r.key;
    out += "\"},";
  }
  out += "{\"accountId\":\"";
  out += owner;
  out += "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::";
  out += bucket;
  out += "\"}],\"eventType\":\"AwsApiCall\",\"managementEvent\":false,\"recipientAccountId\":\"";
  out += owner;
  out += '"';
  if (r.principal != nullptr && r.principal->account != 0) {
    out += ",\"sharedEventID\":\"";
    appendUuid(out, rng);
    out += '"';
  }
  out += ",\"eventCategory\":\"Data\",\"tlsDetails\":{\"tlsVersion\":\"";
  out += r.tls13 ? "TLSv1.3" : "TLSv1.2";
  out += "\",\"cipherSuite\":\"";
  out += r.tls13 ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256";
  out += "\",\"clientProvidedHostHeader\":\"";
  out += bucket;
  out += ".s3.";
  out += kRegion;
  out += ".amazonaws.com\"}}\n";
}

int usage() {
  std::fprintf(stderr,
               "usage: blobwatch-gen s3-access|cloudtrail N PRINCIPALS OUT [SEED]\n"
               "  Writes N deterministic synthetic records with PRINCIPALS distinct principals to "
               "OUT ('-' for stdout).\n");
  return 2;
}

bool parseU64(const char* s, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return false;
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || argc > 6) return usage();
  const std::string_view format = argv[1];
  const bool s3 = format == "s3-access";
  if (!s3 && format != "cloudtrail") return usage();
  uint64_t n = 0;
  uint64_t nPrincipals = 0;
  uint64_t seed = 20240304;
  if (!parseU64(argv[2], n) || !parseU64(argv[3], nPrincipals) || nPrincipals == 0 ||
      (argc == 6 && !parseU64(argv[5], seed))) {
    return usage();
  }
  const std::string_view outPath = argv[4];
  std::FILE* out = outPath == "-" ? stdout : std::fopen(argv[4], "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "blobwatch-gen: cannot write %s: %s\n", argv[4], std::strerror(errno));
    return 1;
  }
  Rng rng(seed ^ (s3 ? 0x53334143ULL : 0x43545241ULL) ^ (nPrincipals << 20));
  const Model model = buildModel(nPrincipals, rng);
  Traffic traffic(model, n, rng);
  Request r;
  std::string buf;
  buf.reserve(9u << 20);
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < n; ++i) {
    traffic.next(r);
    if (s3) {
      writeS3Line(buf, model, r, rng);
    } else {
      writeCloudTrailLine(buf, model, r, rng);
    }
    if (buf.size() >= (8u << 20) || i + 1 == n) {
      if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
        std::fprintf(stderr, "blobwatch-gen: write error on %s\n", argv[4]);
        return 1;
      }
      bytes += buf.size();
      buf.clear();
    }
  }
  if (out != stdout ? std::fclose(out) != 0 : std::fflush(out) != 0) {
    std::fprintf(stderr, "blobwatch-gen: write error on %s\n", argv[4]);
    return 1;
  }
  std::fprintf(stderr,
               "blobwatch-gen: %s: %" PRIu64 " %s records, %" PRIu64 " principals, %" PRIu64
               " bytes\n",
               argv[4], n, s3 ? "s3-access" : "cloudtrail", nPrincipals, bytes);
  return 0;
}
