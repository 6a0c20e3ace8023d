#pragma once

#include <atomic>
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
// Thread safety: commit() and getPrincipal() come from the daemon's loop; the outbox calls
// (readAlerts, cursors, dead letters, lastSeq) may come from the sinks' delivery threads at the
// same time: RocksDB is thread-safe and the sequence counter is atomic.
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
  // Every sink's cursor, by sink name.
  detectors::StoreStatus deliveredCursors(std::map<std::string, uint64_t>& out);
  // Records an alert a sink refused for good (the reason, then the alert JSON), in `meta`.
  detectors::StoreStatus deadLetter(std::string_view sink, uint64_t seq, std::string_view reason,
                                    std::string_view alertJson);
  uint64_t countDeadLetters();
  // Removes outbox entries up to `seq` (delivered to every sink).
  detectors::StoreStatus pruneOutbox(uint64_t seq);
  // Bytes the state takes: SST files plus memtables, over every column family.
  uint64_t sizeBytes() const;
  // The sequence number of the last alert written (0: none). Thread-safe.
  uint64_t lastSeq() const { return nextSeq_.load() - 1; }

 private:
  RocksDbStateStore() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*>
      handles_;  // default, baselines, alerts, positions, meta
  bool sync_ = false;
  std::string dir_;
  std::atomic<uint64_t> nextSeq_{1};  // outbox sequence number of the next alert
};

}  // namespace blobwatch::daemon
