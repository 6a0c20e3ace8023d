#include "daemon/rocksdb_state_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>

#include "tests/support/process.h"

namespace blobwatch::daemon {
namespace {

using testing::TempDir;

TEST(RocksDbStateStore, CommitIsDurableAcrossReopen) {
  TempDir dir;
  std::string error;
  {
    auto store = RocksDbStateStore::open(dir.path().string(), /*syncWrites=*/true, error);
    ASSERT_TRUE(store) << error;
    detectors::StateBatch batch;
    batch.principals = {{"arn:aws:iam::1:user/a", "state-a"}, {"anonymous", "state-anon"}};
    batch.alerts = {{"id1", "{\"id\":\"id1\"}"}};
    batch.positions = {{"file.log", "123"}};
    ASSERT_TRUE(store->commit(batch).ok);
  }
  auto store = RocksDbStateStore::open(dir.path().string(), false, error);
  ASSERT_TRUE(store) << error;
  std::string value;
  bool found = false;
  ASSERT_TRUE(store->getPrincipal("arn:aws:iam::1:user/a", value, found).ok);
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "state-a");
  ASSERT_TRUE(store->getPrincipal("nobody", value, found).ok);
  EXPECT_FALSE(found);
  EXPECT_EQ(store->countAlerts(), 1u);
}

TEST(RocksDbStateStore, ANewStoreHasEveryFamilyAndReopens) {
  TempDir dir;
  std::string error;
  { ASSERT_TRUE(RocksDbStateStore::open(dir.path().string(), false, error)) << error; }
  std::vector<std::string> families;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path().string(), &families).ok());
  std::sort(families.begin(), families.end());
  EXPECT_EQ(families,
            (std::vector<std::string>{"alerts", "baselines", "default", "meta", "positions"}));
  auto store = RocksDbStateStore::open(dir.path().string(), false, error);
  ASSERT_TRUE(store) << error;
  detectors::StateBatch batch;
  batch.positions = {{"file.log", "9"}};
  ASSERT_TRUE(store->commit(batch).ok);
  std::map<std::string, std::string, std::less<>> positions;
  ASSERT_TRUE(store->loadPositions(positions).ok);
  EXPECT_EQ(positions["file.log"], "9");
}

TEST(RocksDbStateStore, RefusesAStateOfAnotherSchemaVersion) {
  TempDir dir;
  std::string error;
  { ASSERT_TRUE(RocksDbStateStore::open(dir.path().string(), false, error)) << error; }
  {
    // Rewrite the schema version the way a future blobwatch would.
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "baselines", "alerts", "positions", "meta"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path().string(), cfs, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[4], "schema_version", "99").ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  EXPECT_FALSE(RocksDbStateStore::open(dir.path().string(), false, error));
  EXPECT_NE(error.find("schema version 99"), std::string::npos) << error;
}

TEST(RocksDbStateStore, UnwritableDirectoryIsAClearStartupError) {
  std::string error;
  EXPECT_FALSE(RocksDbStateStore::open("/proc/blobwatch-cannot-be-here", false, error));
  EXPECT_NE(error.find("/proc/blobwatch-cannot-be-here"), std::string::npos) << error;
}

}  // namespace
}  // namespace blobwatch::daemon
