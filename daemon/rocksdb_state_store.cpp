#include "daemon/rocksdb_state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

namespace blobwatch::daemon {
namespace {

constexpr const char* kSchemaVersion = "2";  // 2: outbox keyed by sequence number

std::string seqKey(uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i) {
    k[static_cast<size_t>(i)] = static_cast<char>(seq & 0xFF);
    seq >>= 8;
  }
  return k;
}

uint64_t seqOf(const rocksdb::Slice& k) {
  uint64_t seq = 0;
  for (size_t i = 0; i < k.size() && i < 8; ++i) {
    seq = (seq << 8) | static_cast<unsigned char>(k[i]);
  }
  return seq;
}
enum Cf : size_t { kDefault, kBaselines, kAlerts, kPositions, kMeta };

}  // namespace

std::unique_ptr<RocksDbStateStore> RocksDbStateStore::open(const std::string& dir, bool syncWrites,
                                                           std::string& error) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_open_files = 256;
  options.keep_log_file_num = 2;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // The store holds a few small SST files at most: the default 16 threads that open them in
  // parallel cost more to start than they save.
  options.max_file_opening_threads = 1;
  // Small memtables: the hot state lives in the engine's memory, so RocksDB's write buffers only
  // stage what a batch wrote; the defaults (64 MiB, two of them per family) would dominate RSS.
  rocksdb::ColumnFamilyOptions small;
  small.write_buffer_size = 8u << 20;
  small.max_write_buffer_number = 2;
  rocksdb::ColumnFamilyOptions baselines = small;
  baselines.write_buffer_size = 16u << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, small},
      {"baselines", baselines},
      {"alerts", small},
      {"positions", small},
      {"meta", small},
  };
  std::unique_ptr<RocksDbStateStore> store(new RocksDbStateStore());
  rocksdb::DB* raw = nullptr;
  // A new store (`blobwatch scan`'s temporary one, a first start): open it with the default
  // family and create the others in one call. Open's create_missing_column_families creates
  // them one at a time, each rewriting and syncing the OPTIONS file: 11 ms against 7 ms here.
  std::vector<std::string> existing;
  const bool fresh =
      !rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(options), dir, &existing).ok();
  rocksdb::Status st;
  if (fresh) {
    st = rocksdb::DB::Open(options, dir, {cfs.front()}, &store->handles_, &raw);
    if (st.ok()) {
      store->db_.reset(raw);
      std::vector<rocksdb::ColumnFamilyHandle*> created;
      st = raw->CreateColumnFamilies({cfs.begin() + 1, cfs.end()}, &created);
      store->handles_.insert(store->handles_.end(), created.begin(), created.end());
    }
  } else {
    st = rocksdb::DB::Open(options, dir, cfs, &store->handles_, &raw);
    if (st.ok()) store->db_.reset(raw);
  }
  if (!st.ok() || store->handles_.size() != cfs.size()) {
    error = "cannot open state directory " + dir + ": " + st.ToString();
    return nullptr;
  }
  store->sync_ = syncWrites;
  store->dir_ = dir;
  std::string version;
  st = store->db_->Get(rocksdb::ReadOptions(), store->handles_[kMeta], "schema_version", &version);
  if (st.IsNotFound()) {
    st = store->db_->Put(rocksdb::WriteOptions(), store->handles_[kMeta], "schema_version",
                         kSchemaVersion);
  } else if (st.ok() && version != kSchemaVersion) {
    error = "state directory " + dir + " holds schema version " + version +
            "; this blobwatch reads version " + kSchemaVersion;
    return nullptr;
  }
  if (!st.ok()) {
    error = "cannot read state directory " + dir + ": " + st.ToString();
    return nullptr;
  }
  std::unique_ptr<rocksdb::Iterator> it(
      store->db_->NewIterator(rocksdb::ReadOptions(), store->handles_[kAlerts]));
  it->SeekToLast();
  uint64_t next = it->Valid() ? seqOf(it->key()) + 1 : 1;
  std::string stored;
  // The outbox is pruned as sinks deliver: the counter is kept in `meta` so that numbers are
  // never reused (a reused number would be behind the sinks' cursors and never delivered).
  if (store->db_->Get(rocksdb::ReadOptions(), store->handles_[kMeta], "outbox_next", &stored)
          .ok()) {
    next = std::max(next, seqOf(stored));
  }
  store->nextSeq_.store(next);
  return store;
}

RocksDbStateStore::~RocksDbStateStore() {
  if (db_) {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
  }
}

detectors::StoreStatus RocksDbStateStore::getPrincipal(std::string_view principal,
                                                       std::string& value, bool& found) {
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), handles_[kBaselines],
                                rocksdb::Slice(principal.data(), principal.size()), &value);
  found = st.ok();
  if (st.ok() || st.IsNotFound()) return detectors::StoreStatus::Ok();
  return detectors::StoreStatus::Error("state read failed in " + dir_ + ": " + st.ToString());
}

detectors::StoreStatus RocksDbStateStore::commit(const detectors::StateBatch& batch) {
  // Reserve the batch's bytes up front (each record: a tag, a family id and two varint lengths,
  // at most 12 bytes, then key and value), instead of growing its buffer by doubling.
  size_t bytes = 64;
  for (const auto& [k, v] : batch.principals) bytes += 12 + k.size() + v.size();
  for (const auto& alert : batch.alerts) bytes += 12 + 8 + alert.second.size();
  for (const auto& [k, v] : batch.positions) bytes += 12 + k.size() + v.size();
  rocksdb::WriteBatch wb(bytes);
  for (const auto& [k, v] : batch.principals) (void)wb.Put(handles_[kBaselines], k, v);
  uint64_t seq = nextSeq_.load();
  for (const auto& alert : batch.alerts) {
    (void)wb.Put(handles_[kAlerts], seqKey(seq++), alert.second);
  }
  if (!batch.alerts.empty()) (void)wb.Put(handles_[kMeta], "outbox_next", seqKey(seq));
  for (const auto& [k, v] : batch.positions) (void)wb.Put(handles_[kPositions], k, v);
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::Status st = db_->Write(wo, &wb);
  if (!st.ok()) {
    return detectors::StoreStatus::Error("state write failed in " + dir_ + ": " + st.ToString());
  }
  nextSeq_.store(seq);
  return detectors::StoreStatus::Ok();
}

detectors::StoreStatus RocksDbStateStore::loadPositions(
    std::map<std::string, std::string, std::less<>>& out) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kPositions]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out[it->key().ToString()] = it->value().ToString();
  }
  if (!it->status().ok()) {
    return detectors::StoreStatus::Error("state read failed in " + dir_ + ": " +
                                         it->status().ToString());
  }
  return detectors::StoreStatus::Ok();
}

detectors::StoreStatus RocksDbStateStore::readAlerts(
    uint64_t afterSeq, size_t max, std::vector<std::pair<uint64_t, std::string>>& out) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAlerts]));
  for (it->Seek(seqKey(afterSeq + 1)); it->Valid() && out.size() < max; it->Next()) {
    out.emplace_back(seqOf(it->key()), it->value().ToString());
  }
  if (!it->status().ok()) {
    return detectors::StoreStatus::Error("outbox read failed in " + dir_ + ": " +
                                         it->status().ToString());
  }
  return detectors::StoreStatus::Ok();
}

detectors::StoreStatus RocksDbStateStore::deliveredCursor(std::string_view sink, uint64_t& seq) {
  std::string value;
  rocksdb::Status st =
      db_->Get(rocksdb::ReadOptions(), handles_[kMeta], "delivered:" + std::string(sink), &value);
  seq = 0;
  if (st.IsNotFound()) return detectors::StoreStatus::Ok();
  if (!st.ok()) return detectors::StoreStatus::Error("state read failed: " + st.ToString());
  seq = seqOf(value);
  return detectors::StoreStatus::Ok();
}

detectors::StoreStatus RocksDbStateStore::setDeliveredCursor(std::string_view sink, uint64_t seq) {
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::Status st = db_->Put(wo, handles_[kMeta], "delivered:" + std::string(sink), seqKey(seq));
  if (!st.ok()) return detectors::StoreStatus::Error("state write failed: " + st.ToString());
  return detectors::StoreStatus::Ok();
}

uint64_t RocksDbStateStore::countAlerts() {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAlerts]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

detectors::StoreStatus RocksDbStateStore::deliveredCursors(std::map<std::string, uint64_t>& out) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kMeta]));
  for (it->Seek("delivered:"); it->Valid() && it->key().starts_with("delivered:"); it->Next()) {
    out[it->key().ToString().substr(10)] = seqOf(it->value());
  }
  if (!it->status().ok()) return detectors::StoreStatus::Error(it->status().ToString());
  return detectors::StoreStatus::Ok();
}

detectors::StoreStatus RocksDbStateStore::deadLetter(std::string_view sink, uint64_t seq,
                                                     std::string_view reason,
                                                     std::string_view alertJson) {
  std::string value(reason);
  value.push_back('\n');
  value.append(alertJson);
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  rocksdb::Status st =
      db_->Put(wo, handles_[kMeta], "deadletter:" + std::string(sink) + ":" + seqKey(seq), value);
  if (!st.ok()) return detectors::StoreStatus::Error("state write failed: " + st.ToString());
  return detectors::StoreStatus::Ok();
}

uint64_t RocksDbStateStore::countDeadLetters() {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kMeta]));
  for (it->Seek("deadletter:"); it->Valid() && it->key().starts_with("deadletter:"); it->Next()) {
    ++n;
  }
  return n;
}

detectors::StoreStatus RocksDbStateStore::pruneOutbox(uint64_t seq) {
  if (seq == 0) return detectors::StoreStatus::Ok();
  rocksdb::Status st =
      db_->DeleteRange(rocksdb::WriteOptions(), handles_[kAlerts], seqKey(0), seqKey(seq + 1));
  if (!st.ok()) return detectors::StoreStatus::Error("outbox prune failed: " + st.ToString());
  return detectors::StoreStatus::Ok();
}

uint64_t RocksDbStateStore::sizeBytes() const {
  uint64_t sst = 0, mem = 0;
  (void)db_->GetAggregatedIntProperty("rocksdb.total-sst-files-size", &sst);
  (void)db_->GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &mem);
  return sst + mem;
}

}  // namespace blobwatch::daemon
