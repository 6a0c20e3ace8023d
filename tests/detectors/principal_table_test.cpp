#include "detectors/principal_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace blobwatch::detectors {
namespace {

TEST(PrincipalTable, FindsWhatWasInsertedAndNothingElse) {
  PrincipalTable t;
  EXPECT_EQ(t.find("alice", PrincipalTable::hashOf("alice")), nullptr);
  PrincipalState s;
  s.events = 3;
  PrincipalTable::Entry& a = t.insert("alice", PrincipalTable::hashOf("alice"), s);
  EXPECT_EQ(a.name, "alice");
  EXPECT_EQ(t.find("alice", PrincipalTable::hashOf("alice")), &a);
  EXPECT_EQ(t.find("alice", PrincipalTable::hashOf("alice"))->state.events, 3u);
  EXPECT_EQ(t.find("alic", PrincipalTable::hashOf("alic")), nullptr);
  EXPECT_EQ(t.find("", PrincipalTable::hashOf("")), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(PrincipalTable, EntriesKeepTheirAddressAcrossGrowth) {
  PrincipalTable t;
  std::vector<PrincipalTable::Entry*> entries;
  const int n = 5000;  // many index doublings
  for (int i = 0; i < n; ++i) {
    const std::string name = "user-" + std::to_string(i) + "@example.com";
    PrincipalState s;
    s.events = static_cast<uint64_t>(i);
    entries.push_back(&t.insert(name, PrincipalTable::hashOf(name), s));
  }
  EXPECT_EQ(t.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string name = "user-" + std::to_string(i) + "@example.com";
    PrincipalTable::Entry* e = t.find(name, PrincipalTable::hashOf(name));
    ASSERT_EQ(e, entries[static_cast<size_t>(i)]) << name;
    EXPECT_EQ(e->state.events, static_cast<uint64_t>(i));
  }
  EXPECT_EQ(t.find("user-5000@example.com", PrincipalTable::hashOf("user-5000@example.com")),
            nullptr);
}

TEST(PrincipalTable, CollidingHashesAreToldApartByName) {
  // The same hash for different names (as a weak hash would give): the probe must compare names.
  PrincipalTable t;
  PrincipalTable::Entry& a = t.insert("a", 42, PrincipalState{});
  PrincipalTable::Entry& b = t.insert("b", 42, PrincipalState{});
  PrincipalTable::Entry& c = t.insert("c", 42 + 64, PrincipalState{});  // same slot, other hash
  EXPECT_EQ(t.find("a", 42), &a);
  EXPECT_EQ(t.find("b", 42), &b);
  EXPECT_EQ(t.find("c", 42 + 64), &c);
  EXPECT_EQ(t.find("d", 42), nullptr);
}

}  // namespace
}  // namespace blobwatch::detectors
