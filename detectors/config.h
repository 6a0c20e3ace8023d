#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detectors/ip_network.h"

namespace blobwatch::detectors {

// An analyst's mute: alerts matching every field that is set are counted, not sent. Empty
// fields match anything. `expiresUs` is event time (so replays of old logs mute the same alerts
// a live run did); 0 means never.
struct SuppressionRule {
  std::string name;
  std::string detector;
  std::string principal;
  std::string bucket;
  std::string objectPrefix;
  bool hasNetwork = false;
  IpNetwork network;
  int64_t expiresUs = 0;
};

// Settings of the detection engine. Times are microseconds of event time. Defaults are the
// product's defaults; daemon/config.cpp maps every field to a configuration key.
struct DetectorConfig {
  bool anonymousReadEnabled = true;

  bool unknownIpEnabled = true;
  int64_t learningPeriodUs = 24LL * 3600 * 1'000'000;  // baseline established after this
  int ipv4Prefix = 32;                                 // address granularity: 32 = exact, 24 = /24
  int ipv6Prefix = 128;                                // 128 = exact, 64 = /64
  std::vector<IpNetwork> trustedNetworks;              // never alerted on
  uint32_t maxAddressesPerPrincipal = 1024;            // least recently seen evicted past this

  bool bulkDownloadEnabled = true;
  int64_t bulkWindowUs = 15LL * 60 * 1'000'000;
  uint64_t bulkMinObjects = 100;         // absolute floor, objects read per window
  uint64_t bulkMinBytes = 100ULL << 20;  // absolute floor, bytes out per window
  double bulkSigmas = 3.0;               // k in mean + k·σ over past active windows

  // One alert per (detector, principal, key) per window.
  int64_t dedupWindowUs = 3600LL * 1'000'000;

  std::vector<SuppressionRule> suppressions;  // checked in order; the first match mutes
};

}  // namespace blobwatch::detectors
