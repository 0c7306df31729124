// The resolution's own address formatting must write what IpAddress::toString writes.
#include "enforce/headscale/resolution_addresses.h"

#include <gtest/gtest.h>

#include <random>

namespace postured::enforce::headscale {
namespace {

using policy::IpAddress;
using policy::IpPrefix;
using policy::Uint128;

TEST(ResolutionAddresses, TextIsIpAddressToString) {
  std::vector<IpAddress> samples;
  for (const char* s : {"0.0.0.0", "255.255.255.255", "100.64.0.1", "10.0.0.0", "::", "::1", "1::", "fd7a:115c:a1e0::1",
                        "fd7a:115c:a1e0::1837:bd28", "1:0:0:1::", "1::1:0:0:1", "0:0:1::1", "1:0:0:0:1::", "::ffff:1.2.3.4",
                        "::1.2.3.4", "::1:0:0:0", "2001:db8:0:1:1:1:1:1", "fe80::ffff:1"})
    samples.push_back(*IpAddress::parse(s));
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    // Random groups, many of them zero, so that every placement of "::" occurs.
    Uint128 v = 0;
    for (int g = 0; g < 8; ++g) v = (v << 16) | (rng() % 3 == 0 ? rng() & 0xFFFF : 0);
    samples.push_back(IpAddress{true, v});
    samples.push_back(IpAddress::v4(static_cast<std::uint32_t>(rng())));
  }
  for (const auto& a : samples) ASSERT_EQ(addressText(a), a.toString());
  for (int bits : {0, 8, 31, 32})
    EXPECT_EQ(prefixText(IpPrefix{*IpAddress::parse("100.64.0.0"), bits}),
              (IpPrefix{*IpAddress::parse("100.64.0.0"), bits}.toShortString()));
  EXPECT_EQ(prefixText(*IpPrefix::parse("fd7a:115c:a1e0::/48")), "fd7a:115c:a1e0::/48");
}

}  // namespace
}  // namespace postured::enforce::headscale
