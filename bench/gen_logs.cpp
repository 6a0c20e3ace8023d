// blobwatch-gen: deterministic generator of realistic object-storage access logs for the
// benchmark.
//
//   blobwatch-gen s3-access N PRINCIPALS OUT [SEED]   N S3 server access log lines (26 fields)
//   blobwatch-gen cloudtrail N PRINCIPALS OUT [SEED]  N CloudTrail S3 data events, one per line
//   blobwatch-gen azure-blob N PRINCIPALS OUT [SEED]  N Azure Monitor resource logs (blob), one
//                                                     JSON object per line
//   blobwatch-gen gcs-audit N PRINCIPALS OUT [SEED]   N Cloud Audit Logs LogEntry objects for
//                                                     Cloud Storage, one per line
//
// The traffic model is shared by all formats: a container registry (Harbor-style keys) in a few
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

// ---------------------------------------------------------------------------------------------
// Azure Monitor resource logs and GCS Cloud Audit Logs. The same traffic (principals, addresses,
// buckets, keys, times) as above, written the way each cloud logs it. Principals get their
// cloud identities in a separate pass (extendModel), so the S3 and CloudTrail output is unchanged.

struct CloudIds {
  // Azure: how the principal authenticates, and its Entra ID object and application ids.
  enum class AzureAuth : uint8_t { kOAuthUser, kOAuthService, kSas, kAccountKey };
  AzureAuth azureAuth = AzureAuth::kOAuthUser;
  std::string objectId, appId;  // UUIDs
  std::string sasHash;          // 64 upper-case hex digits: its SAS signature
  uint32_t accountKey = 1;      // key1 or key2
  std::string gcsEmail;         // principalEmail
};

struct CloudModel {
  std::vector<CloudIds> ids;                  // per principal
  std::vector<std::string> tenants;           // per account: Entra tenant id
  std::vector<std::string> subscriptions;     // per account: subscription id
  std::vector<std::string> projects;          // per account: GCP project id
  std::array<std::string, 2> accountKeyHash;  // SHA256 of key1, key2 (upper-case hex)
  std::vector<std::string> roleAssignments;   // a few RBAC role assignment ids
};

// Storage accounts: the four registry containers live in one account, the public assets in
// another.
constexpr const char* kAzureAccounts[] = {"harborregistryprod01", "publicassetscdn01"};
constexpr const char* kAzureResourceGroups[] = {"rg-harbor-prod", "rg-cdn"};
constexpr const char* kAzureLocation = "westeurope";
constexpr const char* kGcsLocation = "europe-west1";
// Built-in role definitions: Storage Blob Data Reader, Contributor, Owner.
constexpr const char* kAzureRoleDefinitions[] = {"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
                                                 "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
                                                 "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"};
// Public clients a user signs in with (Azure CLI, Azure PowerShell, Storage Explorer).
constexpr const char* kAzurePublicClients[] = {"04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                                               "1950a258-227b-4e31-a9cf-717495945fc2",
                                               "04b07795-a71b-4346-935f-02f9a1efa4ce"};

// The clients of kUserAgents, as the Azure and Google SDKs announce themselves (same index).
constexpr const char* kAzureUserAgents[] = {
    "azsdk-go-azblob/v1.3.1 (go1.21.5; linux)",
    "docker-distribution/v2.8.3 azsdk-go-azblob/v1.3.1 (go1.21.5; linux)",
    "harbor-jobservice/v2.10.0 azsdk-go-azblob/v1.3.1 (go1.21.5; linux)",
    "AzCopy/10.23.0 azsdk-go-azblob/v1.2.1 (go1.21.5; linux)",
    "azsdk-python-storage-blob/12.19.1 Python/3.11.8 (Linux-6.1.0-18-amd64-x86_64-with-glibc2.36)",
    "azsdk-java-azure-storage-blob/12.25.2 (17.0.10; Linux; 5.15.0-1053-azure)",
    "azsdk-go-azblob/v1.3.1 (go1.22.1; linux)",
    "rclone/v1.65.2",
};
constexpr const char* kGcsUserAgents[] = {
    "gcloud-golang-storage/1.36.0 google-api-go-client/0.5",
    "docker-distribution/v2.8.3 gcloud-golang-storage/1.36.0 google-api-go-client/0.5",
    "harbor-jobservice/v2.10.0 gcloud-golang-storage/1.36.0 google-api-go-client/0.5",
    "apitools Python/3.11.8 gsutil/5.27 (linux) analytics/disabled interactive/False "
    "command/cp google-cloud-sdk/467.0.0",
    "gcloud-python/2.14.0 gl-python/3.11.8 grpc/1.62.0 gax/2.17.1 gccl/2.14.0",
    "gcloud-java/2.34.0 Google-API-Java-Client/2.2.0 Google-HTTP-Java-Client/1.44.1 (gzip)",
    "gcloud-golang-storage/1.39.1 gl-go/1.22.1 gccl/1.39.1",
    "rclone/v1.65.2",
};
static_assert(std::size(kAzureUserAgents) == std::size(kUserAgents));
static_assert(std::size(kGcsUserAgents) == std::size(kUserAgents));

// The request's user agent in a cloud's own SDK terms (browsers and scanners stay as they are).
const char* cloudUserAgent(const char* ua, const char* const (&table)[std::size(kUserAgents)]) {
  for (size_t i = 0; i < std::size(kUserAgents); ++i) {
    if (ua == kUserAgents[i]) return table[i];
  }
  return ua;
}

void appendUpperHex(std::string& out, Rng& rng, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back("0123456789ABCDEF"[rng.below(16)]);
}

CloudModel extendModel(const Model& m, Rng& rng) {
  CloudModel c;
  for (size_t a = 0; a < m.accounts.size(); ++a) {
    std::string t, s, p;
    appendUuid(t, rng);
    appendUuid(s, rng);
    p = a == 0 ? "harbor-prod-" : "team-";
    appendUint(p, 100000 + rng.below(900000));
    c.tenants.push_back(std::move(t));
    c.subscriptions.push_back(std::move(s));
    c.projects.push_back(std::move(p));
  }
  for (auto& h : c.accountKeyHash) appendUpperHex(h, rng, 64);
  for (int i = 0; i < 24; ++i) {
    std::string r;
    appendUuid(r, rng);
    c.roleAssignments.push_back(std::move(r));
  }
  c.ids.reserve(m.principals.size());
  for (const Principal& p : m.principals) {
    CloudIds ids;
    const double u = rng.unit();
    if (p.role) {
      ids.azureAuth = u < 0.75  ? CloudIds::AzureAuth::kOAuthService
                      : u < 0.9 ? CloudIds::AzureAuth::kSas
                                : CloudIds::AzureAuth::kAccountKey;
    } else {
      ids.azureAuth = u < 0.8 ? CloudIds::AzureAuth::kOAuthUser : CloudIds::AzureAuth::kSas;
    }
    appendUuid(ids.objectId, rng);
    if (p.role) {
      appendUuid(ids.appId, rng);
    } else {
      ids.appId = kAzurePublicClients[rng.below(std::size(kAzurePublicClients))];
    }
    appendUpperHex(ids.sasHash, rng, 64);
    ids.accountKey = static_cast<uint32_t>(1 + rng.below(2));
    if (p.role) {
      // Service account ids are 6 to 30 characters: the role name and the principal number.
      ids.gcsEmail = p.name;
      ids.gcsEmail += '@';
      ids.gcsEmail += c.projects[p.account];
      ids.gcsEmail += ".iam.gserviceaccount.com";
    } else {
      ids.gcsEmail = p.name;
      ids.gcsEmail += p.account == 0 ? "@example.com" : "@partner.example.org";
    }
    c.ids.push_back(std::move(ids));
  }
  return c;
}

// 2024-03-04T05:06:07.1234567Z from seconds and nanoseconds, with `digits` fractional digits.
void appendIsoTimeFraction(std::string& out, int64_t t, uint64_t nanos, int digits) {
  t += static_cast<int64_t>(nanos / 1000000000);
  nanos %= 1000000000;
  const Civil c = civilFromSeconds(t);
  char buf[48];
  uint64_t frac = nanos;
  for (int i = digits; i < 9; ++i) frac /= 10;
  const int n =
      std::snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%0*" PRIu64 "Z",
                    c.year, c.month, c.day, c.hour, c.minute, c.second, digits, frac);
  out.append(buf, static_cast<size_t>(n));
}

// The principal's index in the model (the traffic hands out pointers into m.principals).
size_t indexOf(const Model& m, const Principal& p) {
  return static_cast<size_t>(&p - m.principals.data());
}

const char* azureOperation(Op op) {
  switch (op) {
    case Op::kGet:
      return "GetBlob";
    case Op::kHead:
      return "GetBlobProperties";
    case Op::kPut:
      return "PutBlob";
    case Op::kList:
      return "ListBlobs";
    case Op::kDelete:
      return "DeleteBlob";
  }
  return "GetBlob";
}

const char* azureCategory(Op op) {
  return op == Op::kPut ? "StorageWrite" : op == Op::kDelete ? "StorageDelete" : "StorageRead";
}

// Azure's error status for the model's S3 error codes.
void azureStatus(const Request& r, bool anonymous, int& code, const char*& text,
                 const char*& metric) {
  code = r.status;
  metric = "Success";
  text = anonymous ? "AnonymousSuccess" : "Success";
  if (r.errorCode == nullptr) {
    if (r.op == Op::kDelete) code = 202;
    if (r.op == Op::kPut) code = 201;
    return;
  }
  if (anonymous) {
    code = 409;
    text = "PublicAccessNotPermitted";
    metric = "AnonymousClientOtherError";
  } else if (r.status == 404) {
    text = "BlobNotFound";
    metric = "ClientOtherError";
  } else if (r.status == 403) {
    text = "AuthorizationPermissionMismatch";
    metric = "AuthorizationError";
  } else {
    text = "ServerBusy";
    metric = "ServerBusyError";
  }
}

// One Azure Monitor resource log record (StorageRead/Write/Delete) as compact JSON on one line,
// fields in the order Azure writes them.
void writeAzureBlobLine(std::string& out, const Model& m, const CloudModel& c, const Request& r,
                        Rng& rng) {
  const bool anonymous = r.principal == nullptr;
  const bool isPublic = r.bucket == kPublicBucket;
  const size_t acct = isPublic ? 1 : 0;
  const char* account = kAzureAccounts[acct];
  const char* container = kBuckets[r.bucket];
  const CloudIds* ids = anonymous ? nullptr : &c.ids[indexOf(m, *r.principal)];
  const bool sas = ids != nullptr && ids->azureAuth == CloudIds::AzureAuth::kSas;
  const bool oauth = ids != nullptr && (ids->azureAuth == CloudIds::AzureAuth::kOAuthUser ||
                                        ids->azureAuth == CloudIds::AzureAuth::kOAuthService);
  int code = 200;
  const char* statusText = "Success";
  const char* metric = "Success";
  azureStatus(r, anonymous, code, statusText, metric);
  const uint64_t serverMs = 2 + rng.below(40);
  const uint64_t durationMs = serverMs + r.bytesSent / 25000000 + rng.below(20);

  out += "{\"time\":\"";
  appendIsoTimeFraction(out, r.time, rng.below(1000000000), 7);
  out += "\",\"resourceId\":\"/subscriptions/";
  out += c.subscriptions[0];
  out += "/resourceGroups/";
  out += kAzureResourceGroups[acct];
  out += "/providers/Microsoft.Storage/storageAccounts/";
  out += account;
  out += "/blobServices/default\",\"category\":\"";
  out += azureCategory(r.op);
  out += "\",\"operationName\":\"";
  out += azureOperation(r.op);
  out += "\",\"operationVersion\":\"";
  out += sas ? "2021-08-06" : "2023-11-03";
  out += "\",\"schemaVersion\":\"1.0\",\"statusCode\":";
  appendUint(out, static_cast<uint64_t>(code));
  out += ",\"statusText\":\"";
  out += statusText;
  out += "\",\"durationMs\":";
  appendUint(out, durationMs);
  out += ",\"callerIpAddress\":\"";
  appendIpv4(out, r.ip);
  out += ':';
  appendUint(out, 1024 + rng.below(64511));
  out += "\",\"correlationId\":\"";
  std::string correlation;
  appendHex(correlation, rng, 8);
  correlation += '-';
  appendHex(correlation, rng, 4);
  correlation += '-';
  appendHex(correlation, rng, 4);
  correlation += '-';
  appendHex(correlation, rng, 4);
  correlation += '-';
  appendHex(correlation, rng, 6);
  correlation += "000000";
  out += correlation;
  out += "\",\"identity\":{";
  if (anonymous) {
    out += "\"type\":\"Anonymous\"}";
  } else if (oauth) {
    const Principal& p = *r.principal;
    const bool user = ids->azureAuth == CloudIds::AzureAuth::kOAuthUser;
    const bool write = r.op == Op::kPut || r.op == Op::kDelete;
    const size_t role = write ? 1 : (user ? 2 : 0);
    out += "\"type\":\"OAuth\",\"tokenHash\":\"";
    appendUpperHex(out, rng, 64);
    out +=
        "\",\"authorization\":[{\"action\":\"Microsoft.Storage/storageAccounts/blobServices/"
        "containers/blobs/";
    out += r.op == Op::kPut ? "write" : r.op == Op::kDelete ? "delete" : "read";
    out += "\",\"denyAssignmentId\":\"\",\"principals\":[{\"id\":\"";
    out += ids->objectId;
    out += "\",\"type\":\"";
    out += user ? "User" : "ServicePrincipal";
    out += "\"}],\"reason\":\"Policy\",\"result\":\"";
    out += r.status == 403 ? "Denied" : "Granted";
    out += "\",\"roleAssignmentId\":\"";
    out += c.roleAssignments[indexOf(m, p) % c.roleAssignments.size()];
    out += "\",\"roleDefinitionId\":\"";
    out += kAzureRoleDefinitions[role];
    out += "\",\"type\":\"RBAC\"}],\"requester\":{\"appId\":\"";
    out += ids->appId;
    out += "\",\"audience\":\"https://storage.azure.com/\",\"objectId\":\"";
    out += ids->objectId;
    out += "\",\"tenantId\":\"";
    out += c.tenants[p.account];
    out += "\",\"tokenIssuer\":\"https://sts.windows.net/";
    out += c.tenants[p.account];
    out += "/\"";
    if (user) {
      out += ",\"upn\":\"";
      out += p.name;
      out += p.account == 0 ? "@contoso.com" : "@partner.example.org";
      out += '"';
    }
    out += "}}";
  } else if (sas) {
    out += "\"type\":\"SAS\",\"tokenHash\":\"key";
    appendUint(out, ids->accountKey);
    out += '(';
    out += c.accountKeyHash[ids->accountKey - 1];
    out += "),SasSignature(";
    out += ids->sasHash;
    out += ")\"}";
  } else {
    out += "\"type\":\"AccountKey\",\"tokenHash\":\"key";
    appendUint(out, ids->accountKey);
    out += '(';
    out += c.accountKeyHash[ids->accountKey - 1];
    out += ")\"}";
  }
  out += ",\"location\":\"";
  out += kAzureLocation;
  out += "\",\"properties\":{\"accountName\":\"";
  out += account;
  out += "\",\"userAgentHeader\":\"";
  out += cloudUserAgent(r.userAgent, kAzureUserAgents);
  out += '"';
  if (r.userAgent == kBrowserAgent) out += ",\"referrerHeader\":\"https://registry.example.com/\"";
  out += ",\"clientRequestId\":\"";
  appendUuid(out, rng);
  out += '"';
  const bool found = r.errorCode == nullptr && r.op != Op::kList && r.op != Op::kDelete;
  if (found) {
    out += ",\"etag\":\"\\\"0x8DC3C";
    appendUpperHex(out, rng, 10);
    out += "\\\"\"";
  }
  out += ",\"serviceType\":\"blob\",\"objectKey\":\"/";
  out += account;
  out += '/';
  out += container;
  if (r.op != Op::kList) {
    out += '/';
    out += r.key;
  }
  out += '"';
  if (found) {
    // 2/28/2024 3:04:05 PM
    const Civil lm = civilFromSeconds(r.time - 3600 - static_cast<int64_t>(rng.below(2000000)));
    char buf[40];
    const unsigned h12 = lm.hour % 12 == 0 ? 12 : lm.hour % 12;
    const int n =
        std::snprintf(buf, sizeof(buf), "%u/%u/%04" PRId64 " %u:%02u:%02u %s", lm.month, lm.day,
                      lm.year, h12, lm.minute, lm.second, lm.hour < 12 ? "AM" : "PM");
    out += ",\"lastModifiedTime\":\"";
    out.append(buf, static_cast<size_t>(n));
    out += '"';
  }
  out += ",\"metricResponseType\":\"";
  out += metric;
  out += "\",\"serverLatencyMs\":";
  appendUint(out, serverMs);
  out += ",\"requestHeaderSize\":";
  appendUint(out, (sas ? 620 : oauth ? 1850 : 480) + rng.below(200));
  out += ",\"responseHeaderSize\":";
  appendUint(out, 300 + rng.below(160));
  out += ",\"responseBodySize\":";
  appendUint(out, r.bytesSent);
  if (r.op == Op::kPut) {
    out += ",\"requestBodySize\":";
    appendUint(out, r.bytesIn);
    out += ",\"contentLengthHeader\":";
    appendUint(out, r.objectSize);
  }
  out += ",\"tlsVersion\":\"";
  out += r.tls13 ? "TLS 1.3" : "TLS 1.2";
  out += '"';
  if (r.status == 206) out += ",\"downloadRange\":\"bytes=0-5242879\"";
  out += "},\"uri\":\"https://";
  out += account;
  out += ".blob.core.windows.net:443/";
  out += container;
  if (r.op == Op::kList) {
    out += "?restype=container&comp=list&prefix=";
    appendQueryEncoded(out, r.prefix);
    out += "&delimiter=%2F";
  } else {
    out += '/';
    out += r.key;
  }
  if (sas) {
    out += r.op == Op::kList ? "&" : "?";
    out += "sv=2021-08-06&ss=b&srt=co&sp=";
    out += r.op == Op::kPut ? "rwl" : "rl";
    out += "&se=";
    appendIsoTime(out, (r.time / 86400 + 30) * 86400);
    out += "&st=";
    appendIsoTime(out, (r.time / 86400 - 1) * 86400);
    out += "&spr=https&sig=XXXXX";
  }
  out +=
      "\",\"protocol\":\"HTTPS\",\"resourceType\":\"Microsoft.Storage/storageAccounts/"
      "blobServices\"}\n";
}

const char* gcsMethod(Op op) {
  switch (op) {
    case Op::kGet:
    case Op::kHead:  // a metadata read is storage.objects.get too
      return "storage.objects.get";
    case Op::kPut:
      return "storage.objects.create";
    case Op::kList:
      return "storage.objects.list";
    case Op::kDelete:
      return "storage.objects.delete";
  }
  return "storage.objects.get";
}

// One Cloud Audit Logs data_access LogEntry for Cloud Storage as compact JSON on one line, fields
// in the order Cloud Logging exports them. Cloud Storage writes no audit entry for allUsers
// access, so main() leaves the model's anonymous requests out of this format.
void writeGcsAuditLine(std::string& out, const Model& m, const CloudModel& c, const Request& r,
                       Rng& rng) {
  const bool anonymous = r.principal == nullptr;  // not drawn for this format, but well-formed
  const CloudIds* ids = anonymous ? nullptr : &c.ids[indexOf(m, *r.principal)];
  const std::string& project = c.projects[0];
  const char* bucket = kBuckets[r.bucket];
  const char* method = gcsMethod(r.op);
  int rpc = 0;
  const char* message = nullptr;
  if (anonymous || r.status == 403) {
    rpc = 7;
    message = "PERMISSION_DENIED";
  } else if (r.status == 404) {
    rpc = 5;
    message = "NOT_FOUND";
  } else if (r.status == 503) {
    rpc = 14;
    message = "UNAVAILABLE";
  }
  std::string resource = "projects/_/buckets/";
  resource += bucket;
  if (r.op != Op::kList) {
    resource += "/objects/";
    resource += r.key;
  }
  const uint64_t nanos = rng.below(1000000000);

  out +=
      "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
      "\"status\":{";
  if (message != nullptr) {
    out += "\"code\":";
    appendUint(out, static_cast<uint64_t>(rpc));
    out += ",\"message\":\"";
    out += message;
    out += '"';
  }
  out += "},\"authenticationInfo\":{";
  if (ids != nullptr) {
    out += "\"principalEmail\":\"";
    out += ids->gcsEmail;
    out += '"';
    if (ids->azureAuth == CloudIds::AzureAuth::kOAuthUser && (indexOf(m, *r.principal) & 3) == 0) {
      out += ",\"oauthInfo\":{\"oauthClientId\":\"";
      appendUint(out, 100000000000000000ULL + indexOf(m, *r.principal) * 7919);
      out += "\"}";
    }
  }
  out += "},\"requestMetadata\":{\"callerIp\":\"";
  appendIpv4(out, r.ip);
  out += "\",\"callerSuppliedUserAgent\":\"";
  out += cloudUserAgent(r.userAgent, kGcsUserAgents);
  out += ",gzip(gfe)\",\"requestAttributes\":{\"time\":\"";
  appendIsoTimeFraction(out, r.time, nanos + 6000000 + rng.below(4000000), 9);
  out +=
      "\",\"auth\":{}},\"destinationAttributes\":{}},\"serviceName\":\"storage.googleapis.com\","
      "\"methodName\":\"";
  out += method;
  out += "\",\"authorizationInfo\":[{\"resource\":\"";
  out += resource;
  out += "\",\"permission\":\"";
  out += method;
  out += "\",\"granted\":";
  out += rpc == 7 ? "false" : "true";
  out += ",\"resourceAttributes\":{}}],\"resourceName\":\"";
  out += resource;
  out += "\",\"resourceLocation\":{\"currentLocations\":[\"";
  out += kGcsLocation;
  out += "\"]}";
  if (r.presigned && ids != nullptr) {
    out +=
        ",\"metadata\":{\"audit_context\":{\"app_context\":\"EXTERNAL\",\"audit_info\":{"
        "\"x-goog-custom-audit-signed-by\":\"";
    out += ids->gcsEmail;
    out += "\"}}}";
  }
  out += "},\"insertId\":\"";
  appendFrom(out, rng, "abcdefghijklmnopqrstuvwxyz0123456789", 12);
  out += "\",\"resource\":{\"type\":\"gcs_bucket\",\"labels\":{\"location\":\"";
  out += kGcsLocation;
  out += "\",\"project_id\":\"";
  out += project;
  out += "\",\"bucket_name\":\"";
  out += bucket;
  out += "\"}},\"timestamp\":\"";
  appendIsoTimeFraction(out, r.time, nanos, 9);
  out += "\",\"severity\":\"";
  out += message != nullptr ? "ERROR" : "INFO";
  out += "\",\"logName\":\"projects/";
  out += project;
  out += "/logs/cloudaudit.googleapis.com%2Fdata_access\",\"receiveTimestamp\":\"";
  appendIsoTimeFraction(out, r.time, nanos + 200000000 + rng.below(600000000), 9);
  out += "\"}\n";
}

int usage() {
  std::fprintf(stderr,
               "usage: blobwatch-gen s3-access|cloudtrail|azure-blob|gcs-audit N PRINCIPALS OUT "
               "[SEED]\n"
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
  enum class Kind : uint8_t { kS3, kCloudTrail, kAzureBlob, kGcsAudit };
  Kind kind;
  uint64_t salt;  // per format, so that each format draws its own traffic
  if (format == "s3-access") {
    kind = Kind::kS3;
    salt = 0x53334143ULL;
  } else if (format == "cloudtrail") {
    kind = Kind::kCloudTrail;
    salt = 0x43545241ULL;
  } else if (format == "azure-blob") {
    kind = Kind::kAzureBlob;
    salt = 0x415a424cULL;
  } else if (format == "gcs-audit") {
    kind = Kind::kGcsAudit;
    salt = 0x47435341ULL;
  } else {
    return usage();
  }
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
  Rng rng(seed ^ salt ^ (nPrincipals << 20));
  const Model model = buildModel(nPrincipals, rng);
  const bool cloud = kind == Kind::kAzureBlob || kind == Kind::kGcsAudit;
  const CloudModel cloudModel = cloud ? extendModel(model, rng) : CloudModel{};
  Traffic traffic(model, n, rng);
  Request r;
  std::string buf;
  buf.reserve(9u << 20);
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < n; ++i) {
    traffic.next(r);
    // Cloud Storage writes no Data Access entry for unauthenticated (allUsers) requests: they
    // are not in its audit log, so draw another request.
    while (kind == Kind::kGcsAudit && r.principal == nullptr) traffic.next(r);
    switch (kind) {
      case Kind::kS3:
        writeS3Line(buf, model, r, rng);
        break;
      case Kind::kCloudTrail:
        writeCloudTrailLine(buf, model, r, rng);
        break;
      case Kind::kAzureBlob:
        writeAzureBlobLine(buf, model, cloudModel, r, rng);
        break;
      case Kind::kGcsAudit:
        writeGcsAuditLine(buf, model, cloudModel, r, rng);
        break;
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
               argv[4], n, argv[1], nPrincipals, bytes);
  return 0;
}
