#include "policy/ip_set.h"

#include <gtest/gtest.h>

namespace postured::policy {
namespace {

IpSet setOf(std::initializer_list<const char*> entries) {
  IpSet s;
  for (const char* e : entries) s.add(*IpSet::parseFilterEntry(e));
  return s;
}

TEST(IpPrefix, ParsesAddressesAndMasksHostBits) {
  auto p = IpPrefix::parse("10.1.2.3/8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->toString(), "10.0.0.0/8");
  EXPECT_EQ(IpPrefix::parse("100.64.0.1")->toString(), "100.64.0.1/32");
  EXPECT_EQ(IpPrefix::parse("100.64.0.1")->toShortString(), "100.64.0.1");
  EXPECT_EQ(IpPrefix::parse("fd7a:115c:a1e0::1")->toString(), "fd7a:115c:a1e0::1/128");
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/"));
  EXPECT_FALSE(IpPrefix::parse("webserver"));
  EXPECT_FALSE(IpPrefix::parse("010.0.0.1"));
}

TEST(IpSet, MergesAdjacentAndOverlappingRanges) {
  auto s = setOf({"10.0.0.0/25", "10.0.0.128/25", "10.0.0.7"});
  EXPECT_EQ(s.toFilterStrings(), std::vector<std::string>{"10.0.0.0/24"});
  EXPECT_EQ(s, setOf({"10.0.0.0/24"}));
}

TEST(IpSet, WritesNonPrefixRangesAsTailscaleDoes) {
  EXPECT_EQ(tailnetAddresses().toFilterStrings(),
            (std::vector<std::string>{"100.64.0.0-100.115.91.255", "100.115.94.0-100.127.255.255",
                                      "fd7a:115c:a1e0::/48"}));
}

TEST(IpSet, RemoveSplitsRanges) {
  auto s = setOf({"10.0.0.0/24"});
  s.remove(*IpPrefix::parse("10.0.0.128/25"));
  EXPECT_EQ(s.toFilterStrings(), std::vector<std::string>{"10.0.0.0/25"});
  s.remove(*IpPrefix::parse("10.0.0.1"));
  EXPECT_FALSE(s.contains(*IpAddress::parse("10.0.0.1")));
  EXPECT_TRUE(s.contains(*IpAddress::parse("10.0.0.2")));
  EXPECT_EQ(s.toFilterStrings(), (std::vector<std::string>{"10.0.0.0", "10.0.0.2-10.0.0.127"}));
}

TEST(IpSet, ContainmentAndOverlap) {
  auto all = IpSet::all();
  EXPECT_TRUE(all.containsAll(setOf({"8.8.8.8", "::1"})));
  auto internet = internetAddresses();
  EXPECT_TRUE(internet.contains(*IpAddress::parse("8.8.8.8")));
  EXPECT_FALSE(internet.contains(*IpAddress::parse("10.1.1.1")));
  EXPECT_FALSE(internet.contains(*IpAddress::parse("100.64.0.1")));
  EXPECT_FALSE(internet.containsAll(setOf({"0.0.0.0/0"})));
  EXPECT_TRUE(setOf({"10.0.0.0/8"}).overlaps(*IpPrefix::parse("10.33.0.0/16")));
  EXPECT_FALSE(setOf({"10.0.0.0/8"}).overlaps(*IpPrefix::parse("fd7a::/16")));
}

TEST(IpSet, ParsesEveryFilterEntryForm) {
  EXPECT_EQ(*IpSet::parseFilterEntry("*"), IpSet::all());
  EXPECT_TRUE(IpSet::parseFilterEntry("100.64.0.0-100.115.91.255"));
  EXPECT_FALSE(IpSet::parseFilterEntry("100.64.0.9-100.64.0.1"));
  EXPECT_FALSE(IpSet::parseFilterEntry("100.64.0.1-fd7a::1"));
}

TEST(IpSet, PrefixesCoverExactlyTheSet) {
  auto s = setOf({"100.64.0.0-100.64.0.4"});
  std::vector<std::string> got;
  for (const auto& p : s.prefixes()) got.push_back(p.toString());
  EXPECT_EQ(got, (std::vector<std::string>{"100.64.0.0/30", "100.64.0.4/32"}));
}

}  // namespace
}  // namespace postured::policy
