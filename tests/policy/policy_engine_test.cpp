#include "policy/policy_engine.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "policy/filter_compiler.h"

namespace postured::policy {
namespace {

Policy mustParse(const std::string& text) {
  auto p = parsePolicy(text);
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : Policy{};
}

// A tailnet with users, tags, a subnet router, an exit node, and random posture attributes.
struct Generated {
  Policy policy;
  std::vector<PolicyNode> nodes;
};

constexpr const char* kOsValues[] = {"linux", "macos", "windows"};

AttributeSet randomAttributes(std::mt19937& rng) {
  AttributeSet a;
  if (rng() % 5) a.set("sentinelOne:infected", core::AttributeValue(rng() % 3 == 0));
  if (rng() % 4) a.set("node:os", core::AttributeValue(std::string(kOsValues[rng() % 3])));
  if (rng() % 3) a.set("sentinelOne:activeThreats", core::AttributeValue(static_cast<double>(rng() % 3)));
  if (rng() % 2) a.set("custom:unread", core::AttributeValue(static_cast<double>(rng() % 100)));
  return a;
}

Generated generate(std::uint32_t seed, int nodeCount) {
  std::mt19937 rng(seed);
  Generated g;
  g.policy = mustParse(R"({
    "groups": {"group:eng": ["u0@x.com", "u1@x.com", "u2@x.com"], "group:ops": ["u2@x.com", "u3@x.com"]},
    "tagOwners": {"tag:web": [], "tag:db": [], "tag:router": []},
    "hosts": {"corp": "10.1.0.0/16"},
    "postures": {
      "posture:clean": ["sentinelOne:infected == false"],
      "posture:linux": ["node:os == 'linux'", "sentinelOne:activeThreats < 1"],
      "posture:mac": ["node:os IN ['macos']"],
      "posture:unknownOs": ["node:os NOT SET"]
    },
    "defaultSrcPosture": ["posture:clean"],
    "grants": [
      {"src": ["group:ops"], "dst": ["tag:db"], "ip": ["5432"], "srcPosture": ["posture:linux"]},
      {"src": ["autogroup:member"], "dst": ["tag:web"], "app": {"tailscale.com/cap/drive": [{"shares": ["*"]}]}},
      {"src": ["group:eng"], "dst": ["10.1.0.0/24"], "ip": ["*"], "via": ["tag:router"]}
    ],
    "acls": [
      {"action": "accept", "src": ["group:eng"], "dst": ["tag:web:443", "tag:db:5432"]},
      {"action": "accept", "src": ["group:eng"], "srcPosture": ["posture:linux", "posture:mac"], "dst": ["tag:web:22"]},
      {"action": "accept", "src": ["*"], "dst": ["tag:web:80"]},
      {"action": "accept", "src": ["*"], "srcPosture": ["posture:unknownOs"], "dst": ["tag:web:8080"]},
      {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*"]},
      {"action": "accept", "src": ["u3@x.com", "tag:web"], "dst": ["corp:*", "tag:router:22"]},
      {"action": "accept", "src": ["group:ops"], "proto": "udp", "dst": ["*:53"]},
      {"action": "accept", "src": ["u4@x.com"], "dst": ["autogroup:internet:*"]},
      {"action": "accept", "src": ["autogroup:tagged"], "srcPosture": ["posture:linux"], "dst": ["tag:db:*"]}
    ]
  })");
  const char* tags[] = {"tag:web", "tag:db", "tag:router"};
  for (int i = 0; i < nodeCount; ++i) {
    PolicyNode n;
    n.id = "n" + std::to_string(i);
    n.name = n.hostname = "node" + std::to_string(i);
    if (rng() % 4 == 0) {
      n.tags = {tags[rng() % 3]};
    } else {
      n.userLogin = "u" + std::to_string(rng() % 6) + "@x.com";
    }
    n.ipv4 = IpAddress::v4(0x64400000u + 1 + static_cast<std::uint32_t>(i));
    n.ipv6 = IpAddress::parse("fd7a:115c:a1e0::" + std::to_string(i + 1));
    if (n.hasTag("tag:router")) n.approvedRoutes.push_back(*IpPrefix::parse("10.1.0.0/16"));
    if (i == 3) n.approvedRoutes.push_back(*IpPrefix::parse("0.0.0.0/0"));
    n.attributes = randomAttributes(rng);
    g.nodes.push_back(std::move(n));
  }
  return g;
}

void expectSameAsCompiler(const PolicyEngine& engine, const std::string& when) {
  FilterCompiler compiler(engine.policy(), engine.nodes());
  const auto expected = compiler.allFilters();
  const auto actual = engine.allFilters();
  ASSERT_EQ(expected.size(), actual.size()) << when;
  for (const auto& [name, rules] : expected) {
    auto it = actual.find(name);
    ASSERT_NE(it, actual.end()) << when << ": " << name;
    EXPECT_EQ(toJson(rules).dump(), toJson(it->second).dump()) << when << ": node " << name;
  }
}

// Every node whose filter changed must be among the reported ones.
void expectReported(const std::map<std::string, std::vector<FilterRule>>& before, const PolicyEngine& engine,
                    const std::vector<std::string>& reported, const std::string& when) {
  std::set<std::string> ids(reported.begin(), reported.end());
  for (const auto& n : engine.nodes()) {
    auto b = before.find(n.name);
    if (b == before.end() || b->second != engine.filterFor(n.name)) {
      EXPECT_TRUE(ids.count(n.id)) << when << ": " << n.id << " changed but was not reported";
    }
  }
}

TEST(PolicyEngine, MatchesTheCompilerOnAGeneratedTailnet) {
  auto g = generate(1, 40);
  PolicyEngine engine(g.policy, g.nodes);
  expectSameAsCompiler(engine, "initial");
}

TEST(PolicyEngine, RandomAttributeChangesMatchAFullCompile) {
  for (std::uint32_t seed = 1; seed <= 4; ++seed) {
    auto g = generate(seed, 30);
    PolicyEngine engine(g.policy, g.nodes);
    std::mt19937 rng(seed * 7919);
    for (int step = 0; step < 60; ++step) {
      const auto before = engine.allFilters();
      std::vector<std::pair<std::string, AttributeSet>> batch;
      const int count = step % 5 == 0 ? 3 : 1;
      for (int i = 0; i < count; ++i) batch.emplace_back("n" + std::to_string(rng() % 30), randomAttributes(rng));
      const auto reported = engine.setAttributes(std::move(batch));
      const auto when = "seed " + std::to_string(seed) + " step " + std::to_string(step);
      expectSameAsCompiler(engine, when);
      expectReported(before, engine, reported, when);
      if (HasFailure()) return;
    }
  }
}

TEST(PolicyEngine, AChangeToAKeyNoPostureReadsRecomputesNothing) {
  auto g = generate(2, 20);
  PolicyEngine engine(g.policy, g.nodes);
  AttributeSet attrs;
  // Same posture-relevant values as before, a different custom:unread.
  const auto& node = engine.nodes()[5];
  for (const char* key : {"sentinelOne:infected", "node:os", "sentinelOne:activeThreats"})
    if (const auto* v = node.attributes.find(key)) attrs.set(key, *v);
  attrs.set("custom:unread", core::AttributeValue(1234.0));
  const auto before = engine.stats();
  EXPECT_TRUE(engine.setAttributes("n5", attrs).empty());
  EXPECT_EQ(engine.stats().postureEvaluations, before.postureEvaluations);
  EXPECT_EQ(engine.stats().sourceRecomputes, before.sourceRecomputes);
  EXPECT_EQ(engine.stats().fullCompiles, before.fullCompiles);
  EXPECT_EQ(engine.nodes()[5].attributes.find("custom:unread")->asNumber(), 1234.0);
}

TEST(PolicyEngine, NodeAndPolicyChangesMatchAFullCompile) {
  auto g = generate(3, 25);
  PolicyEngine engine(g.policy, g.nodes);
  auto before = engine.allFilters();
  PolicyNode added = g.nodes[0];
  added.id = "new";
  added.name = "newnode";
  added.ipv4 = IpAddress::parse("100.64.9.9");
  added.ipv6 = IpAddress::parse("fd7a:115c:a1e0::909");
  auto reported = engine.upsertNode(added);
  expectSameAsCompiler(engine, "added");
  expectReported(before, engine, reported, "added");
  EXPECT_TRUE(std::count(reported.begin(), reported.end(), "new"));

  before = engine.allFilters();
  added.tags = {"tag:web"};
  added.userLogin.clear();
  reported = engine.upsertNode(added);
  expectSameAsCompiler(engine, "retagged");
  expectReported(before, engine, reported, "retagged");

  reported = engine.removeNode("n4");
  expectSameAsCompiler(engine, "removed");
  EXPECT_TRUE(std::count(reported.begin(), reported.end(), "n4"));

  before = engine.allFilters();
  reported = engine.setPolicy(mustParse(R"({"acls": [{"action": "accept", "src": ["*"], "dst": ["tag:db:*"]}],
                                            "tagOwners": {"tag:db": []}})"));
  expectSameAsCompiler(engine, "new policy");
  expectReported(before, engine, reported, "new policy");
  reported = engine.setPolicy(Policy{});
  expectSameAsCompiler(engine, "allow all");
}

TEST(PolicyEngine, AdmitsAgreesWithTheFilters) {
  auto g = generate(4, 30);
  PolicyEngine engine(g.policy, g.nodes);
  const auto& nodes = engine.nodes();
  int allowed = 0;
  for (const auto& dst : nodes)
    for (const auto& src : nodes)
      for (std::uint16_t port : {22, 53, 80, 443, 5432, 8080}) {
        const int proto = port == 53 ? 17 : 6;
        bool expected = false;
        for (const auto& rule : engine.filterForId(dst.id)) {
          if (!rule.capGrant.empty()) continue;
          bool protoOk = rule.ipProto.empty() ||
                         std::find(rule.ipProto.begin(), rule.ipProto.end(), proto) != rule.ipProto.end();
          bool srcOk = false;
          for (const auto& s : rule.srcIps) srcOk = srcOk || IpSet::parseFilterEntry(s)->contains(*src.ipv4);
          bool dstOk = false;
          for (const auto& d : rule.dstPorts)
            dstOk = dstOk || (IpSet::parseFilterEntry(d.ip)->contains(*dst.ipv4) && port >= d.ports.first &&
                              port <= d.ports.last);
          expected = expected || (protoOk && srcOk && dstOk);
        }
        allowed += expected;
        EXPECT_EQ(engine.admits(dst.id, *src.ipv4, *dst.ipv4, proto, port), expected)
            << src.id << " -> " << dst.id << ":" << port;
      }
  EXPECT_GT(allowed, 0);
}

}  // namespace
}  // namespace postured::policy
