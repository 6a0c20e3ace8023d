#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The StateStore interface: where the engine keeps baselines, and where one micro-batch's state
// changes, alerts and source positions are written together. The engine owns this interface;
// daemon/ implements it on RocksDB and tests use MemoryStateStore.

namespace blobwatch::detectors {

struct [[nodiscard]] StoreStatus {
  bool ok = true;
  std::string message;
  static StoreStatus Ok() { return {}; }
  static StoreStatus Error(std::string m) { return {false, std::move(m)}; }
};

// One micro-batch, applied atomically by commit(): all of it is durable or none of it.
struct StateBatch {
  std::vector<std::pair<std::string, std::string>> principals;  // principal -> encoded state
  std::vector<std::pair<std::string, std::string>> alerts;      // alert id -> alert JSON
  std::vector<std::pair<std::string, std::string>> positions;   // source -> position
  bool empty() const { return principals.empty() && alerts.empty() && positions.empty(); }
  void clear() {
    principals.clear();
    alerts.clear();
    positions.clear();
  }
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Looks a principal up. `found` is false (and ok) when it has no state yet.
  virtual StoreStatus getPrincipal(std::string_view principal, std::string& value, bool& found) = 0;
  virtual StoreStatus commit(const StateBatch& batch) = 0;
};

}  // namespace blobwatch::detectors
