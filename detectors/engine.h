#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/alert.h"
#include "detectors/config.h"
#include "detectors/detector.h"
#include "detectors/principal_state.h"
#include "detectors/principal_table.h"
#include "detectors/state_store.h"

namespace blobwatch::detectors {

struct EngineCounters {
  uint64_t events = 0;
  uint64_t anonymousDenied = 0;  // unauthenticated read/head/list attempts that were refused
  uint64_t alerts = 0;           // sent, after deduplication
  uint64_t folded = 0;           // repeats folded into an earlier alert
  uint64_t suppressed = 0;       // alerts muted by a suppression rule (counted, not sent)
  uint64_t principals = 0;       // principals held in memory
  std::map<std::string, uint64_t> alertsByDetector;  // every detector enabled, 0 included
  std::map<std::string, uint64_t> suppressedByRule;
};

// The detection engine: per-principal state in memory, detectors in order, deduplication, and
// micro-batched persistence through a StateStore.
//
// Thread safety: none; one thread drives an engine. Ownership: the engine keeps a copy of the
// config; `store` must outlive it. The hot path (process) allocates only for principals and
// addresses it has not seen, and reads the store once per principal (on first sight).
class Engine final : private AlertEmitter {
 public:
  Engine(DetectorConfig config, StateStore& store);

  // Runs every detector on one event. Fails only when loading the principal's state fails; the
  // event is then not counted.
  [[nodiscard]] StoreStatus process(const schemas::AccessEvent& event);

  // Commits, in one StateStore::commit, the state of every principal changed since the last
  // flush, the alerts raised since then and `positions`; then appends those alerts to `out`
  // and, with `alertJson`, each one's writeAlertJson form (as committed) to it, in the same
  // order. On failure nothing is appended and the pending alerts are kept for the next flush.
  [[nodiscard]] StoreStatus flush(std::vector<Alert>& out,
                                  std::vector<std::pair<std::string, std::string>> positions = {},
                                  std::vector<std::string>* alertJson = nullptr);

  // Replaces the detector settings (SIGHUP). Call between events; state is kept, and detectors
  // enabled or disabled take effect from the next event.
  void reconfigure(DetectorConfig config);

  // Restores the running event count (kept in the state across restarts by the daemon).
  void setEventCount(uint64_t events) { counters_.events = events; }

  const EngineCounters& counters() const { return counters_; }
  size_t pendingAlerts() const { return pending_.size(); }

 private:
  void emit(Alert&& candidate) override;

  DetectorConfig config_;
  StateStore& store_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  PrincipalTable principals_;
  std::vector<PrincipalTable::Entry*> dirty_;
  std::vector<Alert> pending_;
  EngineCounters counters_;
  // The principal of the event being processed, for emit().
  PrincipalState* current_ = nullptr;
  int64_t currentTimeUs_ = 0;
  schemas::IpAddress currentIp_;
  std::string valueBuffer_;
};

// Hex of the first 16 bytes of SHA-256 over the alert's identity (detector, principal, dedup key,
// event time, first request id): the same input gives the same id, on any machine.
std::string alertId(const Alert& a);

}  // namespace blobwatch::detectors
