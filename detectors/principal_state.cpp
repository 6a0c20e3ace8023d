#include "detectors/principal_state.h"

#include <cmath>
#include <cstring>

namespace blobwatch::detectors {
namespace {

constexpr uint8_t kVersion = 1;

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

void putString(std::string& out, std::string_view s) {
  put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool get(T& v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool getString(std::string& s) {
    uint32_t n;
    if (!get(n) || in_.size() < n) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool getBytes(uint8_t* p, size_t n) {
    if (in_.size() < n) return false;
    std::memcpy(p, in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void putStats(std::string& out, const RunningStats& s) {
  put(out, s.n);
  put(out, s.mean);
  put(out, s.m2);
}

bool getStats(Reader& r, RunningStats& s) { return r.get(s.n) && r.get(s.mean) && r.get(s.m2); }

}  // namespace

void RunningStats::add(double x) {
  ++n;
  const double delta = x - mean;
  mean += delta / static_cast<double>(n);
  m2 += delta * (x - mean);
}

double RunningStats::stddev() const {
  return n < 2 ? 0.0 : std::sqrt(m2 / static_cast<double>(n - 1));
}

void PrincipalState::encode(std::string& out) const {
  out.clear();
  put(out, kVersion);
  put(out, firstSeenUs);
  put(out, lastSeenUs);
  put(out, events);
  put<uint32_t>(out, static_cast<uint32_t>(addresses.size()));
  for (const auto& a : addresses) {
    out.append(reinterpret_cast<const char*>(a.key.data()), a.key.size());
    put(out, a.firstUs);
    put(out, a.lastUs);
    put(out, a.count);
  }
  put(out, bulk.index);
  put(out, bulk.objects);
  put(out, bulk.bytes);
  put<uint8_t>(out, bulk.alerted ? 1 : 0);
  putStats(out, bulk.objectsHistory);
  putStats(out, bulk.bytesHistory);
  put<uint32_t>(out, static_cast<uint32_t>(dedup.size()));
  for (const auto& d : dedup) {
    putString(out, d.detector);
    putString(out, d.key);
    put(out, d.lastAlertUs);
    put(out, d.lastSeenUs);
    put(out, d.folded);
  }
}

bool PrincipalState::decode(std::string_view in) {
  *this = PrincipalState{};
  Reader r(in);
  uint8_t version = 0;
  uint32_t n = 0;
  if (!r.get(version) || version != kVersion || !r.get(firstSeenUs) || !r.get(lastSeenUs) ||
      !r.get(events) || !r.get(n)) {
    *this = PrincipalState{};
    return false;
  }
  addresses.resize(n);
  for (auto& a : addresses) {
    if (!r.getBytes(a.key.data(), a.key.size()) || !r.get(a.firstUs) || !r.get(a.lastUs) ||
        !r.get(a.count)) {
      *this = PrincipalState{};
      return false;
    }
  }
  uint8_t alerted = 0;
  if (!r.get(bulk.index) || !r.get(bulk.objects) || !r.get(bulk.bytes) || !r.get(alerted) ||
      !getStats(r, bulk.objectsHistory) || !getStats(r, bulk.bytesHistory) || !r.get(n)) {
    *this = PrincipalState{};
    return false;
  }
  bulk.alerted = alerted != 0;
  dedup.resize(n);
  for (auto& d : dedup) {
    if (!r.getString(d.detector) || !r.getString(d.key) || !r.get(d.lastAlertUs) ||
        !r.get(d.lastSeenUs) || !r.get(d.folded)) {
      *this = PrincipalState{};
      return false;
    }
  }
  if (!r.done()) {
    *this = PrincipalState{};
    return false;
  }
  return true;
}

}  // namespace blobwatch::detectors
