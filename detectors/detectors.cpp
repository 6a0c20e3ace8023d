#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "detectors/detector.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace blobwatch::detectors {
namespace {

using schemas::AccessEvent;
using schemas::JsonWriter;
using schemas::OpClass;

std::string humanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buf;
}

std::string target(const AccessEvent& e) {
  std::string s = "s3://";
  s += e.bucket.empty() ? "?" : e.bucket;
  if (!e.objectKey.empty()) {
    s += '/';
    s += e.objectKey;
  }
  return s;
}

std::string days(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f days", static_cast<double>(us) / 86400e6);
  return buf;
}

// Byte-wise (lexicographic) order of two addresses, as std::array's operator< gives it, without
// a call to memcmp: the lookup runs on every event.
inline bool addressLess(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b) {
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.data(), 8);
  std::memcpy(&a1, a.data() + 8, 8);
  std::memcpy(&b0, b.data(), 8);
  std::memcpy(&b1, b.data() + 8, 8);
  a0 = __builtin_bswap64(a0);
  b0 = __builtin_bswap64(b0);
  if (a0 != b0) return a0 < b0;
  return __builtin_bswap64(a1) < __builtin_bswap64(b1);
}

// ---------------------------------------------------------------------------------------------
// anonymous_read: an unauthenticated read, head or list that succeeded.
class AnonymousRead final : public Detector {
 public:
  std::string_view name() const override { return kAnonymousRead; }

  void observe(const AccessEvent& e, PrincipalState& /*state*/, AlertEmitter& emitter) override {
    if (e.principalKind != schemas::PrincipalKind::kAnonymous) return;
    if (e.opClass != OpClass::kRead && e.opClass != OpClass::kHead && e.opClass != OpClass::kList) {
      return;
    }
    if (!e.success()) return;  // denied attempts are counted by the engine, not alerted
    Alert a;
    fillFromEvent(e, a);
    a.detector = kAnonymousRead;
    a.severity = e.opClass == OpClass::kRead ? Severity::kHigh : Severity::kMedium;
    a.dedupKey = e.bucket;
    a.summary = "Unauthenticated " + std::string(schemas::toString(e.opClass)) + " of " +
                target(e) + " from " +
                (e.sourceIpText.empty() ? "an unknown address" : e.sourceIpText) +
                " succeeded (HTTP " + std::to_string(e.httpStatus) +
                "): the bucket or object is readable without credentials; check its policy, ACLs "
                "and Block Public Access settings.";
    JsonWriter w(a.evidenceJson);
    w.beginObject();
    w.field("http_status", e.httpStatus);
    w.field("auth_type", schemas::toString(e.authType));
    w.field("bytes_out", std::max<int64_t>(e.bytesOut, 0));
    w.field("expected", "authenticated requests only");
    w.endObject();
    emitter.emit(std::move(a));
  }
};

// ---------------------------------------------------------------------------------------------
// unknown_ip: an established principal uses an address it never used before.
class UnknownIp final : public Detector {
 public:
  explicit UnknownIp(const DetectorConfig& c)
      : config_(c),
        v4Mask_(maskAddress(allOnes(), c.ipv4Prefix + 96).bytes),
        v6Mask_(maskAddress(allOnes(), c.ipv6Prefix).bytes) {}
  std::string_view name() const override { return kUnknownIp; }

  void observe(const AccessEvent& e, PrincipalState& s, AlertEmitter& emitter) override {
    if (!e.sourceIp.valid) return;
    // Anonymous is everyone; the provider's own services ("svc:", e.g. svc:s3.amazonaws.com)
    // come from its own ranges; a log without identities (GCS usage) has no principal. Service
    // accounts and service principals of the customer's own (GCP service accounts, Azure
    // managed identities) hold keys that can leak: they are baselined like users.
    if (e.principalKind == schemas::PrincipalKind::kAnonymous ||
        e.principalKind == schemas::PrincipalKind::kUnidentified ||
        (e.principalKind == schemas::PrincipalKind::kService &&
         std::string_view(e.principal).substr(0, 4) == "svc:")) {
      return;
    }
    const int prefix = e.sourceIp.isV4() ? config_.ipv4Prefix + 96 : config_.ipv6Prefix;
    schemas::IpAddress masked = e.sourceIp;
    const std::array<uint8_t, 16>& mask = e.sourceIp.isV4() ? v4Mask_ : v6Mask_;
    for (size_t i = 0; i < 16; ++i) masked.bytes[i] &= mask[i];  // as maskAddress(ip, prefix)
    auto it = std::lower_bound(s.addresses.begin(), s.addresses.end(), masked.bytes,
                               [](const AddressStat& a, const std::array<uint8_t, 16>& k) {
                                 return addressLess(a.key, k);
                               });
    if (it != s.addresses.end() && it->key == masked.bytes) {
      it->lastUs = std::max(it->lastUs, e.timeUs);
      ++it->count;
      return;
    }
    const int64_t history = e.timeUs - s.firstSeenUs;
    const bool established = history >= config_.learningPeriodUs;
    const bool trusted = std::any_of(config_.trustedNetworks.begin(), config_.trustedNetworks.end(),
                                     [&](const IpNetwork& n) { return n.contains(e.sourceIp); });
    if (established && !trusted) {
      Alert a;
      fillFromEvent(e, a);
      a.detector = kUnknownIp;
      a.severity = (e.opClass == OpClass::kWrite || e.opClass == OpClass::kDelete ||
                    e.opClass == OpClass::kPolicy)
                       ? Severity::kHigh
                       : Severity::kMedium;
      std::string net;
      schemas::formatIp(masked, net);
      if (prefix < 128) net += "/" + std::to_string(e.sourceIp.isV4() ? prefix - 96 : prefix);
      a.dedupKey = net;
      a.summary = e.principal + " sent " + e.rawOperation + " on " + target(e) + " from " +
                  e.sourceIpText + ", an address never seen for it in " + days(history) +
                  " of history (" + std::to_string(s.addresses.size()) +
                  " known) and outside the trusted networks; confirm the request is theirs or "
                  "revoke the credentials.";
      JsonWriter w(a.evidenceJson);
      w.beginObject();
      w.field("observed_address", net);
      w.field("known_addresses", static_cast<uint64_t>(s.addresses.size()));
      w.key("most_used_known_addresses");
      w.beginArray();
      std::vector<const AddressStat*> top;
      for (const auto& k : s.addresses) top.push_back(&k);
      const size_t shown = std::min<size_t>(top.size(), 5);
      std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(shown), top.end(),
                        [](const AddressStat* x, const AddressStat* y) {
                          return x->count != y->count ? x->count > y->count : x->key < y->key;
                        });
      for (size_t i = 0; i < shown; ++i) {
        schemas::IpAddress ip;
        ip.bytes = top[i]->key;
        ip.valid = true;
        std::string text;
        schemas::formatIp(ip, text);
        w.beginObject();
        w.field("address", text);
        w.field("requests", top[i]->count);
        std::string last;
        schemas::formatRfc3339(top[i]->lastUs, last);
        w.field("last_seen", last);
        w.endObject();
      }
      w.endArray();
      std::string first;
      schemas::formatRfc3339(s.firstSeenUs, first);
      w.field("principal_first_seen", first);
      w.field("history_seconds", history / 1'000'000);
      w.field("learning_period_seconds", config_.learningPeriodUs / 1'000'000);
      w.field("granularity_prefix", e.sourceIp.isV4() ? prefix - 96 : prefix);
      w.endObject();
      emitter.emit(std::move(a));
    }
    // Learn the address (also during learning and for trusted networks).
    AddressStat stat;
    stat.key = masked.bytes;
    stat.firstUs = stat.lastUs = e.timeUs;
    stat.count = 1;
    it = s.addresses.insert(it, stat);
    if (s.addresses.size() > config_.maxAddressesPerPrincipal) {
      auto oldest = std::min_element(
          s.addresses.begin(), s.addresses.end(),
          [](const AddressStat& x, const AddressStat& y) { return x.lastUs < y.lastUs; });
      s.addresses.erase(oldest);
    }
  }

 private:
  static schemas::IpAddress allOnes() {
    schemas::IpAddress ip;
    ip.bytes.fill(0xFF);
    ip.valid = true;
    return ip;
  }

  const DetectorConfig& config_;
  const std::array<uint8_t, 16> v4Mask_;  // the configured prefixes as byte masks
  const std::array<uint8_t, 16> v6Mask_;
};

// ---------------------------------------------------------------------------------------------
// bulk_download: objects read and bytes out in a window exceed both the absolute floors and
// mean + k·σ of the principal's past active windows.
class BulkDownload final : public Detector {
 public:
  explicit BulkDownload(const DetectorConfig& c) : config_(c) {}
  std::string_view name() const override { return kBulkDownload; }

  void observe(const AccessEvent& e, PrincipalState& s, AlertEmitter& emitter) override {
    if (e.opClass != OpClass::kRead || e.objectKey.empty() || !e.success() ||
        e.principalKind == schemas::PrincipalKind::kUnidentified) {
      return;
    }
    BulkWindow& b = s.bulk;
    // Most events fall in the current window: skip the division for them.
    int64_t index = b.index;
    if (b.index < 0 || e.timeUs < b.index * config_.bulkWindowUs ||
        e.timeUs - b.index * config_.bulkWindowUs >= config_.bulkWindowUs) {
      index = e.timeUs / config_.bulkWindowUs;
      if (e.timeUs < 0) --index;
    }
    if (index > b.index) {
      if (b.index >= 0 && b.objects > 0) {
        b.objectsHistory.add(static_cast<double>(b.objects));
        b.bytesHistory.add(static_cast<double>(b.bytes));
      }
      b.index = index;
      b.objects = 0;
      b.bytes = 0;
      b.alerted = false;
    }
    // An event of an already closed window (delivered late, or files fed out of time order) is
    // not counted: adding it to the current window would blame the current window for reads
    // made in another one.
    if (index < b.index) return;
    ++b.objects;
    b.bytes += static_cast<uint64_t>(std::max<int64_t>(e.bytesOut, 0));
    if (b.alerted || b.objects <= config_.bulkMinObjects || b.bytes <= config_.bulkMinBytes) {
      return;  // below the floors: the history need not be looked at
    }
    const double objThreshold =
        std::max(static_cast<double>(config_.bulkMinObjects), historyThreshold(b.objectsHistory));
    const double byteThreshold =
        std::max(static_cast<double>(config_.bulkMinBytes), historyThreshold(b.bytesHistory));
    if (static_cast<double>(b.objects) <= objThreshold ||
        static_cast<double>(b.bytes) <= byteThreshold) {
      return;
    }
    b.alerted = true;
    Alert a;
    fillFromEvent(e, a);
    a.detector = kBulkDownload;
    a.severity = Severity::kHigh;
    a.dedupKey = e.bucket;
    std::string windowStart;
    schemas::formatRfc3339(b.index * config_.bulkWindowUs, windowStart);
    const std::string baseline =
        b.objectsHistory.n == 0
            ? std::string("no earlier activity")
            : "a baseline of " + std::to_string(static_cast<uint64_t>(b.objectsHistory.mean)) +
                  " objects and " + humanBytes(b.bytesHistory.mean) + " per active window over " +
                  std::to_string(b.objectsHistory.n) + " windows";
    a.summary = e.principal + " read " + std::to_string(b.objects) + " objects (" +
                humanBytes(static_cast<double>(b.bytes)) + ") in the " +
                std::to_string(config_.bulkWindowUs / 60'000'000) + "-minute window from " +
                windowStart + ", against " + baseline +
                "; check whether this bulk download is expected.";
    JsonWriter w(a.evidenceJson);
    w.beginObject();
    w.field("window_start", windowStart);
    w.field("window_seconds", config_.bulkWindowUs / 1'000'000);
    w.field("objects", b.objects);
    w.field("bytes", b.bytes);
    w.field("objects_threshold", objThreshold);
    w.field("bytes_threshold", byteThreshold);
    w.key("baseline");
    w.beginObject();
    w.field("windows", b.objectsHistory.n);
    w.field("objects_mean", b.objectsHistory.mean);
    w.field("objects_stddev", b.objectsHistory.stddev());
    w.field("bytes_mean", b.bytesHistory.mean);
    w.field("bytes_stddev", b.bytesHistory.stddev());
    w.field("k_sigma", config_.bulkSigmas);
    w.endObject();
    w.field("min_objects", config_.bulkMinObjects);
    w.field("min_bytes", config_.bulkMinBytes);
    w.endObject();
    emitter.emit(std::move(a));
  }

  // mean + k·σ of past active windows. σ is taken as at least kMinRelativeSpread of the mean, so
  // that a perfectly regular history (σ near 0, or a single window) does not turn every small
  // variation into an alert. No history gives 0: the floors alone decide.
  double historyThreshold(const RunningStats& h) const {
    if (h.n == 0) return 0;
    return h.mean + config_.bulkSigmas * std::max(h.stddev(), kMinRelativeSpread * h.mean);
  }

 private:
  static constexpr double kMinRelativeSpread = 0.25;
  const DetectorConfig& config_;
};

}  // namespace

void fillFromEvent(const AccessEvent& e, Alert& a) {
  a.timeUs = e.timeUs;
  a.provider = e.provider;
  a.format = e.format;
  a.principal = e.principal;
  a.sourceIp.clear();
  schemas::formatIp(e.sourceIp, a.sourceIp);
  if (a.sourceIp.empty()) a.sourceIp = e.sourceIpText;
  a.bucket = e.bucket;
  a.object = e.objectKey;
  a.operation = e.opClass;
  a.rawOperation = e.rawOperation;
  a.requestIds.clear();
  if (!e.requestId.empty()) a.requestIds.push_back(e.requestId);
}

std::vector<std::unique_ptr<Detector>> makeDetectors(const DetectorConfig& config) {
  std::vector<std::unique_ptr<Detector>> out;
  if (config.anonymousReadEnabled) out.push_back(std::make_unique<AnonymousRead>());
  if (config.unknownIpEnabled) out.push_back(std::make_unique<UnknownIp>(config));
  if (config.bulkDownloadEnabled) out.push_back(std::make_unique<BulkDownload>(config));
  return out;
}

}  // namespace blobwatch::detectors
