#include "detectors/engine.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "detectors/memory_state_store.h"
#include "tests/detectors/event_builder.h"

namespace blobwatch::detectors {
namespace {

using testing::kHourUs;
using testing::kMinuteUs;
using testing::kT0;
using testing::makeAnonymous;
using testing::makeRead;

class EngineTest : public ::testing::Test {
 protected:
  std::vector<Alert> run(const std::vector<schemas::AccessEvent>& events) {
    Engine engine(config_, store_);
    std::vector<Alert> out;
    for (const auto& e : events) {
      EXPECT_TRUE(engine.process(e).ok);
    }
    EXPECT_TRUE(engine.flush(out).ok);
    counters_ = engine.counters();
    return out;
  }
  static std::vector<Alert> only(const std::vector<Alert>& alerts, std::string_view detector) {
    std::vector<Alert> out;
    for (const auto& a : alerts) {
      if (a.detector == detector) out.push_back(a);
    }
    return out;
  }

  DetectorConfig config_;
  MemoryStateStore store_;
  EngineCounters counters_;
};

// ---------------------------------------------------------------------------------------------
// anonymous_read

TEST_F(EngineTest, AnonymousSuccessfulReadAlerts) {
  auto alerts = run({makeAnonymous("198.51.100.7", kT0, 200)});
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.detector, "anonymous_read");
  EXPECT_EQ(a.severity, Severity::kHigh);
  EXPECT_EQ(a.principal, "anonymous");
  EXPECT_EQ(a.sourceIp, "198.51.100.7");
  EXPECT_EQ(a.bucket, "harbor-registry-prod");
  EXPECT_EQ(a.dedupKey, "harbor-registry-prod");
  EXPECT_NE(a.summary.find("s3://harbor-registry-prod/docker/registry"), std::string::npos);
  EXPECT_NE(a.evidenceJson.find("\"http_status\":200"), std::string::npos);
  EXPECT_EQ(a.requestIds, std::vector<std::string>{"REQ" + std::to_string(kT0)});
  EXPECT_EQ(a.id.size(), 32u);
}

TEST_F(EngineTest, AnonymousDeniedIsCountedNotAlerted) {
  auto alerts =
      run({makeAnonymous("198.51.100.7", kT0, 403), makeAnonymous("198.51.100.8", kT0 + 1, 404)});
  EXPECT_TRUE(only(alerts, "anonymous_read").empty());
  EXPECT_EQ(counters_.anonymousDenied, 2u);
}

TEST_F(EngineTest, AnonymousHeadNotModifiedAndListAlertAsMedium) {
  auto head = makeAnonymous("198.51.100.7", kT0, 304);
  head.opClass = schemas::OpClass::kHead;
  auto list = makeAnonymous("198.51.100.7", kT0 + 1, 200);
  list.opClass = schemas::OpClass::kList;
  list.bucket = "other-bucket";
  auto alerts = run({head, list});
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].severity, Severity::kMedium);
  EXPECT_EQ(alerts[1].severity, Severity::kMedium);
}

TEST_F(EngineTest, AnonymousWriteIsNotAnAnonymousRead) {
  auto put = makeAnonymous("198.51.100.7", kT0, 200);
  put.opClass = schemas::OpClass::kWrite;
  EXPECT_TRUE(only(run({put}), "anonymous_read").empty());
}

TEST_F(EngineTest, AuthenticatedReadIsNotAnonymous) {
  EXPECT_TRUE(
      only(run({makeRead("arn:aws:iam::1:user/a", "10.0.0.1", kT0)}), "anonymous_read").empty());
}

TEST_F(EngineTest, DisabledDetectorRaisesNothing) {
  config_.anonymousReadEnabled = false;
  EXPECT_TRUE(run({makeAnonymous("198.51.100.7", kT0, 200)}).empty());
}

std::vector<schemas::AccessEvent> window(const std::string& p, int64_t windowIndex, int objects,
                                         int64_t bytesEach);

// ---------------------------------------------------------------------------------------------
// deduplication

TEST_F(EngineTest, RepeatsInsideTheWindowAreFoldedAndReportedByTheNextAlert) {
  std::vector<schemas::AccessEvent> events;
  for (int i = 0; i < 5; ++i)
    events.push_back(makeAnonymous("198.51.100.7", kT0 + i * kMinuteUs, 200));
  events.push_back(makeAnonymous("198.51.100.9", kT0 + kHourUs + kMinuteUs, 200));
  auto alerts = run(events);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].foldedBefore, 0u);
  EXPECT_EQ(alerts[0].previousAlertUs, -1);
  EXPECT_EQ(alerts[1].foldedBefore, 4u);
  EXPECT_EQ(alerts[1].previousAlertUs, kT0);
  EXPECT_EQ(alerts[1].previousLastSeenUs, kT0 + 4 * kMinuteUs);  // first/last seen of the fold
  EXPECT_EQ(alerts[0].previousLastSeenUs, -1);
  EXPECT_EQ(counters_.folded, 4u);
  EXPECT_EQ(counters_.alerts, 2u);
  EXPECT_EQ(counters_.alertsByDetector.at("anonymous_read"), 2u);
}

TEST_F(EngineTest, DifferentBucketsAreDifferentAlerts) {
  auto a = makeAnonymous("198.51.100.7", kT0, 200);
  auto b = makeAnonymous("198.51.100.7", kT0 + 1, 200);
  b.bucket = "second-bucket";
  EXPECT_EQ(run({a, b}).size(), 2u);
}

TEST_F(EngineTest, DedupWindowIsConfigurable) {
  config_.dedupWindowUs = 10 * kMinuteUs;
  auto alerts = run({makeAnonymous("198.51.100.7", kT0, 200),
                     makeAnonymous("198.51.100.7", kT0 + 5 * kMinuteUs, 200),
                     makeAnonymous("198.51.100.7", kT0 + 11 * kMinuteUs, 200)});
  EXPECT_EQ(alerts.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// suppression

TEST_F(EngineTest, SuppressionRulesMuteMatchingAlertsAndCountThem) {
  SuppressionRule partner;
  partner.name = "partner-mirror";
  partner.detector = "anonymous_read";
  partner.bucket = "harbor-registry-prod";
  ASSERT_TRUE(parseCidr("198.51.100.0/24", partner.network));
  partner.hasNetwork = true;
  partner.objectPrefix = "docker/registry/v2/blobs/";
  partner.expiresUs = kT0 + 10 * kHourUs;
  config_.suppressions.push_back(partner);
  auto other = makeAnonymous("203.0.113.5", kT0 + 1, 200);  // outside the network
  other.bucket = "other";
  auto late = makeAnonymous("198.51.100.7", kT0 + 11 * kHourUs, 200);  // after the expiry
  auto alerts = run({makeAnonymous("198.51.100.7", kT0, 200),
                     makeAnonymous("198.51.100.8", kT0 + kHourUs + 1, 200), other, late});
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].sourceIp, "203.0.113.5");
  EXPECT_EQ(alerts[1].timeUs, kT0 + 11 * kHourUs);
  EXPECT_EQ(alerts[1].foldedBefore, 0u);  // muted alerts neither went out nor opened a window
  EXPECT_EQ(counters_.suppressed, 2u);
  EXPECT_EQ(counters_.suppressedByRule.at("partner-mirror"), 2u);
}

TEST_F(EngineTest, SuppressionNeedsEveryFieldToMatch) {
  SuppressionRule r;
  r.name = "r";
  r.principal = "arn:aws:iam::1:user/ci";
  r.detector = "bulk_download";  // only bulk downloads of the CI user
  config_.suppressions.push_back(r);
  const std::string p = "arn:aws:iam::1:user/ci";
  auto alerts =
      run({makeRead(p, "192.0.2.10", kT0), makeRead(p, "203.0.113.66", kT0 + 30 * kHourUs)});
  EXPECT_EQ(only(alerts, "unknown_ip").size(), 1u);
  EXPECT_EQ(counters_.suppressed, 0u);
}

// ---------------------------------------------------------------------------------------------
// unknown_ip

TEST_F(EngineTest, NewAddressDuringLearningIsLearnedNotAlerted) {
  const std::string p = "arn:aws:iam::111122223333:user/ci";
  auto alerts = run({makeRead(p, "192.0.2.10", kT0), makeRead(p, "192.0.2.11", kT0 + kHourUs),
                     // established after 24 h: both learned addresses are known
                     makeRead(p, "192.0.2.10", kT0 + 25 * kHourUs),
                     makeRead(p, "192.0.2.11", kT0 + 26 * kHourUs)});
  EXPECT_TRUE(only(alerts, "unknown_ip").empty());
}

TEST_F(EngineTest, NewAddressAfterLearningAlertsWithEvidence) {
  const std::string p = "arn:aws:iam::111122223333:user/ci";
  auto write = makeRead(p, "203.0.113.66", kT0 + 30 * kHourUs);
  write.opClass = schemas::OpClass::kWrite;
  write.rawOperation = "REST.PUT.OBJECT";
  auto alerts = only(run({makeRead(p, "192.0.2.10", kT0), makeRead(p, "192.0.2.10", kT0 + kHourUs),
                          makeRead(p, "203.0.113.66", kT0 + 25 * kHourUs), write}),
                     "unknown_ip");
  ASSERT_EQ(alerts.size(), 1u);  // the write from the same address is already known
  const Alert& a = alerts[0];
  EXPECT_EQ(a.principal, p);
  EXPECT_EQ(a.sourceIp, "203.0.113.66");
  EXPECT_EQ(a.dedupKey, "203.0.113.66");
  EXPECT_EQ(a.severity, Severity::kMedium);
  EXPECT_NE(a.evidenceJson.find("\"known_addresses\":1"), std::string::npos);
  EXPECT_NE(a.evidenceJson.find("\"address\":\"192.0.2.10\",\"requests\":2"), std::string::npos);
  EXPECT_NE(a.evidenceJson.find("\"history_seconds\":90000"), std::string::npos);
  EXPECT_NE(a.summary.find("never seen"), std::string::npos);
}

TEST_F(EngineTest, WriteFromNewAddressIsHighSeverity) {
  const std::string p = "arn:aws:iam::1:user/ci";
  auto write = makeRead(p, "203.0.113.66", kT0 + 30 * kHourUs);
  write.opClass = schemas::OpClass::kWrite;
  auto alerts = only(run({makeRead(p, "192.0.2.10", kT0), write}), "unknown_ip");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].severity, Severity::kHigh);
}

TEST_F(EngineTest, TrustedNetworksNeverAlert) {
  IpNetwork net;
  ASSERT_TRUE(parseCidr("10.0.0.0/8", net));
  config_.trustedNetworks.push_back(net);
  ASSERT_TRUE(parseCidr("2001:db8::/32", net));
  config_.trustedNetworks.push_back(net);
  const std::string p = "arn:aws:iam::1:user/ci";
  auto alerts = run({makeRead(p, "192.0.2.10", kT0), makeRead(p, "10.9.8.7", kT0 + 30 * kHourUs),
                     makeRead(p, "2001:db8:1::5", kT0 + 31 * kHourUs),
                     makeRead(p, "11.0.0.1", kT0 + 32 * kHourUs)});
  auto unknown = only(alerts, "unknown_ip");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].sourceIp, "11.0.0.1");
}

TEST_F(EngineTest, SubnetGranularity) {
  config_.ipv4Prefix = 24;
  config_.ipv6Prefix = 64;
  const std::string p = "arn:aws:iam::1:user/ci";
  auto alerts = only(run({makeRead(p, "192.0.2.10", kT0), makeRead(p, "2001:db8:0:1::1", kT0 + 1),
                          makeRead(p, "192.0.2.200", kT0 + 30 * kHourUs),         // same /24
                          makeRead(p, "2001:db8:0:1::ffff", kT0 + 31 * kHourUs),  // same /64
                          makeRead(p, "2001:db8:0:2::1", kT0 + 32 * kHourUs),     // new /64
                          makeRead(p, "192.0.3.1", kT0 + 33 * kHourUs)}),         // new /24
                     "unknown_ip");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].dedupKey, "2001:db8:0:2::/64");
  EXPECT_EQ(alerts[1].dedupKey, "192.0.3.0/24");
}

TEST_F(EngineTest, LearningPeriodIsConfigurable) {
  config_.learningPeriodUs = 2 * kHourUs;
  const std::string p = "arn:aws:iam::1:user/ci";
  auto alerts =
      only(run({makeRead(p, "192.0.2.10", kT0), makeRead(p, "192.0.2.11", kT0 + 3 * kHourUs)}),
           "unknown_ip");
  EXPECT_EQ(alerts.size(), 1u);
}

TEST_F(EngineTest, AnonymousAndServicePrincipalsAreNotBaselinedByAddress) {
  auto svc = makeRead("svc:s3.amazonaws.com", "192.0.2.1", kT0);
  svc.principalKind = schemas::PrincipalKind::kService;
  auto svc2 = svc;
  svc2.sourceIpText = "192.0.2.99";
  ASSERT_TRUE(schemas::parseIp("192.0.2.99", svc2.sourceIp));
  svc2.timeUs = kT0 + 30 * kHourUs;
  auto anon1 = makeAnonymous("198.51.100.1", kT0, 403);
  auto anon2 = makeAnonymous("198.51.100.2", kT0 + 30 * kHourUs, 403);
  EXPECT_TRUE(only(run({svc, svc2, anon1, anon2}), "unknown_ip").empty());
}

TEST_F(EngineTest, UnidentifiedTrafficRaisesNoPerPrincipalAlert) {
  // GCS usage logs name no principal: new addresses and bulk reads cannot be attributed.
  auto tag = [](schemas::AccessEvent e) {
    e.principal = "unidentified";
    e.principalKind = schemas::PrincipalKind::kUnidentified;
    return e;
  };
  std::vector<schemas::AccessEvent> events = {tag(makeRead("", "192.0.2.1", kT0)),
                                              tag(makeRead("", "192.0.2.2", kT0 + 30 * kHourUs))};
  for (const auto& e : window("", 200, 300, 2 << 20)) events.push_back(tag(e));
  EXPECT_TRUE(run(events).empty());
  EXPECT_EQ(counters_.events, events.size());
}

TEST_F(EngineTest, CustomerServiceAccountsAreBaselinedByAddress) {
  // A GCP service account's key used from a new address is exactly what unknown_ip is for.
  auto sa = makeRead("registry@acme.iam.gserviceaccount.com", "10.20.1.31", kT0);
  sa.principalKind = schemas::PrincipalKind::kService;
  auto leaked = sa;
  leaked.timeUs = kT0 + 30 * kHourUs;
  leaked.sourceIpText = "203.0.113.9";
  ASSERT_TRUE(schemas::parseIp("203.0.113.9", leaked.sourceIp));
  auto alerts = only(run({sa, leaked}), "unknown_ip");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].principal, "registry@acme.iam.gserviceaccount.com");
}

TEST_F(EngineTest, AddressesPerPrincipalAreBounded) {
  config_.maxAddressesPerPrincipal = 3;
  const std::string p = "arn:aws:iam::1:user/ci";
  std::vector<schemas::AccessEvent> events;
  for (int i = 0; i < 5; ++i)
    events.push_back(makeRead(p, "192.0.2." + std::to_string(i), kT0 + i));
  // .0 and .1 were evicted (least recently seen), so .0 alerts again after learning.
  events.push_back(makeRead(p, "192.0.2.4", kT0 + 30 * kHourUs));
  events.push_back(makeRead(p, "192.0.2.0", kT0 + 31 * kHourUs));
  auto alerts = only(run(events), "unknown_ip");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].sourceIp, "192.0.2.0");
}

// ---------------------------------------------------------------------------------------------
// bulk_download

std::vector<schemas::AccessEvent> window(const std::string& p, int64_t windowIndex, int objects,
                                         int64_t bytesEach) {
  std::vector<schemas::AccessEvent> out;
  const int64_t start = kT0 + windowIndex * 15 * kMinuteUs;
  for (int i = 0; i < objects; ++i) {
    out.push_back(makeRead(p, "192.0.2.10", start + i * 1000, bytesEach));
  }
  return out;
}

void append(std::vector<schemas::AccessEvent>& to, const std::vector<schemas::AccessEvent>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

TEST_F(EngineTest, BulkDownloadAboveFloorsAndHistoryAlertsOncePerWindow) {
  const std::string p = "arn:aws:sts::1:assumed-role/dev";
  std::vector<schemas::AccessEvent> events;
  for (int w = 0; w < 10; ++w) append(events, window(p, w * 4, 20 + w, 1 << 20));
  append(events, window(p, 50, 150, 2 << 20));  // 150 objects, 300 MiB
  auto alerts = only(run(events), "bulk_download");
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.severity, Severity::kHigh);
  // It fires on the event that crosses both thresholds: the 101st object (202 MiB > 100 MiB).
  EXPECT_NE(a.evidenceJson.find("\"objects\":101"), std::string::npos) << a.evidenceJson;
  EXPECT_NE(a.evidenceJson.find("\"windows\":10"), std::string::npos);
  EXPECT_NE(a.evidenceJson.find("\"objects_mean\":24.5"), std::string::npos) << a.evidenceJson;
  EXPECT_NE(a.summary.find("101 objects"), std::string::npos) << a.summary;
}

TEST_F(EngineTest, BulkDownloadNeedsBothFloors) {
  const std::string p = "arn:aws:sts::1:assumed-role/dev";
  std::vector<schemas::AccessEvent> events;
  append(events, window(p, 0, 60, 10 << 20));    // 60 objects, 600 MiB: below object floor
  append(events, window(p, 1, 500, 100 << 10));  // 500 objects, 49 MiB: below byte floor
  EXPECT_TRUE(only(run(events), "bulk_download").empty());
}

TEST_F(EngineTest, BulkDownloadRespectsThePrincipalsOwnHistory) {
  const std::string p = "arn:aws:sts::1:assumed-role/backup";
  std::vector<schemas::AccessEvent> events;
  // A heavy but regular reader: 400..600 objects of 1 MiB per window. Its first window has no
  // history, so the floors alone decide and it alerts once; the regular ones after it do not.
  for (int w = 0; w < 12; ++w) append(events, window(p, w, 400 + (w % 5) * 50, 1 << 20));
  append(events, window(p, 20, 650, 1 << 20));  // within mean + 3σ: no alert
  auto first = only(run(events), "bulk_download");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(first[0].evidenceJson.find("\"windows\":0"), std::string::npos);
  std::vector<schemas::AccessEvent> more = window(p, 30, 2000, 1 << 20);
  auto alerts = only(run(more), "bulk_download");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_NE(alerts[0].evidenceJson.find("\"windows\":13"), std::string::npos);
}

TEST_F(EngineTest, BulkDownloadAssumesAMinimumSpreadOverAShortHistory) {
  const std::string p = "arn:aws:sts::1:assumed-role/backup";
  // Windows 2 h apart, so the dedup window does not fold the second alert into the first.
  std::vector<schemas::AccessEvent> events = window(p, 0, 400, 1 << 20);  // alerts: no history
  append(events, window(p, 8, 650, 1 << 20));    // < 400 + 3 * 25% * 400 = 700: no alert
  append(events, window(p, 16, 1200, 1 << 20));  // history {400, 650}: mean 525, sd 177 -> 1055
  auto alerts = only(run(events), "bulk_download");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_NE(alerts[1].evidenceJson.find("\"objects\":1056"), std::string::npos)
      << alerts[1].evidenceJson;
}

TEST_F(EngineTest, BulkDownloadDoesNotCountEventsOfClosedWindows) {
  const std::string p = "arn:aws:sts::1:assumed-role/backup";
  // The newest window first (as when a later file is scanned before an earlier one), then three
  // older windows' worth of reads: together they would cross the floors, but none is current.
  std::vector<schemas::AccessEvent> events = window(p, 100, 40, 1 << 20);
  for (int w = 10; w < 13; ++w) append(events, window(p, w, 40, 1 << 20));
  EXPECT_TRUE(only(run(events), "bulk_download").empty());
}

TEST_F(EngineTest, BulkDownloadIgnoresFailuresAndNonReads) {
  const std::string p = "arn:aws:sts::1:assumed-role/dev";
  std::vector<schemas::AccessEvent> events = window(p, 0, 300, 2 << 20);
  for (auto& e : events) e.httpStatus = 403;
  std::vector<schemas::AccessEvent> writes = window(p, 1, 300, 2 << 20);
  for (auto& e : writes) e.opClass = schemas::OpClass::kWrite;
  append(events, writes);
  EXPECT_TRUE(only(run(events), "bulk_download").empty());
}

// ---------------------------------------------------------------------------------------------
// persistence and determinism

std::vector<schemas::AccessEvent> story() {
  std::vector<schemas::AccessEvent> events;
  const std::string dev = "arn:aws:sts::1:assumed-role/dev";
  for (int w = 0; w < 8; ++w) append(events, window(dev, w * 8, 10, 1 << 20));
  events.push_back(makeRead("arn:aws:iam::1:user/ci", "192.0.2.10", kT0));
  events.push_back(makeAnonymous("198.51.100.7", kT0 + 2 * kHourUs, 200));
  events.push_back(makeAnonymous("198.51.100.7", kT0 + 2 * kHourUs + kMinuteUs, 200));
  events.push_back(makeRead("arn:aws:iam::1:user/ci", "203.0.113.5", kT0 + 30 * kHourUs));
  append(events, window(dev, 200, 150, 2 << 20));
  events.push_back(makeAnonymous("198.51.100.7", kT0 + 60 * kHourUs, 200));
  return events;
}

std::set<std::string> ids(const std::vector<Alert>& alerts) {
  std::set<std::string> out;
  for (const auto& a : alerts) out.insert(a.id);
  return out;
}

TEST(EnginePersistence, SplitRunsGiveTheSameAlertsAsOneRun) {
  const auto events = story();
  DetectorConfig config;
  MemoryStateStore oneStore;
  Engine one(config, oneStore);
  std::vector<Alert> whole;
  for (const auto& e : events) ASSERT_TRUE(one.process(e).ok);
  ASSERT_TRUE(one.flush(whole).ok);
  ASSERT_EQ(whole.size(), 4u);  // anonymous_read x2 (one fold), unknown_ip, bulk_download

  for (size_t split : {size_t{1}, size_t{40}, size_t{85}, events.size() - 1}) {
    MemoryStateStore store;
    std::vector<Alert> parts;
    {
      Engine first(config, store);
      for (size_t i = 0; i < split; ++i) ASSERT_TRUE(first.process(events[i]).ok);
      ASSERT_TRUE(first.flush(parts).ok);
    }
    Engine second(config, store);  // a restart: state comes back from the store only
    for (size_t i = split; i < events.size(); ++i) ASSERT_TRUE(second.process(events[i]).ok);
    ASSERT_TRUE(second.flush(parts).ok);
    EXPECT_EQ(ids(parts), ids(whole)) << "split at " << split;
    EXPECT_EQ(parts.back().foldedBefore, whole.back().foldedBefore);
  }
}

TEST(EnginePersistence, OneCommitPerFlushCarriesStateAndAlerts) {
  MemoryStateStore store;
  Engine engine(DetectorConfig{}, store);
  for (const auto& e : story()) ASSERT_TRUE(engine.process(e).ok);
  EXPECT_EQ(store.commits(), 0u);  // nothing written per event
  std::vector<Alert> out;
  ASSERT_TRUE(engine.flush(out).ok);
  EXPECT_EQ(store.commits(), 1u);
  EXPECT_EQ(store.alerts().size(), out.size());
  for (const auto& a : out) EXPECT_TRUE(store.alerts().count(a.id));
}

TEST(EnginePersistence, FlushHandsOutTheCommittedJsonOfEachAlert) {
  MemoryStateStore store;
  Engine engine(DetectorConfig{}, store);
  for (const auto& e : story()) ASSERT_TRUE(engine.process(e).ok);
  std::vector<Alert> out;
  std::vector<std::string> json;
  ASSERT_TRUE(engine.flush(out, {}, &json).ok);
  ASSERT_FALSE(out.empty());
  ASSERT_EQ(json.size(), out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    std::string expected;
    writeAlertJson(out[i], expected);
    EXPECT_EQ(json[i], expected) << i;                      // the alert's own JSON, in order
    EXPECT_EQ(json[i], store.alerts().at(out[i].id)) << i;  // exactly what was committed
  }
  // A flush with nothing pending hands out nothing.
  json.clear();
  ASSERT_TRUE(engine.flush(out, {}, &json).ok);
  EXPECT_TRUE(json.empty());
}

class FailingStore final : public StateStore {
 public:
  StoreStatus getPrincipal(std::string_view, std::string&, bool& found) override {
    found = false;
    return StoreStatus::Ok();
  }
  StoreStatus commit(const StateBatch&) override {
    return fail ? StoreStatus::Error("disk full") : StoreStatus::Ok();
  }
  bool fail = true;
};

TEST(EnginePersistence, FailedCommitKeepsAlertsForTheNextFlush) {
  FailingStore store;
  Engine engine(DetectorConfig{}, store);
  ASSERT_TRUE(engine.process(makeAnonymous("198.51.100.7", kT0, 200)).ok);
  std::vector<Alert> out;
  StoreStatus st = engine.flush(out);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message, "disk full");
  EXPECT_TRUE(out.empty());
  store.fail = false;
  ASSERT_TRUE(engine.flush(out).ok);
  EXPECT_EQ(out.size(), 1u);
}

TEST(EnginePersistence, AlertIdsAreDeterministic) {
  auto runOnce = [] {
    MemoryStateStore store;
    Engine engine(DetectorConfig{}, store);
    for (const auto& e : story()) EXPECT_TRUE(engine.process(e).ok);
    std::vector<Alert> out;
    EXPECT_TRUE(engine.flush(out).ok);
    return out;
  };
  auto a = runOnce();
  auto b = runOnce();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  EXPECT_EQ(ids(a).size(), a.size());  // distinct
}

TEST(AlertJson, HostileStringsStayValidJson) {
  Alert a;
  a.id = "0123";
  a.detector = "anonymous_read";
  a.principal = "evil\"\\\n\x01\xff\xc0\x80";
  a.object = std::string("key\0with nul", 12);
  a.summary = "quote \" backslash \\ tab \t";
  a.evidenceJson = "{\"n\":1}";
  a.requestIds = {"r\"1"};
  std::string json;
  writeAlertJson(a, json);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::string_view principal;
  ASSERT_EQ(doc["principal"].get(principal), simdjson::SUCCESS);
  EXPECT_EQ(principal, "evil\"\\\n\x01\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  std::string_view object;
  ASSERT_EQ(doc["object"].get(object), simdjson::SUCCESS);
  EXPECT_EQ(object, std::string_view("key\0with nul", 12));
  int64_t n;
  ASSERT_EQ(doc["evidence"]["n"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 1);
  for (const char* key : {"id", "detector", "severity", "time", "provider", "format", "principal",
                          "source_ip", "bucket", "object", "operation", "raw_operation", "summary",
                          "evidence", "request_ids", "dedup"}) {
    EXPECT_EQ(doc[key].error(), simdjson::SUCCESS) << key;
  }
}

}  // namespace
}  // namespace blobwatch::detectors
