#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Per-principal baseline: everything the detectors remember about one principal. It is the unit
// of persistence (one value per principal in the StateStore), so scanning A then B with the same
// state gives the same alerts as scanning A and B together.

namespace blobwatch::detectors {

struct AddressStat {
  std::array<uint8_t, 16> key{};  // address masked to the configured granularity
  int64_t firstUs = 0;
  int64_t lastUs = 0;
  uint64_t count = 0;
};

// Welford running statistics over the values of past windows.
struct RunningStats {
  uint64_t n = 0;
  double mean = 0;
  double m2 = 0;
  void add(double x);
  double stddev() const;
};

struct BulkWindow {
  int64_t index = -1;  // window number: floor(event time / window length); -1 before any
  uint64_t objects = 0;
  uint64_t bytes = 0;
  bool alerted = false;
  RunningStats objectsHistory;  // over past windows with at least one object read
  RunningStats bytesHistory;
};

struct DedupEntry {
  std::string detector;
  std::string key;
  int64_t lastAlertUs = 0;  // event time of the last alert sent for this key
  int64_t lastSeenUs = 0;   // event time of the last repeat folded into it
  uint64_t folded = 0;      // repeats folded since lastAlertUs
};

struct PrincipalState {
  int64_t firstSeenUs = 0;
  int64_t lastSeenUs = 0;
  uint64_t events = 0;
  std::vector<AddressStat> addresses;  // sorted by key
  BulkWindow bulk;
  std::vector<DedupEntry> dedup;
  bool dirty = false;  // changed since the last commit; not persisted

  // Binary encoding, versioned by its first byte. decode() returns false on a value it does not
  // understand (corrupt or from a newer version), leaving the state empty.
  void encode(std::string& out) const;
  [[nodiscard]] bool decode(std::string_view in);
};

}  // namespace blobwatch::detectors
