#pragma once

#include <memory>
#include <string>
#include <vector>

#include "detectors/state_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace blobwatch::daemon {

// The StateStore on RocksDB. Column families: `baselines` (principal -> encoded state),
// `alerts` (alert id -> alert JSON, the record of what was raised), `positions` (source ->
// position) and `meta` (state schema version). Each commit() is one WriteBatch.
//
// Thread safety: RocksDB is thread-safe, but the engine calls this from one thread.
class RocksDbStateStore final : public detectors::StateStore {
 public:
  // Opens or creates the store in `dir`. Startup-time: returns nullptr and sets `error` on
  // failure (including a state written by an incompatible version).
  static std::unique_ptr<RocksDbStateStore> open(const std::string& dir, bool syncWrites,
                                                 std::string& error);
  ~RocksDbStateStore() override;
  RocksDbStateStore(const RocksDbStateStore&) = delete;
  RocksDbStateStore& operator=(const RocksDbStateStore&) = delete;

  detectors::StoreStatus getPrincipal(std::string_view principal, std::string& value,
                                      bool& found) override;
  detectors::StoreStatus commit(const detectors::StateBatch& batch) override;

  // Counts the alerts recorded so far (for tests and the summary).
  uint64_t countAlerts();

 private:
  RocksDbStateStore() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*>
      handles_;  // default, baselines, alerts, positions, meta
  bool sync_ = false;
  std::string dir_;
};

}  // namespace blobwatch::daemon
