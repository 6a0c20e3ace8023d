#pragma once

#include <cstdint>
#include <vector>

#include "detectors/ip_network.h"

namespace blobwatch::detectors {

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

  int64_t dedupWindowUs =
      3600LL * 1'000'000;  // one alert per (detector, principal, key) per window
};

}  // namespace blobwatch::detectors
