#pragma once

#include <map>
#include <string>

#include "detectors/state_store.h"

namespace blobwatch::detectors {

// A StateStore in memory, for tests and for runs that keep no state. Not thread-safe.
class MemoryStateStore final : public StateStore {
 public:
  StoreStatus getPrincipal(std::string_view principal, std::string& value, bool& found) override {
    auto it = principals_.find(std::string(principal));
    found = it != principals_.end();
    if (found) value = it->second;
    return StoreStatus::Ok();
  }
  StoreStatus commit(const StateBatch& batch) override {
    ++commits_;
    for (const auto& [k, v] : batch.principals) principals_[k] = v;
    for (const auto& [k, v] : batch.alerts) alerts_[k] = v;
    for (const auto& [k, v] : batch.positions) positions_[k] = v;
    return StoreStatus::Ok();
  }
  size_t commits() const { return commits_; }
  const std::map<std::string, std::string>& alerts() const { return alerts_; }

 private:
  std::map<std::string, std::string> principals_, alerts_, positions_;
  size_t commits_ = 0;
};

}  // namespace blobwatch::detectors
