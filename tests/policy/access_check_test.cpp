// Access checks: decisions agree with the compiled filters on corpus policies,
// and explanations name the rule, the postures and every condition's actual value.
#include "policy/access_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "policy/devices_file.h"
#include "policy/filter_compiler.h"

namespace postured::policy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Written independently of filterAdmits(), from tailcfg.FilterRule's meaning.
bool admits(const std::vector<FilterRule>& filter, const IpAddress& src, const IpAddress& dst, int proto,
            std::optional<std::uint16_t> port) {
  const bool icmp = proto == 1 || proto == 58;
  for (const auto& rule : filter) {
    const bool protoOk = rule.ipProto.empty() ? (proto == 6 || proto == 17 || icmp)
                                              : std::count(rule.ipProto.begin(), rule.ipProto.end(), proto) > 0;
    if (!protoOk) continue;
    bool srcOk = false;
    for (const auto& s : rule.srcIps)
      if (auto set = IpSet::parseFilterEntry(s); set && set->contains(src)) srcOk = true;
    if (!srcOk) continue;
    for (const auto& d : rule.dstPorts) {
      auto set = IpSet::parseFilterEntry(d.ip);
      if (!set || !set->contains(dst)) continue;
      if (icmp || !port || (d.ports.first <= *port && *port <= d.ports.last)) return true;
    }
  }
  return false;
}

TEST(AccessCheck, AgreesWithCompiledFiltersOnCorpusPolicies) {
  std::vector<fs::path> files;
  for (const auto& dir : {"acl", "grant"})
    for (const auto& entry :
         fs::directory_iterator(fs::path(POSTURED_SOURCE_DIR) / "tests/policy/compat/tailscale-captures" / dir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  std::mt19937 rng(20261124);
  const std::vector<std::uint16_t> commonPorts = {22, 53, 80, 443, 3389, 5432, 8080, 8443, 9000};
  int policies = 0, checks = 0, allowed = 0;
  for (std::size_t f = 0; f < files.size(); f += 4) {
    const json c = json::parse(readFile(files[f]));
    if (c["api_response_code"].get<int>() != 200) continue;
    const std::string text = c["policy"].is_string() ? c["policy"].get<std::string>() : c["policy"].dump(1);
    auto policy = parsePolicy(text);
    ASSERT_TRUE(policy) << files[f] << ": " << policy.error().message;
    auto nodes = nodesFromDevicesJson(c["topology"]);
    ASSERT_TRUE(nodes) << files[f] << ": " << nodes.error().message;
    if (nodes->empty()) continue;
    ++policies;
    FilterCompiler compiler(*policy, *nodes);
    for (int i = 0; i < 12; ++i) {
      const auto& src = (*nodes)[rng() % nodes->size()];
      const auto& dst = (*nodes)[rng() % nodes->size()];
      const int protoPick = static_cast<int>(rng() % 5);
      const AccessProto proto = protoPick < 3    ? AccessProto::kTcp
                                : protoPick == 3 ? AccessProto::kUdp
                                                 : AccessProto::kIcmp;
      const std::uint16_t port =
          rng() % 3 ? commonPorts[rng() % commonPorts.size()] : static_cast<std::uint16_t>(rng());
      const bool v6 = rng() % 4 == 0 && dst.ipv6 && src.ipv6;
      std::string dstText =
          v6 ? "[" + dst.ipv6->toString() + "]:" + std::to_string(port) : dst.name + ":" + std::to_string(port);
      auto decision = checkAccess(*policy, *nodes, {src.name, dstText, std::string(accessProtoName(proto))});
      ASSERT_TRUE(decision) << decision.error().message;
      const IpAddress dstIp = v6 ? *dst.ipv6 : (dst.ipv4 ? *dst.ipv4 : *dst.ipv6);
      const std::optional<IpAddress> srcIp = dstIp.v6 ? src.ipv6 : src.ipv4;
      const int protoNumber = proto == AccessProto::kTcp ? 6 : proto == AccessProto::kUdp ? 17 : (dstIp.v6 ? 58 : 1);
      const bool want = srcIp && admits(compiler.filterFor(dst.name), *srcIp, dstIp, protoNumber, port);
      EXPECT_EQ(decision->allowed, want) << files[f].filename() << " " << src.name << " -> " << dstText << " "
                                         << accessProtoName(proto) << "\n"
                                         << toJson(*decision).dump(1);
      EXPECT_EQ(decision->allowed, decision->rule.has_value());
      ++checks;
      allowed += decision->allowed;
    }
  }
  std::cout << checks << " checks on " << policies << " corpus policies, " << allowed << " allowed\n";
  EXPECT_GT(policies, 20);
  EXPECT_GT(allowed, 0);
  EXPECT_LT(allowed, checks);
}

const char* kPosturePolicy = R"({
  "tagOwners": {"tag:web": ["alice@example.com"], "tag:db": ["alice@example.com"]},
  "postures": {
    "posture:latest": ["node:tsVersion >= '1.60'", "node:os IN ['macos', 'linux']"],
    "posture:clean": ["sentinelOne:infected == false", "sentinelOne:activeThreats == 0"],
  },
  "defaultSrcPosture": ["posture:clean"],
  "acls": [
    // line 10: web, posture-gated by its own srcPosture
    {"action": "accept", "src": ["autogroup:member"], "srcPosture": ["posture:latest"], "dst": ["tag:web:443"]},
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:db:5432"]},
    {"action": "accept", "src": ["tag:web"], "dst": ["tag:db:5432"]},
  ],
})";

const char* kDevices = R"({
  "users": [{"name": "alice", "email": "alice@example.com"}, {"name": "bob", "email": "bob@example.com"}],
  "nodes": {
    "alice-laptop": {"user": "alice", "ipv4": "100.64.0.1", "ipv6": "fd7a:115c:a1e0::1",
                     "attributes": {"node:tsVersion": "1.62.0", "node:os": "macos",
                                    "sentinelOne:infected": true, "sentinelOne:activeThreats": 2}},
    "bob-laptop": {"user": "bob", "ipv4": "100.64.0.2", "ipv6": "fd7a:115c:a1e0::2",
                   "attributes": {"node:tsVersion": "1.58.2", "node:os": "windows"}},
    "web1": {"tags": ["tag:web"], "ipv4": "100.64.0.10", "ipv6": "fd7a:115c:a1e0::10"},
    "db1": {"tags": ["tag:db"], "ipv4": "100.64.0.20", "ipv6": "fd7a:115c:a1e0::20"}
  }
})";

struct Fixture {
  Policy policy;
  std::vector<PolicyNode> nodes;
};

Fixture load(const char* policyText = kPosturePolicy) {
  auto policy = parsePolicy(policyText);
  EXPECT_TRUE(policy) << policy.error().message;
  auto nodes = nodesFromDevicesJson(json::parse(kDevices));
  EXPECT_TRUE(nodes) << nodes.error().message;
  return {*policy, *nodes};
}

TEST(AccessCheck, AgreesWithCompiledFiltersWithPostures) {
  auto f = load();
  FilterCompiler compiler(f.policy, f.nodes);
  int allowed = 0;
  for (const auto& src : f.nodes)
    for (const auto& dst : f.nodes)
      for (std::uint16_t port : {22, 443, 5432})
        for (AccessProto proto : {AccessProto::kTcp, AccessProto::kUdp, AccessProto::kIcmp}) {
          const std::string dstText = dst.name + ":" + std::to_string(port);
          auto d = checkAccess(f.policy, f.nodes, {src.name, dstText, std::string(accessProtoName(proto))});
          ASSERT_TRUE(d);
          const int number = proto == AccessProto::kTcp ? 6 : proto == AccessProto::kUdp ? 17 : 1;
          EXPECT_EQ(d->allowed, admits(compiler.filterFor(dst.name), *src.ipv4, *dst.ipv4, number, port))
              << src.name << " -> " << dstText << " " << accessProtoName(proto);
          allowed += d->allowed;
        }
  EXPECT_GT(allowed, 0);
}

// A larger generated tailnet: users, tags, a subnet router, random attributes,
// postures with defaultSrcPosture, autogroup:self, wildcards and grants.
TEST(AccessCheck, AgreesWithCompiledFiltersOnGeneratedTailnet) {
  auto policy = parsePolicy(R"({
    "groups": {"group:eng": ["u0@example.com", "u1@example.com", "u2@example.com"]},
    "tagOwners": {"tag:web": ["group:eng"], "tag:db": ["group:eng"], "tag:router": ["group:eng"]},
    "postures": {
      "posture:clean": ["sentinelOne:infected == false"],
      "posture:new": ["node:tsVersion >= '1.60'", "node:os IN ['macos', 'linux']"],
      "posture:unset": ["custom:tier NOT SET"],
    },
    "defaultSrcPosture": ["posture:clean", "posture:unset"],
    "acls": [
      {"action": "accept", "src": ["group:eng"], "srcPosture": ["posture:new"], "dst": ["tag:web:443,8080-8090"]},
      {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*"]},
      {"action": "accept", "src": ["tag:web"], "proto": "tcp", "dst": ["tag:db:5432", "10.1.0.0/16:22"]},
      {"action": "accept", "src": ["*"], "dst": ["tag:web:80"]},
    ],
    "grants": [
      {"src": ["autogroup:member"], "dst": ["tag:db"], "ip": ["udp:53", "icmp:*"], "srcPosture": ["posture:clean"]},
    ],
  })");
  ASSERT_TRUE(policy) << policy.error().message;
  std::mt19937 rng(7);
  json topology = {{"users", json::array()}, {"nodes", json::object()}};
  for (int u = 0; u < 6; ++u)
    topology["users"].push_back(
        {{"name", "u" + std::to_string(u)}, {"email", "u" + std::to_string(u) + "@example.com"}});
  const std::vector<std::string> oses = {"macos", "linux", "windows"};
  const std::vector<std::string> versions = {"1.58.2", "1.60", "1.60.0", "1.62.1"};
  for (int i = 0; i < 40; ++i) {
    json n = {{"ipv4", "100.64.1." + std::to_string(i + 1)}, {"ipv6", "fd7a:115c:a1e0::1:" + std::to_string(i + 1)}};
    if (i % 5 == 0)
      n["tags"] = {"tag:web"};
    else if (i % 7 == 0)
      n["tags"] = {"tag:db"};
    else if (i == 1)
      n["tags"] = {"tag:router"}, n["approved_routes"] = {"10.1.0.0/16"};
    else
      n["user"] = "u" + std::to_string(rng() % 6);
    json attrs = json::object();
    if (rng() % 4) attrs["sentinelOne:infected"] = rng() % 3 == 0;
    if (rng() % 4) attrs["node:os"] = oses[rng() % oses.size()];
    if (rng() % 4) attrs["node:tsVersion"] = versions[rng() % versions.size()];
    if (rng() % 5 == 0) attrs["custom:tier"] = "prod";
    n["attributes"] = attrs;
    topology["nodes"]["n" + std::to_string(i)] = n;
  }
  auto nodes = nodesFromDevicesJson(topology);
  ASSERT_TRUE(nodes) << nodes.error().message;
  FilterCompiler compiler(*policy, *nodes);
  int allowed = 0, checks = 0;
  for (int i = 0; i < 600; ++i) {
    const auto& src = (*nodes)[rng() % nodes->size()];
    const auto& dst = (*nodes)[rng() % nodes->size()];
    const std::uint16_t port = std::vector<std::uint16_t>{22, 53, 80, 443, 5432, 8085, 9999}[rng() % 7];
    const AccessProto proto =
        std::vector<AccessProto>{AccessProto::kTcp, AccessProto::kUdp, AccessProto::kIcmp}[rng() % 3];
    auto d = checkAccess(*policy, *nodes,
                         {src.name, dst.name + ":" + std::to_string(port), std::string(accessProtoName(proto))});
    ASSERT_TRUE(d);
    const int number = proto == AccessProto::kTcp ? 6 : proto == AccessProto::kUdp ? 17 : 1;
    EXPECT_EQ(d->allowed, admits(compiler.filterFor(dst.name), *src.ipv4, *dst.ipv4, number, port))
        << src.name << " -> " << dst.name << ":" << port << " " << accessProtoName(proto) << "\n"
        << toJson(*d).dump(1);
    ++checks;
    allowed += d->allowed;
  }
  // The subnet behind the router.
  for (const auto& src : *nodes) {
    auto d = checkAccess(*policy, *nodes, {src.name, "10.1.2.3:22"});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->allowed, admits(compiler.filterFor("n1"), *src.ipv4, *IpAddress::parse("10.1.2.3"), 6, 22))
        << src.name;
    allowed += d->allowed;
  }
  EXPECT_GT(allowed, 10);
  EXPECT_LT(allowed, checks);
}

TEST(AccessCheck, AllowedNamesRuleAndPostureConditionsWithActualValues) {
  auto f = load();
  auto d = checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:443", "tcp"});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->allowed);
  ASSERT_TRUE(d->rule);
  EXPECT_EQ(d->rule->line, 10);
  const json j = toJson(*d);
  EXPECT_EQ(j["rule"], (json{{"line", 10}, {"kind", "acl"}}));
  ASSERT_EQ(j["postures"].size(), 1u);
  EXPECT_EQ(j["postures"][0]["name"], "posture:latest");
  EXPECT_EQ(j["postures"][0]["passed"], true);
  EXPECT_EQ(j["postures"][0]["conditions"][0]["condition"], "node:tsVersion >= '1.60'");
  EXPECT_EQ(j["postures"][0]["conditions"][0]["actual"], "1.62.0");
  EXPECT_EQ(j["postures"][0]["conditions"][1]["actual"], "macos");
  EXPECT_EQ(j["proto"], "tcp");
  EXPECT_EQ(j["src"], "alice-laptop");
  EXPECT_EQ(j["dst"], "web1:443");
}

TEST(AccessCheck, DeniedByPostureListsFailingConditions) {
  auto f = load();
  auto d = checkAccess(f.policy, f.nodes, {"bob-laptop", "web1:443", "tcp"});
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->allowed);
  ASSERT_EQ(d->failedRules.size(), 1u);
  EXPECT_EQ(d->failedRules[0].line, 10);
  const json j = toJson(*d);
  EXPECT_EQ(j["failedRules"][0]["postures"], json::array({"posture:latest"}));
  EXPECT_EQ(j["postures"][0]["passed"], false);
  EXPECT_EQ(j["postures"][0]["conditions"][0]["passed"], false);
  EXPECT_EQ(j["postures"][0]["conditions"][0]["actual"], "1.58.2");
  EXPECT_EQ(j["postures"][0]["conditions"][1]["actual"], "windows");
  EXPECT_NE(d->reason.find("line 10"), std::string::npos) << d->reason;
  EXPECT_NE(formatDecision(*d).find("[FAIL] node:tsVersion >= '1.60'"), std::string::npos) << formatDecision(*d);
}

TEST(AccessCheck, DefaultSrcPostureAppliesToRulesWithoutTheirOwn) {
  auto f = load();
  // alice is infected: the default posture fails; bob has no sentinelOne attributes: unset fails too.
  for (const char* src : {"alice-laptop", "bob-laptop"}) {
    auto d = checkAccess(f.policy, f.nodes, {src, "db1:5432", "tcp"});
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->allowed) << src;
    ASSERT_EQ(d->failedRules.size(), 1u);
    EXPECT_TRUE(d->failedRules[0].defaultPosture);
  }
  auto bob = checkAccess(f.policy, f.nodes, {"bob-laptop", "db1:5432", "tcp"});
  EXPECT_EQ(toJson(*bob)["postures"][0]["conditions"][0]["actual"], nullptr);
  auto alice = checkAccess(f.policy, f.nodes, {"alice-laptop", "db1:5432", "tcp"});
  EXPECT_EQ(toJson(*alice)["postures"][0]["conditions"][1]["actual"], 2);
  // A tagged source without attributes fails the default posture as well.
  auto web = checkAccess(f.policy, f.nodes, {"web1", "db1:5432"});
  EXPECT_FALSE(web->allowed);
}

TEST(AccessCheck, NoMatchingRuleAndProtocols) {
  auto f = load();
  auto d = checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:22", "tcp"});
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->allowed);
  EXPECT_TRUE(d->failedRules.empty());
  EXPECT_NE(d->reason.find("no acl or grant"), std::string::npos);
  EXPECT_TRUE(
      checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:443", "udp"})->allowed);  // no proto: tcp, udp, icmp
  EXPECT_TRUE(checkAccess(f.policy, f.nodes, {"alice-laptop", "web1", "icmp"})->allowed);
  EXPECT_TRUE(checkAccess(f.policy, f.nodes, {"alice-laptop", "100.64.0.10:443"})->allowed);
  EXPECT_TRUE(checkAccess(f.policy, f.nodes, {"alice-laptop", "[fd7a:115c:a1e0::10]:443"})->allowed);
  EXPECT_FALSE(checkAccess(f.policy, f.nodes, {"alice-laptop", "100.99.0.1:443"})->allowed);
}

TEST(AccessCheck, InputErrorsNameTheField) {
  auto f = load();
  auto unknown = checkAccess(f.policy, f.nodes, {"nobody", "web1:443"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "src");
  auto badPort = checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:http"});
  ASSERT_FALSE(badPort);
  EXPECT_EQ(badPort.error().field, "dst");
  auto badProto = checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:443", "sctp"});
  ASSERT_FALSE(badProto);
  EXPECT_EQ(badProto.error().field, "proto");
}

TEST(AccessCheck, GrantsWithPosturesAndAllowAll) {
  auto f = load(R"({
    "tagOwners": {"tag:web": ["alice@example.com"]},
    "postures": {"posture:mac": ["node:os == 'macos'"]},
    "grants": [{"src": ["autogroup:member"], "dst": ["tag:web"], "ip": ["tcp:443", "udp:53"], "srcPosture": ["posture:mac"]}],
  })");
  auto d = checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:53", "udp"});
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->allowed);
  EXPECT_EQ(toJson(*d)["rule"]["kind"], "grant");
  EXPECT_FALSE(checkAccess(f.policy, f.nodes, {"alice-laptop", "web1:53", "tcp"})->allowed);
  EXPECT_FALSE(checkAccess(f.policy, f.nodes, {"bob-laptop", "web1:443"})->allowed);

  auto all = load(R"({"postures": {"posture:mac": ["node:os == 'macos'"]}})");
  EXPECT_TRUE(checkAccess(all.policy, all.nodes, {"bob-laptop", "db1:1"})->allowed);
}

}  // namespace
}  // namespace postured::policy
