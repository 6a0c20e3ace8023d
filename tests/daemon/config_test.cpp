#include "daemon/config.h"

#include <gtest/gtest.h>

#include <set>

namespace blobwatch::daemon {
namespace {

TEST(Config, EveryDefaultInTheTableIsValid) {
  Settings s;
  for (const auto& k : configTable()) {
    EXPECT_EQ(k.apply(k.defaultValue, s), "") << k.name;
  }
}

TEST(Config, DefaultsMatchTheEngineDefaults) {
  Settings fromTable;
  for (const auto& k : configTable()) ASSERT_EQ(k.apply(k.defaultValue, fromTable), "");
  const Settings builtIn;
  EXPECT_EQ(fromTable.detectors.learningPeriodUs, builtIn.detectors.learningPeriodUs);
  EXPECT_EQ(fromTable.detectors.bulkWindowUs, builtIn.detectors.bulkWindowUs);
  EXPECT_EQ(fromTable.detectors.bulkMinObjects, builtIn.detectors.bulkMinObjects);
  EXPECT_EQ(fromTable.detectors.bulkMinBytes, builtIn.detectors.bulkMinBytes);
  EXPECT_EQ(fromTable.detectors.bulkSigmas, builtIn.detectors.bulkSigmas);
  EXPECT_EQ(fromTable.detectors.dedupWindowUs, builtIn.detectors.dedupWindowUs);
  EXPECT_EQ(fromTable.detectors.ipv4Prefix, builtIn.detectors.ipv4Prefix);
  EXPECT_EQ(fromTable.detectors.ipv6Prefix, builtIn.detectors.ipv6Prefix);
  EXPECT_EQ(fromTable.detectors.maxAddressesPerPrincipal,
            builtIn.detectors.maxAddressesPerPrincipal);
  EXPECT_EQ(fromTable.batchEvents, builtIn.batchEvents);
  EXPECT_EQ(fromTable.batchIntervalMs, builtIn.batchIntervalMs);
}

TEST(Config, KeysAreUniqueAndSectioned) {
  std::set<std::string> seen;
  for (const auto& k : configTable()) {
    EXPECT_TRUE(seen.insert(k.name).second) << k.name;
    EXPECT_NE(std::string(k.name).find('.'), std::string::npos) << k.name;
    EXPECT_GT(std::string(k.help).size(), 10u) << k.name;
  }
}

const ConfigKey& key(const std::string& name) {
  for (const auto& k : configTable()) {
    if (name == k.name) return k;
  }
  ADD_FAILURE() << "no key " << name;
  return configTable().front();
}

TEST(Config, BadValuesAreRefusedWithAReason) {
  Settings s;
  EXPECT_NE(key("detectors.unknown_ip.learning_period").apply("soon", s), "");
  EXPECT_NE(key("detectors.unknown_ip.learning_period").apply("0h", s), "");
  EXPECT_NE(key("detectors.unknown_ip.ipv4_prefix").apply("33", s), "");
  EXPECT_NE(key("detectors.anonymous_read.enabled").apply("maybe", s), "");
  EXPECT_NE(key("detectors.bulk_download.min_objects").apply("-5", s), "");
  EXPECT_NE(key("detectors.bulk_download.min_objects").apply("12abc", s), "");
  const std::string cidr =
      key("detectors.unknown_ip.trusted_networks").apply("10.0.0.0/8, nope", s);
  EXPECT_NE(cidr.find("'nope'"), std::string::npos) << cidr;
}

TEST(Config, ValuesAreApplied) {
  Settings s;
  ASSERT_EQ(key("detectors.unknown_ip.learning_period").apply("7d", s), "");
  EXPECT_EQ(s.detectors.learningPeriodUs, 7LL * 86400 * 1'000'000);
  ASSERT_EQ(key("detectors.unknown_ip.trusted_networks").apply(" 10.0.0.0/8 ,2001:db8::/32,", s),
            "");
  ASSERT_EQ(s.detectors.trustedNetworks.size(), 2u);
  ASSERT_EQ(key("detectors.bulk_download.enabled").apply("off", s), "");
  EXPECT_FALSE(s.detectors.bulkDownloadEnabled);
}

TEST(Config, Durations) {
  int64_t us = 0;
  ASSERT_TRUE(parseDuration("90s", us));
  EXPECT_EQ(us, 90'000'000);
  ASSERT_TRUE(parseDuration("15m", us));
  EXPECT_EQ(us, 900'000'000);
  ASSERT_TRUE(parseDuration("24h", us));
  EXPECT_EQ(us, 86'400'000'000);
  for (const char* bad : {"", "h", "10", "10x", "-1h", "0s", "1.5h", "99999999999999999d"}) {
    EXPECT_FALSE(parseDuration(bad, us)) << bad;
  }
}

}  // namespace
}  // namespace blobwatch::daemon
