#include "daemon/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <exception>

#ifndef BLOBWATCH_VERSION
#define BLOBWATCH_VERSION "unknown"
#endif

namespace blobwatch::daemon {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  events_ = &prometheus::BuildCounter()
                 .Name("blobwatch_events_total")
                 .Help(
                     "Records read, by source, format and outcome (parsed: events; "
                     "parse_error; skipped: well-formed records that are no storage access)")
                 .Register(r);
  parseErrors_ = &prometheus::BuildCounter()
                      .Name("blobwatch_parse_errors_total")
                      .Help("Records that could not be parsed, by format")
                      .Register(r);
  alerts_ = &prometheus::BuildCounter()
                 .Name("blobwatch_alerts_total")
                 .Help(
                     "Alerts raised (after deduplication and suppression), committed to the "
                     "outbox")
                 .Register(r);
  suppressed_ = &prometheus::BuildCounter()
                     .Name("blobwatch_alerts_suppressed_total")
                     .Help("Alerts muted by a suppression rule, by rule")
                     .Register(r);
  deliveries_ = &prometheus::BuildCounter()
                     .Name("blobwatch_deliveries_total")
                     .Help("Alerts a sink accepted")
                     .Register(r);
  failures_ = &prometheus::BuildCounter()
                   .Name("blobwatch_delivery_failures_total")
                   .Help(
                       "Delivery failures by sink: kind=retry counts failed attempts (retried "
                       "with backoff), kind=reject counts alerts refused for good "
                       "(dead-lettered)")
                   .Register(r);
  latency_ = &prometheus::BuildHistogram()
                  .Name("blobwatch_delivery_latency_seconds")
                  .Help("From an alert's commit to the outbox to its acceptance by the sink")
                  .Register(r);
  processingLag_ = &prometheus::BuildGauge()
                        .Name("blobwatch_processing_lag_seconds")
                        .Help("Now minus the event time of the last event read from the source")
                        .Register(r);
  kafkaLag_ = &prometheus::BuildGauge()
                   .Name("blobwatch_kafka_consumer_lag")
                   .Help(
                       "Messages behind: sum over assigned partitions of high watermark minus "
                       "position")
                   .Register(r);
  outboxDepth_ = &prometheus::BuildGauge()
                      .Name("blobwatch_outbox_depth")
                      .Help("Alerts committed and not yet delivered by the slowest sink")
                      .Register(r)
                      .Add({});
  outboxAge_ = &prometheus::BuildGauge()
                    .Name("blobwatch_outbox_oldest_age_seconds")
                    .Help("Age of the oldest undelivered alert (0 when the outbox is empty)")
                    .Register(r)
                    .Add({});
  principals_ = &prometheus::BuildGauge()
                     .Name("blobwatch_tracked_principals")
                     .Help("Principals whose baselines are held in memory")
                     .Register(r)
                     .Add({});
  stateSize_ = &prometheus::BuildGauge()
                    .Name("blobwatch_state_size_bytes")
                    .Help("Size of the RocksDB state: SST files plus memtables")
                    .Register(r)
                    .Add({});
  prometheus::BuildGauge()
      .Name("blobwatch_build_info")
      .Help("Always 1; the version is a label")
      .Register(r)
      .Add({{"version", BLOBWATCH_VERSION}})
      .Set(1);
}

Metrics::~Metrics() = default;

std::unique_ptr<Metrics> Metrics::create(const std::string& listen, std::string& error) {
  std::unique_ptr<Metrics> m(new Metrics());
  if (listen.empty()) return m;
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen, 2);
  } catch (const std::exception& e) {
    error = "metrics.listen: cannot serve metrics on " + listen + ": " + e.what();
    return m;  // counted, not served
  }
  m->exposer_->RegisterCollectable(m->registry_);
  return m;
}

Metrics::StreamCounters Metrics::stream(const std::string& source, std::string_view format) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string f(format);
  StreamCounters c;
  c.parsed = &events_->Add({{"source", source}, {"format", f}, {"outcome", "parsed"}});
  c.parseError = &events_->Add({{"source", source}, {"format", f}, {"outcome", "parse_error"}});
  c.skipped = &events_->Add({{"source", source}, {"format", f}, {"outcome", "skipped"}});
  c.formatParseErrors = &parseErrors_->Add({{"format", f}});
  return c;
}

Metrics::SinkMetrics Metrics::sink(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  SinkMetrics s;
  s.deliveries = &deliveries_->Add({{"sink", name}});
  s.retries = &failures_->Add({{"sink", name}, {"kind", "retry"}});
  s.rejects = &failures_->Add({{"sink", name}, {"kind", "reject"}});
  s.latency = &latency_->Add({{"sink", name}}, prometheus::Histogram::BucketBoundaries{
                                                   0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                                   5, 10, 30, 60, 120, 300, 600, 1800, 3600});
  return s;
}

void Metrics::alert(std::string_view detector, std::string_view severity) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(std::string(detector), std::string(severity));
  auto it = alertCache_.find(key);
  if (it == alertCache_.end()) {
    auto& c = alerts_->Add({{"detector", key.first}, {"severity", key.second}});
    it = alertCache_.emplace(std::move(key), &c).first;
  }
  it->second->Increment();
}

void Metrics::suppressed(const std::string& rule, uint64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = suppressedCache_.find(rule);
  if (it == suppressedCache_.end()) {
    it = suppressedCache_.emplace(rule, std::make_pair(&suppressed_->Add({{"rule", rule}}), 0))
             .first;
  }
  auto& [counter, seen] = it->second;
  if (total > seen) {
    counter->Increment(static_cast<double>(total - seen));
    seen = total;
  }
}

void Metrics::setOutbox(uint64_t depth, double oldestAgeSeconds) {
  outboxDepth_->Set(static_cast<double>(depth));
  outboxAge_->Set(oldestAgeSeconds);
}

void Metrics::setProcessingLag(const std::string& source, double seconds) {
  processingLag_->Add({{"source", source}}).Set(seconds);
}

void Metrics::setKafkaLag(const std::string& source, int64_t lag) {
  kafkaLag_->Add({{"source", source}}).Set(static_cast<double>(lag));
}

void Metrics::setTrackedPrincipals(uint64_t n) { principals_->Set(static_cast<double>(n)); }

void Metrics::setStateSizeBytes(uint64_t bytes) { stateSize_->Set(static_cast<double>(bytes)); }

}  // namespace blobwatch::daemon
