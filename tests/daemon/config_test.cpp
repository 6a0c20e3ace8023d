#include "daemon/config.h"

#include <gtest/gtest.h>

#include <set>

#include "daemon/config_check.h"
#include "tests/support/process.h"

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

std::vector<ConfigProblem> check(const std::string& content) {
  testing::TempDir dir;
  testing::writeFile(dir.file("c.conf"), content);
  bool readable = false;
  auto problems = checkConfigFile(dir.file("c.conf"), readable);
  EXPECT_TRUE(readable);
  return problems;
}

TEST(CheckConfig, AGoodFileHasNoProblems) {
  EXPECT_TRUE(check("# blobwatch\n[detectors.unknown_ip]\nlearning_period = 2d\n"
                    "trusted_networks = 10.0.0.0/8\n\n[source.s3]\ntype = file\n"
                    "paths = /var/log/s3/*.log\n[sink.soc]\ntype = file\npath = /tmp/a\n"
                    "[suppress.mirror]\ndetector = anonymous_read\nbucket = b\n")
                  .empty());
}

TEST(CheckConfig, ProblemsNameKeyAndLineWithSuggestions) {
  const auto problems = check(
      "[detectors.unknown_ip]\n"         // 1
      "lerning_period = 2h\n"            // 2: typo
      "trusted_networks = 10.0.0.1/8\n"  // 3: host bits set
      "[detectors.bulk_download]\n"      // 4
      "k_sigma = lots\n"                 // 5: bad value
      "[source.s3]\n"                    // 6
      "type = file\n"                    // 7
      "pahts = /x\n"                     // 8: typo in a dynamic section
      "[sink.soc]\n"                     // 9
      "type = webhook\n"                 // 10
      "timeout_ms = soon\n"              // 11
      "[suppress.x]\n"                   // 12
      "network = 300.0.0.0/8\n");        // 13
  ASSERT_EQ(problems.size(), 7u) << formatProblems("c.conf", problems);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[0].suggestion, "detectors.unknown_ip.learning_period");
  EXPECT_EQ(problems[1].line, 3);
  EXPECT_NE(problems[1].message.find("10.0.0.1/8"), std::string::npos);
  EXPECT_EQ(problems[2].line, 5);
  EXPECT_EQ(problems[2].key, "detectors.bulk_download.k_sigma");
  EXPECT_EQ(problems[3].line, 7);  // source.s3 as a whole: paths is required
  EXPECT_NE(problems[3].message.find("source.s3.paths is required"), std::string::npos);
  EXPECT_EQ(problems[4].line, 8);
  EXPECT_EQ(problems[4].suggestion, "source.s3.paths");
  EXPECT_EQ(problems[5].line, 11);
  EXPECT_EQ(problems[6].line, 13);
  const std::string text = formatProblems("c.conf", problems);
  EXPECT_NE(text.find("c.conf:2: detectors.unknown_ip.lerning_period: unknown key (did you mean "
                      "detectors.unknown_ip.learning_period?)"),
            std::string::npos)
      << text;
}

TEST(CheckConfig, RunRefusesTheSameProblemsWithLines) {
  testing::TempDir dir;
  testing::writeFile(dir.file("c.conf"),
                     "[source.a]\ntype = file\npaths = /x\n[state]\ndri = /tmp\n");
  auto r = testing::runProcess({BLOBWATCH_BINARY, "run", "--config", dir.file("c.conf")});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find(":5: state.dri: unknown key (did you mean state.dir?)"), std::string::npos)
      << r.err;
  auto c = testing::runProcess({BLOBWATCH_BINARY, "check-config", dir.file("c.conf")});
  EXPECT_EQ(c.exitCode, 2);
  EXPECT_EQ(c.err, r.err);
}

}  // namespace
}  // namespace blobwatch::daemon
