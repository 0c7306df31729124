#include "core/ip.h"

#include <gtest/gtest.h>

namespace postured::core {
namespace {

TEST(Ipv4, ParseAndFormat) {
  EXPECT_EQ(parseIpv4("100.64.0.1"), 0x64400001u);
  EXPECT_EQ(formatIpv4(0x64400001u), "100.64.0.1");
  EXPECT_FALSE(parseIpv4("100.64.0"));
  EXPECT_FALSE(parseIpv4("100.64.0.256"));
  EXPECT_FALSE(parseIpv4("100.064.0.1"));
  EXPECT_FALSE(parseIpv4("100.64.0.1 "));
  EXPECT_TRUE(inTailnetIpv4Range(*parseIpv4("100.127.255.254")));
  EXPECT_FALSE(inTailnetIpv4Range(*parseIpv4("100.128.0.1")));
}

TEST(Ipv6, CanonicalForm) {
  auto a = parseIpv6("FD7A:115C:A1E0:0000:0000:0000:0000:0007");
  ASSERT_TRUE(a);
  EXPECT_EQ(formatIpv6(*a), "fd7a:115c:a1e0::7");
  EXPECT_TRUE(inTailnetIpv6Range(*a));
  EXPECT_FALSE(inTailnetIpv6Range(*parseIpv6("fd7a:115c:a1e1::7")));
  EXPECT_FALSE(parseIpv6("not-an-address"));
}

TEST(Allocator, SequentialPairsAndSkipsUsed) {
  AddressAllocator alloc({"100.64.0.2"}, {}, kTailnetIpv4Base);
  EXPECT_EQ(*alloc.nextIpv4(), "100.64.0.1");
  EXPECT_EQ(*alloc.nextIpv4(), "100.64.0.3");  // .2 is taken
  EXPECT_EQ(*alloc.nextIpv6("100.64.0.3"), "fd7a:115c:a1e0::3");
}

TEST(Allocator, ContinuesAfterLastHandedOutSoDeletedAddressesAreNotReusedAtOnce) {
  // 100.64.0.1 was freed, but the last address handed out was .9.
  AddressAllocator alloc({}, {}, *parseIpv4("100.64.0.9"));
  EXPECT_EQ(*alloc.nextIpv4(), "100.64.0.10");
}

TEST(Allocator, NeverHandsOutReservedServiceAddresses) {
  AddressAllocator alloc({}, {}, *parseIpv4("100.100.100.99"));
  EXPECT_EQ(*alloc.nextIpv4(), "100.100.100.101");
  AddressAllocator chromeos({}, {}, *parseIpv4("100.115.91.255"));
  EXPECT_EQ(*chromeos.nextIpv4(), "100.115.94.0");
}

TEST(Allocator, WrapsAroundAtTheEndOfTheRange) {
  AddressAllocator alloc({}, {}, *parseIpv4("100.127.255.254"));
  EXPECT_EQ(*alloc.nextIpv4(), "100.64.0.1");
}

TEST(Allocator, ClaimRejectsAddressInUse) {
  AddressAllocator alloc({"100.64.0.5"}, {"fd7a:115c:a1e0::5"}, kTailnetIpv4Base);
  auto clash = alloc.claimIpv4("100.64.0.5", "devices[3].addresses");
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(clash.error().field, "devices[3].addresses");
  EXPECT_FALSE(alloc.claimIpv6("fd7a:115c:a1e0::5", "f"));
  EXPECT_TRUE(alloc.claimIpv4("100.64.0.6", "f"));
  EXPECT_FALSE(alloc.claimIpv4("100.64.0.6", "f"));  // claimed twice in one batch
}

TEST(Allocator, Ipv6FallsForwardWhenTheMatchingOneIsTaken) {
  AddressAllocator alloc({}, {"fd7a:115c:a1e0::1"}, kTailnetIpv4Base);
  EXPECT_EQ(*alloc.nextIpv6("100.64.0.1"), "fd7a:115c:a1e0::2");
}

}  // namespace
}  // namespace postured::core
