#pragma once

#include <string>
#include <string_view>

#include "schemas/access_event.h"

namespace blobwatch::detectors {

// An address range in CIDR form. IPv4 ranges are held as IPv4-mapped IPv6 (prefix + 96), like
// schemas::IpAddress, so one comparison serves both families.
struct IpNetwork {
  schemas::IpAddress base;  // masked to prefixLen
  int prefixLen = 128;      // 0..128, in IPv6 terms
  bool contains(const schemas::IpAddress& ip) const;
};

// Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128). Returns false for
// anything else, including host bits set beyond the prefix ("10.0.0.1/8").
[[nodiscard]] bool parseCidr(std::string_view text, IpNetwork& out);

// Zeroes the bits of `ip` past `prefixLen` (IPv6 terms).
schemas::IpAddress maskAddress(const schemas::IpAddress& ip, int prefixLen);

}  // namespace blobwatch::detectors
