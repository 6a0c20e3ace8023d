#include "detectors/ip_network.h"

#include <charconv>

namespace blobwatch::detectors {

schemas::IpAddress maskAddress(const schemas::IpAddress& ip, int prefixLen) {
  schemas::IpAddress out = ip;
  for (int i = 0; i < 16; ++i) {
    const int bitsHere = prefixLen - i * 8;
    if (bitsHere >= 8) continue;
    const auto idx = static_cast<size_t>(i);
    out.bytes[idx] = bitsHere <= 0
                         ? uint8_t{0}
                         : static_cast<uint8_t>(out.bytes[idx] & (0xFF << (8 - bitsHere)));
  }
  return out;
}

bool IpNetwork::contains(const schemas::IpAddress& ip) const {
  return ip.valid && maskAddress(ip, prefixLen).bytes == base.bytes;
}

bool parseCidr(std::string_view text, IpNetwork& out) {
  const size_t slash = text.find('/');
  schemas::IpAddress ip;
  if (!schemas::parseIp(text.substr(0, slash), ip)) return false;
  const int maxLen = ip.isV4() ? 32 : 128;
  int len = maxLen;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), len);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || len < 0 || len > maxLen) {
      return false;
    }
  }
  out.prefixLen = ip.isV4() ? len + 96 : len;
  out.base = maskAddress(ip, out.prefixLen);
  return out.base.bytes == ip.bytes;
}

}  // namespace blobwatch::detectors
