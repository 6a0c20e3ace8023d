#include "detectors/ip_network.h"

#include <gtest/gtest.h>

namespace blobwatch::detectors {
namespace {

schemas::IpAddress ip(const char* text) {
  schemas::IpAddress out;
  EXPECT_TRUE(schemas::parseIp(text, out)) << text;
  return out;
}

TEST(IpNetwork, ParsesAndMatchesIpv4) {
  IpNetwork net;
  ASSERT_TRUE(parseCidr("10.0.0.0/8", net));
  EXPECT_TRUE(net.contains(ip("10.255.1.2")));
  EXPECT_FALSE(net.contains(ip("11.0.0.0")));
  EXPECT_FALSE(net.contains(ip("::ffff:0b00:0001")));
  ASSERT_TRUE(parseCidr("192.0.2.7", net));  // bare address = /32
  EXPECT_TRUE(net.contains(ip("192.0.2.7")));
  EXPECT_FALSE(net.contains(ip("192.0.2.8")));
  ASSERT_TRUE(parseCidr("0.0.0.0/0", net));
  EXPECT_TRUE(net.contains(ip("8.8.8.8")));
  EXPECT_FALSE(net.contains(ip("2001:db8::1")));  // an IPv4 range never holds IPv6
}

TEST(IpNetwork, ParsesAndMatchesIpv6) {
  IpNetwork net;
  ASSERT_TRUE(parseCidr("2001:db8::/32", net));
  EXPECT_TRUE(net.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(net.contains(ip("2001:db9::1")));
  EXPECT_FALSE(net.contains(ip("10.0.0.1")));
  ASSERT_TRUE(parseCidr("2001:db8:0:1::/64", net));
  EXPECT_TRUE(net.contains(ip("2001:db8:0:1:ffff::")));
  EXPECT_FALSE(net.contains(ip("2001:db8:0:2::")));
}

TEST(IpNetwork, RejectsMalformedRanges) {
  IpNetwork net;
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.1/8", "10/8",
                          "2001:db8::/129", "host.example/24", "10.0.0.0/8x"}) {
    EXPECT_FALSE(parseCidr(bad, net)) << bad;
  }
}

TEST(IpNetwork, MaskKeepsPrefixBitsOnly) {
  std::string text;
  schemas::formatIp(maskAddress(ip("203.0.113.77"), 96 + 24), text);
  EXPECT_EQ(text, "203.0.113.0");
  text.clear();
  schemas::formatIp(maskAddress(ip("203.0.113.77"), 96 + 20), text);
  EXPECT_EQ(text, "203.0.112.0");
  text.clear();
  schemas::formatIp(maskAddress(ip("2001:db8:1:2:3:4:5:6"), 64), text);
  EXPECT_EQ(text, "2001:db8:1:2::");
}

}  // namespace
}  // namespace blobwatch::detectors
