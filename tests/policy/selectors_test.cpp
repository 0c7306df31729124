#include "policy/selectors.h"

#include <gtest/gtest.h>

#include "policy/ports.h"
#include "policy/protocols.h"

namespace postured::policy {
namespace {

TEST(Ports, ParsesWildcardsRangesAndLists) {
  EXPECT_EQ(*parsePortList("*"), std::vector<PortRange>{kAllPorts});
  EXPECT_EQ(*parsePortList("22"), (std::vector<PortRange>{{22, 22}}));
  EXPECT_EQ(*parsePortList("80-443"), (std::vector<PortRange>{{80, 443}}));
  EXPECT_EQ(*parsePortList("22,80,443"), (std::vector<PortRange>{{22, 22}, {80, 80}, {443, 443}}));
}

TEST(Ports, RejectsWithTailscalesWording) {
  EXPECT_EQ(parsePortList("ssh").error().message, "port range \"ssh\": invalid first integer");
  EXPECT_EQ(parsePortList("0").error().message, "port range \"0\": first port must be >0, or use '*' for wildcard");
  EXPECT_FALSE(parsePortList("443-80"));
  EXPECT_FALSE(parsePortList("70000"));
  EXPECT_FALSE(parsePortList("22,"));
}

TEST(Protocols, NamesAndNumbers) {
  EXPECT_TRUE(parseProtocol("")->empty());
  EXPECT_EQ(*parseProtocol("tcp"), std::vector<int>{6});
  EXPECT_EQ(*parseProtocol("UDP"), std::vector<int>{17});
  EXPECT_EQ(*parseProtocol("icmp"), std::vector<int>{1});
  EXPECT_EQ(*parseProtocol("47"), std::vector<int>{47});
  EXPECT_FALSE(parseProtocol("*"));
  EXPECT_FALSE(parseProtocol("047"));
  EXPECT_FALSE(parseProtocol("256"));
  EXPECT_FALSE(parseProtocol("tcpp"));
}

TEST(Selectors, ClassifiesEveryForm) {
  auto kind = [](const char* text) { return parseSelector(text, {})->kind; };
  EXPECT_EQ(kind("*"), SelectorKind::kWildcard);
  EXPECT_EQ(kind("alice@example.com"), SelectorKind::kUser);
  EXPECT_EQ(kind("alice@"), SelectorKind::kUser);
  EXPECT_EQ(kind("user:*@example.com"), SelectorKind::kUserDomain);
  EXPECT_EQ(kind("group:eng"), SelectorKind::kGroup);
  EXPECT_EQ(kind("tag:web"), SelectorKind::kTag);
  EXPECT_EQ(kind("autogroup:self"), SelectorKind::kAutogroup);
  EXPECT_EQ(kind("webserver"), SelectorKind::kHost);
  EXPECT_EQ(kind("ipset:office"), SelectorKind::kIpSet);
  EXPECT_EQ(kind("10.0.0.0/8"), SelectorKind::kPrefix);
  EXPECT_EQ(kind("fd7a:115c:a1e0::1"), SelectorKind::kPrefix);
  EXPECT_TRUE(parseSelector("autogroup:danger-all", {})->is(Autogroup::kDangerAll));
  EXPECT_FALSE(parseSelector("autogroup:everyone", {}));
  EXPECT_FALSE(parseSelector("bad name!", {}));
}

TEST(Selectors, SplitsDestinationsAtTheLastColon) {
  auto d = parseDstSelector("tag:server:80,443", {});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->target.name, "tag:server");
  EXPECT_EQ(d->ports.size(), 2u);
  auto v6 = parseDstSelector("[fd7a:115c:a1e0::1]:22", {});
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->target.kind, SelectorKind::kPrefix);
  EXPECT_EQ(parseDstSelector("*:*", {})->target.kind, SelectorKind::kWildcard);
  // Tailscale reads "autogroup:self" as host "autogroup", port "self".
  EXPECT_EQ(parseDstSelector("autogroup:self", {}).error().message,
            "dst=\"autogroup:self\": port range \"self\": invalid first integer");
  EXPECT_FALSE(parseDstSelector("webserver", {}));
}

TEST(Selectors, GrantIpEntries) {
  auto all = parseGrantIp("*", {});
  EXPECT_TRUE(all->ipProto.empty());
  EXPECT_EQ(all->ports, std::vector<PortRange>{kAllPorts});
  auto tcp = parseGrantIp("tcp:443", {});
  EXPECT_EQ(tcp->ipProto, std::vector<int>{6});
  EXPECT_EQ(tcp->ports, (std::vector<PortRange>{{443, 443}}));
  EXPECT_EQ(parseGrantIp("icmp:*", {})->ipProto, std::vector<int>{1});
  EXPECT_EQ(parseGrantIp("udp", {})->ports, std::vector<PortRange>{kAllPorts});
  EXPECT_TRUE(parseGrantIp("80-443", {})->ipProto.empty());
  EXPECT_FALSE(parseGrantIp("icmp:22", {}));
  EXPECT_EQ(parseGrantIp("tcp:0", {}).error().message,
            "port range \"0\": first port must be >0, or use '*' for wildcard");
}

}  // namespace
}  // namespace postured::policy
