#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "detectors/alert.h"
#include "detectors/config.h"
#include "detectors/principal_state.h"
#include "schemas/access_event.h"

// The Detector interface. A detector looks at one event with the state of its principal, may
// update that state, and proposes alerts. It never throws and does no I/O: the Engine loads and
// persists state and applies deduplication, so detectors stay pure functions of (event, state).

namespace blobwatch::detectors {

// Receives alert candidates. The engine decides whether a candidate is sent or folded into an
// earlier alert with the same (detector, principal, dedupKey).
class AlertEmitter {
 public:
  virtual ~AlertEmitter() = default;
  virtual void emit(Alert&& candidate) = 0;
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string_view name() const = 0;
  // Called once per event, in the order events arrive, with the principal's state (already
  // stamped with this event in firstSeenUs/lastSeenUs/events). Not thread-safe.
  virtual void observe(const schemas::AccessEvent& event, PrincipalState& state,
                       AlertEmitter& emitter) = 0;
};

// Detector names, in evaluation order.
inline constexpr std::string_view kAnonymousRead = "anonymous_read";
inline constexpr std::string_view kUnknownIp = "unknown_ip";
inline constexpr std::string_view kBulkDownload = "bulk_download";

// The explicit factory map: builds the enabled detectors in evaluation order.
std::vector<std::unique_ptr<Detector>> makeDetectors(const DetectorConfig& config);

// Fills the fields every alert copies from its event.
void fillFromEvent(const schemas::AccessEvent& e, Alert& a);

}  // namespace blobwatch::detectors
