#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

// Prometheus metrics of `blobwatch run` (README "Metrics and dashboards"), served by an HTTP
// exposer on `metrics.listen` (loopback by default) at /metrics.
//
// Cost: every labelled series is created once (Family::Add, about 200 ns) and its Counter&,
// Gauge& or Histogram& kept by the caller (per stream, per sink); an event then costs one atomic
// increment. Thread safety: prometheus-cpp metrics are thread-safe; the lookup methods of this
// class take a mutex and are meant for setup paths (a new stream, a sink, a batch's alerts).

namespace prometheus {
class Exposer;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace blobwatch::daemon {

class Metrics {
 public:
  // The series of one (source, format) pair, kept by each stream.
  struct StreamCounters {
    prometheus::Counter* parsed = nullptr;
    prometheus::Counter* parseError = nullptr;  // events_total{outcome=parse_error}
    prometheus::Counter* skipped = nullptr;
    prometheus::Counter* formatParseErrors = nullptr;  // parse_errors_total{format}
  };
  // The series of one sink, kept by its delivery thread.
  struct SinkMetrics {
    prometheus::Counter* deliveries = nullptr;
    prometheus::Counter* retries = nullptr;  // delivery_failures_total{kind=retry}: attempts
    prometheus::Counter* rejects = nullptr;  // delivery_failures_total{kind=reject}: alerts
    prometheus::Histogram* latency = nullptr;
  };

  // Builds the registry and, when `listen` is not empty, serves it on that address
  // ("127.0.0.1:9464"). When the address cannot be bound, sets `error` and returns metrics that
  // are counted but not served: a busy port must not stop the watching of access logs.
  static std::unique_ptr<Metrics> create(const std::string& listen, std::string& error);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  StreamCounters stream(const std::string& source, std::string_view format);
  SinkMetrics sink(const std::string& name);
  void alert(std::string_view detector, std::string_view severity);
  // Sets alerts_suppressed_total{rule} to a cumulative count (never decreasing).
  void suppressed(const std::string& rule, uint64_t total);

  void setOutbox(uint64_t depth, double oldestAgeSeconds);
  void setProcessingLag(const std::string& source, double seconds);
  void setKafkaLag(const std::string& source, int64_t lag);
  void setTrackedPrincipals(uint64_t n);
  void setStateSizeBytes(uint64_t bytes);

  prometheus::Registry& registry() { return *registry_; }

 private:
  Metrics();

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Counter>* events_;
  prometheus::Family<prometheus::Counter>* parseErrors_;
  prometheus::Family<prometheus::Counter>* alerts_;
  prometheus::Family<prometheus::Counter>* suppressed_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Family<prometheus::Counter>* failures_;
  prometheus::Family<prometheus::Histogram>* latency_;
  prometheus::Family<prometheus::Gauge>* processingLag_;
  prometheus::Family<prometheus::Gauge>* kafkaLag_;
  prometheus::Gauge* outboxDepth_;
  prometheus::Gauge* outboxAge_;
  prometheus::Gauge* principals_;
  prometheus::Gauge* stateSize_;
  std::mutex mu_;  // guards the caches below
  std::map<std::pair<std::string, std::string>, prometheus::Counter*, std::less<>> alertCache_;
  std::map<std::string, std::pair<prometheus::Counter*, uint64_t>, std::less<>> suppressedCache_;
};

}  // namespace blobwatch::daemon
