#include "policy/filter_compiler.h"

#include <gtest/gtest.h>

#include <set>

namespace postured::policy {
namespace {

PolicyNode node(const std::string& name, const std::string& login, std::vector<std::string> tags, const char* v4,
                const char* v6, std::vector<const char*> routes = {}) {
  PolicyNode n;
  n.id = n.name = n.hostname = name;
  n.userLogin = login;
  n.tags = std::move(tags);
  n.ipv4 = IpAddress::parse(v4);
  n.ipv6 = IpAddress::parse(v6);
  for (const char* r : routes) n.approvedRoutes.push_back(*IpPrefix::parse(r));
  return n;
}

std::vector<PolicyNode> tailnet() {
  return {
      node("laptop", "alice@example.com", {}, "100.64.0.1", "fd7a:115c:a1e0::1"),
      node("phone", "alice@example.com", {}, "100.64.0.2", "fd7a:115c:a1e0::2"),
      node("desktop", "bob@example.com", {}, "100.64.0.3", "fd7a:115c:a1e0::3"),
      node("web", "", {"tag:web"}, "100.64.0.10", "fd7a:115c:a1e0::a"),
      node("router", "", {"tag:router"}, "100.64.0.20", "fd7a:115c:a1e0::14", {"10.33.0.0/16"}),
  };
}

Policy mustParse(const std::string& text) {
  auto p = parsePolicy(text);
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : Policy{};
}

std::set<std::string> srcOf(const std::vector<FilterRule>& rules) {
  std::set<std::string> out;
  for (const auto& r : rules) out.insert(r.srcIps.begin(), r.srcIps.end());
  return out;
}

constexpr const char* kPosturePolicy = R"({
  "tagOwners": {"tag:web": [], "tag:router": []},
  "postures": {"posture:linux": ["node:os == 'linux'"], "posture:mac": ["node:os == 'macos'"]},
  "defaultSrcPosture": ["posture:linux"],
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:web:443"]},
    {"action": "accept", "src": ["autogroup:member"], "srcPosture": ["posture:mac", "posture:linux"], "dst": ["tag:web:22"]},
  ],
})";

void setOs(PolicyNode& n, const std::string& os) { n.attributes.set("node:os", core::AttributeValue(os)); }

TEST(FilterCompiler, SourcesFailingThePostureAreLeftOut) {
  auto nodes = tailnet();
  setOs(nodes[0], "linux");  // laptop
  setOs(nodes[1], "macos");  // phone
  // desktop has no attributes: every posture fails for it
  const Policy policy = mustParse(kPosturePolicy);
  FilterCompiler compiler(policy, nodes);
  const auto rules = compiler.filterFor("web");
  ASSERT_EQ(rules.size(), 2u);
  for (const auto& r : rules) {
    const std::set<std::string> src(r.srcIps.begin(), r.srcIps.end());
    if (r.dstPorts[0].ports.first == 443) {  // defaultSrcPosture: linux only
      EXPECT_EQ(src, (std::set<std::string>{"100.64.0.1", "fd7a:115c:a1e0::1"}));
    } else {  // its own srcPosture replaces the default: mac or linux
      EXPECT_EQ(src, (std::set<std::string>{"100.64.0.1-100.64.0.2", "fd7a:115c:a1e0::1-fd7a:115c:a1e0::2"}));
    }
  }
}

TEST(FilterCompiler, NodesWithoutAttributesMeetNoPosture) {
  const Policy policy = mustParse(kPosturePolicy);
  FilterCompiler compiler(policy, tailnet());
  EXPECT_TRUE(compiler.filterFor("web").empty());
}

TEST(FilterCompiler, WildcardSourcesLoseOnlyTheFailingNodes) {
  auto nodes = tailnet();
  for (auto& n : nodes) setOs(n, "linux");
  setOs(nodes[2], "windows");  // desktop, 100.64.0.3
  const Policy policy = mustParse(R"({
    "postures": {"posture:linux": ["node:os == 'linux'"]},
    "acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:linux"], "dst": ["tag:web:22"]}],
    "tagOwners": {"tag:web": []}
  })");
  FilterCompiler compiler(policy, nodes);
  const auto rules = compiler.filterFor("web");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(std::set<std::string>(rules[0].srcIps.begin(), rules[0].srcIps.end()),
            (std::set<std::string>{"10.33.0.0/16", "100.64.0.0-100.64.0.2", "100.64.0.4-100.115.91.255",
                                   "100.115.94.0-100.127.255.255", "fd7a:115c:a1e0::-fd7a:115c:a1e0::2",
                                   "fd7a:115c:a1e0::4-fd7a:115c:a1e0:ffff:ffff:ffff:ffff:ffff"}));
}

TEST(FilterCompiler, APostureCheckCanReplaceAttributeEvaluation) {
  const Policy policy = mustParse(kPosturePolicy);
  FilterCompiler compiler(policy, tailnet(),
                          [](const PolicyNode& n, const std::string&) { return n.name == "desktop"; });
  EXPECT_EQ(srcOf(compiler.filterFor("web")), (std::set<std::string>{"100.64.0.3", "fd7a:115c:a1e0::3"}));
}

TEST(FilterCompiler, NodesReceiveOnlyRulesThatReachThem) {
  const Policy policy = mustParse(R"({
    "tagOwners": {"tag:web": [], "tag:router": []},
    "acls": [{"action": "accept", "src": ["alice@example.com"], "dst": ["tag:web:80", "10.33.1.0/24:22"]}]
  })");
  FilterCompiler compiler(policy, tailnet());
  EXPECT_TRUE(compiler.filterFor("desktop").empty());
  const auto web = compiler.filterFor("web");
  ASSERT_EQ(web.size(), 1u);
  EXPECT_EQ(web[0].dstPorts.size(), 2u);  // its IPv4 and IPv6 addresses, port 80
  const auto router = compiler.filterFor("router");
  ASSERT_EQ(router.size(), 1u);
  ASSERT_EQ(router[0].dstPorts.size(), 1u);
  EXPECT_EQ(router[0].dstPorts[0].ip, "10.33.1.0/24");
  EXPECT_EQ(srcOf(router), (std::set<std::string>{"100.64.0.1-100.64.0.2", "fd7a:115c:a1e0::1-fd7a:115c:a1e0::2"}));
}

TEST(FilterCompiler, AutogroupSelfStaysWithinTheUser) {
  const Policy policy = mustParse(R"({"acls": [{"action": "accept", "src": ["*"], "dst": ["autogroup:self:*"]}]})");
  FilterCompiler compiler(policy, tailnet());
  EXPECT_EQ(srcOf(compiler.filterFor("laptop")),
            (std::set<std::string>{"100.64.0.1-100.64.0.2", "fd7a:115c:a1e0::1-fd7a:115c:a1e0::2"}));
  EXPECT_EQ(srcOf(compiler.filterFor("desktop")), (std::set<std::string>{"100.64.0.3", "fd7a:115c:a1e0::3"}));
  EXPECT_TRUE(compiler.filterFor("web").empty());
}

TEST(FilterCompiler, IpsetsAddAndRemoveInOrder) {
  const Policy policy = mustParse(R"({
    "ipsets": {"ipset:lab": ["10.33.0.0/16", "remove 10.33.1.0/24"]},
    "acls": [{"action": "accept", "src": ["ipset:lab"], "dst": ["alice@example.com:22"]}]
  })");
  FilterCompiler compiler(policy, tailnet());
  const auto rules = compiler.filterFor("laptop");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].srcIps, (std::vector<std::string>{"10.33.0.0/24", "10.33.2.0-10.33.255.255"}));
}

TEST(FilterCompiler, WritesTailscalesJson) {
  const Policy policy = mustParse(R"({"acls": [{"action": "accept", "src": ["*"], "dst": ["*:22"], "proto": "tcp"}]})");
  FilterCompiler compiler(policy, tailnet());
  EXPECT_EQ(toJson(compiler.filterFor("web")).dump(),
            R"([{"SrcIPs":["10.33.0.0/16","100.64.0.0-100.115.91.255","100.115.94.0-100.127.255.255",)"
            R"("fd7a:115c:a1e0::/48"],"DstPorts":[{"IP":"*","Ports":{"First":22,"Last":22}}],"IPProto":[6]}])");
}

TEST(FilterCompiler, NoRulesAllowsEverything) {
  const Policy policy = mustParse("{}");
  FilterCompiler compiler(policy, tailnet());
  EXPECT_EQ(toJson(compiler.filterFor("laptop")).dump(),
            R"([{"SrcIPs":["*"],"DstPorts":[{"IP":"*","Ports":{"First":0,"Last":65535}}]}])");
}

}  // namespace
}  // namespace postured::policy
