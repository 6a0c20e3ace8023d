#pragma once

#include <functional>
#include <map>
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
// `alerts` (the outbox: 8-byte big-endian sequence number -> alert JSON, in the order raised),
// `positions` (stream -> position) and `meta` (state schema version, delivery cursors). Each
// commit() is one WriteBatch.
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

  // Every stored stream position (the `positions` family).
  detectors::StoreStatus loadPositions(std::map<std::string, std::string, std::less<>>& out);

  // The outbox: up to `max` alerts with a sequence number above `afterSeq`, in order.
  detectors::StoreStatus readAlerts(uint64_t afterSeq, size_t max,
                                    std::vector<std::pair<uint64_t, std::string>>& out);
  // The last sequence number a sink has durably delivered (0: none).
  detectors::StoreStatus deliveredCursor(std::string_view sink, uint64_t& seq);
  detectors::StoreStatus setDeliveredCursor(std::string_view sink, uint64_t seq);

 private:
  RocksDbStateStore() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*>
      handles_;  // default, baselines, alerts, positions, meta
  bool sync_ = false;
  std::string dir_;
  uint64_t nextSeq_ = 1;  // outbox sequence number of the next alert
};

}  // namespace blobwatch::daemon
