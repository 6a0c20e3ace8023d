#include "daemon/config.h"

#include <charconv>

namespace blobwatch::daemon {
namespace {

std::string parseBool(const std::string& v, bool& out) {
  if (v == "true" || v == "yes" || v == "on" || v == "1") {
    out = true;
  } else if (v == "false" || v == "no" || v == "off" || v == "0") {
    out = false;
  } else {
    return "expected true or false, got '" + v + "'";
  }
  return "";
}

template <typename T>
std::string parseUnsigned(const std::string& v, T& out, T min, T max) {
  uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < min || n > max) {
    return "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
           ", got '" + v + "'";
  }
  out = static_cast<T>(n);
  return "";
}

std::string parseIntRange(const std::string& v, int& out, int min, int max) {
  int n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < min || n > max) {
    return "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
           ", got '" + v + "'";
  }
  out = n;
  return "";
}

std::string durationOrError(const std::string& v, int64_t& out) {
  return parseDuration(v, out) ? ""
                               : "expected a duration such as 90s, 15m, 24h or 7d, got '" + v + "'";
}

std::string parseNetworks(const std::string& v, std::vector<detectors::IpNetwork>& out) {
  out.clear();
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    std::string item = v.substr(pos, comma - pos);
    const size_t b = item.find_first_not_of(" \t");
    const size_t e = item.find_last_not_of(" \t");
    item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
    if (!item.empty()) {
      detectors::IpNetwork net;
      if (!detectors::parseCidr(item, net)) {
        return "'" + item + "' is not an address range in CIDR form (e.g. 10.0.0.0/8)";
      }
      out.push_back(net);
    }
    pos = comma + 1;
  }
  return "";
}

}  // namespace

bool parseDuration(std::string_view text, int64_t& micros) {
  if (text.size() < 2) return false;
  int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0) return false;
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1'000'000;
      break;
    case 'm':
      unit = 60'000'000;
      break;
    case 'h':
      unit = 3'600'000'000;
      break;
    case 'd':
      unit = 86'400'000'000;
      break;
    default:
      return false;
  }
  if (n > INT64_MAX / unit) return false;
  micros = n * unit;
  return true;
}

const std::vector<ConfigKey>& configTable() {
  using S = Settings;
  static const std::vector<ConfigKey> kTable = {
      {"detectors.anonymous_read.enabled", "true",
       "Alert on successful unauthenticated reads, heads and lists.",
       [](const std::string& v, S& s) { return parseBool(v, s.detectors.anonymousReadEnabled); }},
      {"detectors.unknown_ip.enabled", "true",
       "Alert when an established principal uses an address never seen for it.",
       [](const std::string& v, S& s) { return parseBool(v, s.detectors.unknownIpEnabled); }},
      {"detectors.unknown_ip.learning_period", "24h",
       "Event time since a principal was first seen before its addresses count as a baseline.",
       [](const std::string& v, S& s) { return durationOrError(v, s.detectors.learningPeriodUs); }},
      {"detectors.unknown_ip.ipv4_prefix", "32",
       "IPv4 granularity: 32 compares exact addresses, 24 compares /24 networks.",
       [](const std::string& v, S& s) { return parseIntRange(v, s.detectors.ipv4Prefix, 8, 32); }},
      {"detectors.unknown_ip.ipv6_prefix", "128",
       "IPv6 granularity: 128 compares exact addresses, 64 compares /64 networks.",
       [](const std::string& v, S& s) {
         return parseIntRange(v, s.detectors.ipv6Prefix, 16, 128);
       }},
      {"detectors.unknown_ip.trusted_networks", "",
       "Comma-separated CIDR ranges never alerted on (e.g. the registry's VPC).",
       [](const std::string& v, S& s) { return parseNetworks(v, s.detectors.trustedNetworks); }},
      {"detectors.unknown_ip.max_addresses", "1024",
       "Addresses remembered per principal; the least recently seen is forgotten past this.",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint32_t>(v, s.detectors.maxAddressesPerPrincipal, 1, 1'000'000);
       }},
      {"detectors.bulk_download.enabled", "true",
       "Alert when a principal reads far more objects and bytes in a window than usual.",
       [](const std::string& v, S& s) { return parseBool(v, s.detectors.bulkDownloadEnabled); }},
      {"detectors.bulk_download.window", "15m", "Length of the tumbling window (event time).",
       [](const std::string& v, S& s) { return durationOrError(v, s.detectors.bulkWindowUs); }},
      {"detectors.bulk_download.min_objects", "100",
       "Absolute floor: objects read in one window before an alert is possible.",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint64_t>(v, s.detectors.bulkMinObjects, 1, UINT64_MAX);
       }},
      {"detectors.bulk_download.min_bytes", "104857600",
       "Absolute floor: bytes sent in one window before an alert is possible.",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint64_t>(v, s.detectors.bulkMinBytes, 1, UINT64_MAX);
       }},
      {"detectors.bulk_download.k_sigma", "3",
       "k in mean + k*stddev of the principal's past active windows (integer 0-100).",
       [](const std::string& v, S& s) {
         int k = 0;
         std::string err = parseIntRange(v, k, 0, 100);
         s.detectors.bulkSigmas = k;
         return err;
       }},
      {"alerts.dedup_window", "1h",
       "One alert per (detector, principal, address or bucket) per window; repeats are folded.",
       [](const std::string& v, S& s) { return durationOrError(v, s.detectors.dedupWindowUs); }},
      {"state.batch_events", "100000",
       "Most events in one micro-batch; each batch is one atomic RocksDB write of the state of "
       "every principal it touched, its alerts and source positions.",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint32_t>(v, s.batchEvents, 1, 10'000'000);
       }},
      {"state.batch_interval_ms", "500",
       "Longest a micro-batch stays open, in milliseconds; alerts are written once their batch "
       "is committed.",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint32_t>(v, s.batchIntervalMs, 1, 60'000);
       }},
      {"state.sync_writes", "false", "fsync every batch (slower; survives power loss).",
       [](const std::string& v, S& s) { return parseBool(v, s.syncWrites); }},
      {"state.dir", "/var/lib/blobwatch",
       "blobwatch run: directory of the RocksDB state (baselines, outbox, positions).",
       [](const std::string& v, S& s) {
         if (v.empty()) return std::string("a directory is required");
         s.stateDir = v;
         return std::string();
       }},
      {"run.exit_idle_ms", "0",
       "blobwatch run: stop cleanly once no source has delivered anything for this many "
       "milliseconds (0: run until SIGTERM). For draining a backlog and for benchmarks.",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint32_t>(v, s.exitIdleMs, 0, 86'400'000);
       }},
      {"outbox.max_alerts", "100000",
       "blobwatch run: undelivered alerts the outbox holds before blobwatch stops taking input "
       "(backpressure; nothing is dropped).",
       [](const std::string& v, S& s) {
         return parseUnsigned<uint64_t>(v, s.outboxMaxAlerts, 1, 100'000'000);
       }},
      {"alerts.file", "",
       "blobwatch run: append alerts (NDJSON) to this file; empty writes them to stdout.",
       [](const std::string& v, S& s) {
         s.alertsFile = v;
         return std::string();
       }},
  };
  return kTable;
}

}  // namespace blobwatch::daemon
