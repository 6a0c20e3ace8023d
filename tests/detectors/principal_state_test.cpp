#include "detectors/principal_state.h"

#include <gtest/gtest.h>

namespace blobwatch::detectors {
namespace {

PrincipalState sample() {
  PrincipalState s;
  s.firstSeenUs = 1;
  s.lastSeenUs = 99;
  s.events = 7;
  AddressStat a;
  a.key[15] = 9;
  a.firstUs = 2;
  a.lastUs = 3;
  a.count = 4;
  s.addresses = {a, a};
  s.addresses[1].key[0] = 1;
  s.bulk.index = 12;
  s.bulk.objects = 13;
  s.bulk.bytes = 14;
  s.bulk.alerted = true;
  s.bulk.objectsHistory.add(3);
  s.bulk.objectsHistory.add(5);
  s.bulk.bytesHistory.add(1e9);
  s.dedup.push_back({"unknown_ip", "203.0.113.0/24", 5, 6, 7});
  return s;
}

TEST(PrincipalState, EncodeDecodeRoundTrip) {
  const PrincipalState s = sample();
  std::string bytes;
  s.encode(bytes);
  PrincipalState back;
  ASSERT_TRUE(back.decode(bytes));
  std::string again;
  back.encode(again);
  EXPECT_EQ(bytes, again);
  EXPECT_EQ(back.events, 7u);
  ASSERT_EQ(back.addresses.size(), 2u);
  EXPECT_EQ(back.addresses[1].key[0], 1);
  EXPECT_EQ(back.bulk.objectsHistory.n, 2u);
  EXPECT_DOUBLE_EQ(back.bulk.objectsHistory.mean, 4.0);
  EXPECT_TRUE(back.bulk.alerted);
  ASSERT_EQ(back.dedup.size(), 1u);
  EXPECT_EQ(back.dedup[0].key, "203.0.113.0/24");
  EXPECT_EQ(back.dedup[0].folded, 7u);
}

TEST(PrincipalState, RejectsTruncatedTrailingAndForeignVersions) {
  std::string bytes;
  sample().encode(bytes);
  PrincipalState back;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(back.decode(std::string_view(bytes).substr(0, n))) << n;
    EXPECT_EQ(back.events, 0u);
  }
  EXPECT_FALSE(back.decode(bytes + "x"));
  std::string future = bytes;
  future[0] = 2;
  EXPECT_FALSE(back.decode(future));
}

TEST(RunningStats, MatchesTheTextbookFormulas) {
  RunningStats s;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) s.add(x);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.stddev(), 2.1380899, 1e-6);  // sample standard deviation
  RunningStats one;
  one.add(3);
  EXPECT_EQ(one.stddev(), 0.0);
}

}  // namespace
}  // namespace blobwatch::detectors
