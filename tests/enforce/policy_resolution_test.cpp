// resolvePostures on small policies: what is kept, dropped and warned about,
// how each kind of source is written, SSH narrowing, determinism.
// (resolution_exactness_test.cpp proves the packet filters on the corpora.)
#include "enforce/headscale/policy_resolution.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/devices_file.h"
#include "policy/filter_compiler.h"
#include "policy/policy_model.h"

namespace postured::enforce::headscale {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// alice: laptop (managed) and phone (not); bob: desktop (managed); web1 (managed), web2 (not);
// router serves 10.1.0.0/16.
json topology() {
  auto node = [](const char* user, const char* tag, const char* v4, const char* v6, bool managed) {
    json n = {{"ipv4", v4}, {"ipv6", v6}, {"attributes", {{"custom:managed", managed}}}};
    if (user) n["user"] = user;
    n["tags"] = tag ? json::array({tag}) : json::array();
    return n;
  };
  json t = {{"users", {{{"name", "alice"}, {"email", "alice@example.com"}}, {{"name", "bob"}, {"email", "bob@example.com"}}}},
            {"nodes",
             {{"alice-laptop", node("alice", nullptr, "100.64.0.1", "fd7a:115c:a1e0::1", true)},
              {"alice-phone", node("alice", nullptr, "100.64.0.4", "fd7a:115c:a1e0::4", false)},
              {"bob-desktop", node("bob", nullptr, "100.64.0.7", "fd7a:115c:a1e0::7", true)},
              {"web1", node(nullptr, "tag:web", "100.64.1.1", "fd7a:115c:a1e0::101", true)},
              {"web2", node(nullptr, "tag:web", "100.64.1.4", "fd7a:115c:a1e0::104", false)},
              {"router", node(nullptr, "tag:router", "100.64.2.1", "fd7a:115c:a1e0::201", true)}}}};
  t["nodes"]["router"]["approved_routes"] = {"10.1.0.0/16"};
  return t;
}

std::vector<policy::PolicyNode> nodes(const json& t = topology()) {
  auto n = policy::nodesFromDevicesJson(t);
  EXPECT_TRUE(n) << n.error().message;
  return n ? *n : std::vector<policy::PolicyNode>{};
}

const char* kPrelude = R"(
  "groups": {"group:eng": ["alice@example.com", "bob@example.com"]},
  "tagOwners": {"tag:web": ["alice@example.com"], "tag:router": ["alice@example.com"], "tag:db": ["alice@example.com"]},
  "hosts": {"lab": "10.50.0.0/16", "web1-host": "100.64.1.1"},
  "postures": {"posture:managed": ["custom:managed == true"], "posture:never": ["custom:absent == true"]},
)";

std::string policyText(const std::string& body) { return "{" + std::string(kPrelude) + body + "}"; }

struct Outcome {
  ResolvedPolicy resolved;
  json doc;
};

Outcome resolve(const std::string& text, const std::vector<policy::PolicyNode>& ns = nodes()) {
  auto parsed = policy::parsePolicy(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  if (!parsed) return {};
  auto r = resolvePostures(text, *parsed, ns);
  EXPECT_TRUE(r) << r.error().message;
  if (!r) return {};
  return {*r, json::parse(r->text)};
}

std::vector<std::string> strings(const json& list) { return list.get<std::vector<std::string>>(); }

TEST(PolicyResolution, KeepsWhatHeadscaleAcceptsAndNamesWhatItLeavesOut) {
  const std::string text = R"({
  "groups": {"group:eng": ["alice@example.com"]},
  "hosts": {"lab": "10.50.0.0/16"},
  "tagOwners": {"tag:web": ["alice@example.com"]},
  "ipsets": {"ipset:lab": ["lab"]},
  "postures": {"posture:managed": ["custom:managed == true"]},
  "defaultSrcPosture": ["posture:managed"],
  "acls": [{"action": "accept", "src": ["group:eng"], "dst": ["ipset:lab:22"]}],
  "grants": [{"src": ["tag:web"], "dst": ["lab"], "ip": ["443"]}],
  "ssh": [{"action": "accept", "src": ["bob@example.com"], "dst": ["tag:web"], "users": ["root"]}],
  "nodeAttrs": [{"target": ["ipset:lab"], "attr": ["funnel"]}],
  "autoApprovers": {"routes": {"10.1.0.0/16": ["tag:web"]}},
  "tests": [{"src": "alice@example.com", "accept": ["lab:22"]}],
  "sshTests": [{"src": "alice@example.com", "dst": ["tag:web"], "accept": ["root"]}],
  "randomizeClientPort": true,
  "derpMap": {"Regions": {}},
  "attrConfig": {"custom:managed": {"type": "bool"}},
  "disableIPv4": false,
  "OneCGNATRoute": "mac-always"
})";
  const Outcome run = resolve(text);
  std::vector<std::string> keys;
  for (const auto& [k, v] : run.doc.items()) keys.push_back(k);
  EXPECT_THAT(keys, ElementsAre("acls", "autoApprovers", "grants", "groups", "hosts", "nodeAttrs",
                                "randomizeClientPort", "ssh", "tagOwners"));
  EXPECT_THAT(run.resolved.warnings,
              ElementsAre("line 16: derpMap is not accepted by headscale and was left out",
                          "line 17: attrConfig is not accepted by headscale and was left out",
                          "line 18: disableIPv4 is not accepted by headscale and was left out",
                          "line 19: OneCGNATRoute is not accepted by headscale and was left out"));
  EXPECT_THAT(run.resolved.text, AllOf(Not(HasSubstr("posture")), Not(HasSubstr("ipset")), Not(HasSubstr("Posture"))));
  // The ipset became its address, in the ACL and in nodeAttrs.
  EXPECT_EQ(strings(run.doc["acls"][0]["dst"]), std::vector<std::string>{"10.50.0.0/16:22"});
  EXPECT_EQ(strings(run.doc["nodeAttrs"][0]["target"]), std::vector<std::string>{"10.50.0.0/16"});
  // The result is a policy postured itself reads back.
  EXPECT_TRUE(policy::parsePolicy(run.resolved.text));
}

TEST(PolicyResolution, RulesKeepOnlyTheFieldsHeadscaleReads) {
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["group:eng"], "srcPosture": ["posture:managed"], "proto": "tcp", "dst": ["tag:web:22"]}],
    "grants": [{"src": ["tag:web"], "dst": ["10.1.0.0/16"], "via": ["tag:router"], "ip": ["443"], "app": {"example.com/cap/x": [{}]},
                "srcPosture": ["posture:managed"]}],
    "ssh": [{"action": "check", "src": ["tag:web"], "dst": ["tag:web"], "users": ["root"], "checkPeriod": "1h",
             "acceptEnv": ["LANG"], "srcPosture": ["posture:managed"]}])"));
  auto keysOf = [](const json& o) {
    std::vector<std::string> k;
    for (const auto& [key, v] : o.items()) k.push_back(key);
    return k;
  };
  EXPECT_THAT(keysOf(run.doc["acls"][0]), ElementsAre("action", "dst", "proto", "src"));
  EXPECT_THAT(keysOf(run.doc["grants"][0]), ElementsAre("app", "dst", "ip", "src", "via"));
  EXPECT_TRUE(run.doc["ssh"].empty());  // web2 fails: tag:web may not SSH, and nothing else is left
}

TEST(PolicyResolution, SourcesBecomeTheAddressesOfThePassingNodes) {
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["group:eng", "tag:web"], "srcPosture": ["posture:managed"], "dst": ["tag:router:22"]}])"));
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]),
            (std::vector<std::string>{"100.64.0.1", "100.64.0.7", "100.64.1.1", "fd7a:115c:a1e0::1", "fd7a:115c:a1e0::7",
                                      "fd7a:115c:a1e0::101"}));
  EXPECT_EQ(strings(run.doc["acls"][0]["dst"]), std::vector<std::string>{"tag:router:22"});
  EXPECT_EQ(run.resolved.rulesResolved, 1u);
  EXPECT_EQ(run.resolved.rulesDropped, 0u);
}

TEST(PolicyResolution, WhenEveryonePassesTheSourcesAreStillAddresses) {
  // Addresses, not the selector: a device that joins later is not admitted before its posture is known.
  json t = topology();
  for (auto& [name, n] : t["nodes"].items()) n["attributes"]["custom:managed"] = true;
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["alice@example.com"], "srcPosture": ["posture:managed"], "dst": ["tag:web:80"]}])"),
                          nodes(t));
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]),
            (std::vector<std::string>{"100.64.0.1", "100.64.0.4", "fd7a:115c:a1e0::1", "fd7a:115c:a1e0::4"}));
}

TEST(PolicyResolution, ARuleNobodyPassesIsDroppedNeverLeftEmpty) {
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["group:eng"], "srcPosture": ["posture:never"], "dst": ["tag:web:80"]},
             {"action": "accept", "src": ["group:eng"], "dst": ["tag:web:81"]}],
    "grants": [{"src": ["tag:web"], "dst": ["tag:router"], "app": {"example.com/cap/x": [{}]}, "srcPosture": ["posture:never"]}])"));
  ASSERT_EQ(run.doc["acls"].size(), 1u);
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]), std::vector<std::string>{"group:eng"});  // no posture: as written
  EXPECT_TRUE(run.doc["grants"].empty());  // kept as an empty list: headscale must not read "no grants" as allow-all
  EXPECT_EQ(run.resolved.rulesDropped, 2u);
  EXPECT_EQ(run.resolved.rulesResolved, 0u);
}

TEST(PolicyResolution, NonNodeAddressesStayWhenTheirNodesFail) {
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["lab", "10.9.0.0/24", "100.64.0.4", "web1-host"], "srcPosture": ["posture:managed"],
              "dst": ["tag:router:22"]},
             {"action": "accept", "src": ["100.64.0.4"], "srcPosture": ["posture:managed"], "dst": ["tag:router:23"]}])"));
  // alice-phone (100.64.0.4) fails and goes with both its addresses; the networks and web1 stay.
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]),
            (std::vector<std::string>{"10.9.0.0/24", "10.50.0.0/16", "100.64.1.1", "fd7a:115c:a1e0::101"}));
  ASSERT_EQ(run.doc["acls"].size(), 1u);  // the second rule named only the failing node
}

TEST(PolicyResolution, AWildcardSourceLosesTheFailingNodesAndKeepsTheSubnetRoutes) {
  const Outcome run = resolve(policyText(R"(
    "grants": [{"src": ["*"], "dst": ["tag:router"], "ip": ["22"], "srcPosture": ["posture:managed"]}])"));
  const auto src = strings(run.doc["grants"][0]["src"]);
  auto resolvedSet = [&] {
    policy::IpSet s;
    for (const auto& e : src) s.add(*policy::IpPrefix::parse(e));
    return s;
  }();
  EXPECT_TRUE(resolvedSet.overlaps(*policy::IpPrefix::parse("10.1.0.0/16")));
  EXPECT_TRUE(resolvedSet.containsAll(policy::IpSet::parseFilterEntry("10.1.0.0/16").value()));
  for (const char* failing : {"100.64.0.4", "fd7a:115c:a1e0::4", "100.64.1.4", "fd7a:115c:a1e0::104"})
    EXPECT_FALSE(resolvedSet.contains(*policy::IpAddress::parse(failing))) << failing;
  EXPECT_TRUE(resolvedSet.contains(*policy::IpAddress::parse("100.64.0.2")));  // no node: not constrained
  EXPECT_TRUE(resolvedSet.contains(*policy::IpAddress::parse("100.64.0.1")));
}

TEST(PolicyResolution, AWildcardSourceThatLosesNobodyStaysAsWritten) {
  json t = topology();
  for (auto& [name, n] : t["nodes"].items()) n["attributes"]["custom:managed"] = true;
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["*", "lab"], "srcPosture": ["posture:managed"], "dst": ["tag:router:22"]},
             {"action": "accept", "src": ["autogroup:danger-all"], "srcPosture": ["posture:managed"], "dst": ["tag:router:23"]}])"),
                          nodes(t));
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]), (std::vector<std::string>{"*", "lab"}));
  EXPECT_EQ(strings(run.doc["acls"][1]["src"]), std::vector<std::string>{"autogroup:danger-all"});
}

TEST(PolicyResolution, DefaultSrcPostureAppliesWhereARuleHasNoneOfItsOwn) {
  const Outcome run = resolve(policyText(R"(
    "defaultSrcPosture": ["posture:never"],
    "acls": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:web:80"]},
             {"action": "accept", "src": ["group:eng"], "srcPosture": ["posture:managed"], "dst": ["tag:web:443"]}])"));
  ASSERT_EQ(run.doc["acls"].size(), 1u);  // the default fails everyone; the own posture replaces it
  EXPECT_EQ(strings(run.doc["acls"][0]["dst"]), std::vector<std::string>{"tag:web:443"});
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]),
            (std::vector<std::string>{"100.64.0.1", "100.64.0.7", "fd7a:115c:a1e0::1", "fd7a:115c:a1e0::7"}));
}

TEST(PolicyResolution, ViaGrantsKeepTheirRouters) {
  const Outcome run = resolve(policyText(R"(
    "grants": [{"src": ["group:eng"], "dst": ["10.1.0.0/16", "autogroup:self"], "via": ["tag:router"], "ip": ["443"],
                "srcPosture": ["posture:managed"]}])"));
  ASSERT_EQ(run.doc["grants"].size(), 1u);
  EXPECT_EQ(strings(run.doc["grants"][0]["via"]), std::vector<std::string>{"tag:router"});
  // autogroup:self gives nothing through a router and cannot stand next to address sources.
  EXPECT_EQ(strings(run.doc["grants"][0]["dst"]), std::vector<std::string>{"10.1.0.0/16"});
  EXPECT_EQ(strings(run.doc["grants"][0]["src"]).size(), 4u);
}

TEST(PolicyResolution, AppGrantsKeepTheirCapabilities) {
  const Outcome run = resolve(policyText(R"(
    "grants": [{"src": ["tag:web"], "dst": ["tag:router"], "app": {"example.com/cap/x": [{"a": 1}]}, "srcPosture": ["posture:managed"]},
               {"src": ["*"], "dst": ["tag:router"], "ip": ["445"], "app": {"tailscale.com/cap/drive": [{"shares": ["*"]}]},
                "srcPosture": ["posture:managed"]}])"));
  ASSERT_EQ(run.doc["grants"].size(), 3u);
  EXPECT_EQ(run.doc["grants"][0]["app"], json::parse(R"({"example.com/cap/x": [{"a": 1}]})"));
  EXPECT_EQ(strings(run.doc["grants"][0]["src"]), (std::vector<std::string>{"100.64.1.1", "fd7a:115c:a1e0::101"}));
  // Drive from "*": the port part keeps the subnet routes, the capability part does not (resolution_rules.h).
  EXPECT_FALSE(run.doc["grants"][1].contains("app"));
  EXPECT_FALSE(run.doc["grants"][2].contains("ip"));
  auto has = [](const json& src, const char* e) { return std::find(src.begin(), src.end(), e) != src.end(); };
  EXPECT_TRUE(has(run.doc["grants"][1]["src"], "10.1.0.0/16"));
  EXPECT_FALSE(has(run.doc["grants"][2]["src"], "10.1.0.0/16"));
}

TEST(PolicyResolution, AutogroupSelfBecomesOneRulePerUser) {
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["autogroup:member"], "srcPosture": ["posture:managed"], "dst": ["autogroup:self:22,80"]}])"));
  ASSERT_EQ(run.doc["acls"].size(), 2u);
  // alice's laptop passes and reaches both her devices; bob's desktop reaches itself.
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]), (std::vector<std::string>{"100.64.0.1", "fd7a:115c:a1e0::1"}));
  EXPECT_EQ(strings(run.doc["acls"][0]["dst"]),
            (std::vector<std::string>{"100.64.0.1:22", "100.64.0.4:22", "100.64.0.1:80", "100.64.0.4:80"}));
  EXPECT_EQ(strings(run.doc["acls"][1]["dst"]), (std::vector<std::string>{"100.64.0.7:22", "100.64.0.7:80"}));
}

TEST(PolicyResolution, IpsetsBecomeTheirAddresses) {
  const Outcome run = resolve(policyText(R"(
    "ipsets": {"ipset:office": ["10.1.0.0/16", "remove 10.1.5.0/24"], "ipset:people": ["100.64.0.1", "100.64.0.4"],
               "ipset:both": ["ipset:office", "add lab"]},
    "acls": [{"action": "accept", "src": ["ipset:people"], "srcPosture": ["posture:managed"], "dst": ["ipset:office:22"]},
             {"action": "accept", "src": ["ipset:both"], "dst": ["ipset:people:80"]}])"));
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]), (std::vector<std::string>{"100.64.0.1", "fd7a:115c:a1e0::1"}));
  EXPECT_EQ(strings(run.doc["acls"][0]["dst"]),
            (std::vector<std::string>{"10.1.0.0/22:22", "10.1.4.0/24:22", "10.1.6.0/23:22", "10.1.8.0/21:22",
                                      "10.1.16.0/20:22", "10.1.32.0/19:22", "10.1.64.0/18:22", "10.1.128.0/17:22"}));
  EXPECT_EQ(strings(run.doc["acls"][1]["src"]).size(), 9u);  // office's 8 prefixes and lab
  // Each node once: one address stands for all of a node's addresses.
  EXPECT_EQ(strings(run.doc["acls"][1]["dst"]), (std::vector<std::string>{"100.64.0.1:80", "100.64.0.4:80"}));
}

TEST(PolicyResolution, SshSourcesStayOnlyWhenAllTheirDevicesPass) {
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
    "ssh": [
      {"action": "accept", "src": ["group:eng", "bob@example.com", "tag:router"], "dst": ["tag:web"], "users": ["root"],
       "srcPosture": ["posture:managed"]},
      {"action": "accept", "src": ["alice@example.com"], "dst": ["autogroup:self"], "users": ["alice"],
       "srcPosture": ["posture:managed"]},
      {"action": "accept", "src": ["alice@example.com"], "dst": ["autogroup:self"], "users": ["root"]}])"));
  ASSERT_EQ(run.doc["ssh"].size(), 2u);
  // group:eng holds alice's phone, which fails: out, fail closed. bob and the router pass.
  EXPECT_EQ(strings(run.doc["ssh"][0]["src"]), (std::vector<std::string>{"bob@example.com", "tag:router"}));
  EXPECT_EQ(strings(run.doc["ssh"][1]["src"]), std::vector<std::string>{"alice@example.com"});  // no posture
  EXPECT_EQ(run.resolved.rulesResolved, 1u);
  EXPECT_EQ(run.resolved.rulesDropped, 1u);
  ASSERT_EQ(run.resolved.warnings.size(), 3u);
  EXPECT_THAT(run.resolved.warnings[0], AllOf(HasSubstr("line 9: SSH rule: source \"group:eng\" was left out"),
                                              HasSubstr("alice-phone")));
  EXPECT_THAT(run.resolved.warnings[1], HasSubstr("line 11: SSH rule: source \"alice@example.com\""));
  EXPECT_THAT(run.resolved.warnings[2], HasSubstr("line 11: SSH rule was left out"));
}

TEST(PolicyResolution, SshRulesNeverReachPacketFilters) {
  const std::string withSsh = policyText(R"(
    "acls": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:web:22"]}],
    "ssh": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:web"], "users": ["root"]}])");
  const std::string withoutSsh = policyText(R"(
    "acls": [{"action": "accept", "src": ["group:eng"], "dst": ["tag:web:22"]}])");
  auto a = policy::parsePolicy(withSsh);
  auto b = policy::parsePolicy(withoutSsh);
  ASSERT_TRUE(a && b);
  policy::FilterCompiler ca(*a, nodes());
  policy::FilterCompiler cb(*b, nodes());
  for (const auto& n : ca.nodes()) EXPECT_EQ(ca.filterFor(n.name), cb.filterFor(n.name)) << n.name;
}

TEST(PolicyResolution, ASingleAddressNamingPartOfANodeIsWarnedAbout) {
  // 100.64.0.0/29 covers IPv4 addresses only. bob-desktop (.5) passes, its neighbour alice-phone
  // (.4) fails, so .5 can only be written alone, and a lone address names the whole node: its
  // IPv6 address is admitted too. The resolution says so rather than drop a passing device.
  json t = topology();
  t["nodes"]["bob-desktop"]["ipv4"] = "100.64.0.5";
  const Outcome run = resolve(policyText(R"(
    "acls": [{"action": "accept", "src": ["100.64.0.0/29"], "srcPosture": ["posture:managed"], "dst": ["tag:web:22"]}])"),
                          nodes(t));
  EXPECT_EQ(strings(run.doc["acls"][0]["src"]), (std::vector<std::string>{"100.64.0.0/30", "100.64.0.5", "100.64.0.6/31"}));
  ASSERT_EQ(run.resolved.warnings.size(), 1u);
  EXPECT_THAT(run.resolved.warnings[0],
              AllOf(HasSubstr("line 7:"), HasSubstr("100.64.0.5 (node bob-desktop)"), HasSubstr("fd7a:115c:a1e0::7")));
}

TEST(PolicyResolution, SameInputsSameBytesWhateverTheNodeOrder) {
  const std::string text = policyText(R"(
    "acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:managed"], "dst": ["autogroup:self:22", "tag:web:80"]},
             {"action": "accept", "src": ["group:eng", "lab"], "srcPosture": ["posture:managed"], "dst": ["tag:web:443"]}],
    "grants": [{"src": ["autogroup:member"], "dst": ["autogroup:self"], "app": {"example.com/cap/x": [{}]},
                "srcPosture": ["posture:managed"]}])");
  auto ns = nodes();
  const Outcome first = resolve(text, ns);
  EXPECT_EQ(resolve(text, ns).resolved.text, first.resolved.text);
  std::mt19937 rng(7);
  for (int i = 0; i < 5; ++i) {
    std::shuffle(ns.begin(), ns.end(), rng);
    const Outcome shuffled = resolve(text, ns);
    EXPECT_EQ(shuffled.resolved.text, first.resolved.text);
    EXPECT_EQ(shuffled.resolved.warnings, first.resolved.warnings);
  }
  EXPECT_THAT(first.resolved.text, Not(IsEmpty()));
}

TEST(PolicyResolution, ATextThatDoesNotParseFails) {
  auto parsed = policy::parsePolicy(policyText(R"("acls": [])"));
  ASSERT_TRUE(parsed);
  auto r = resolvePostures("{\"acls\": [", *parsed, nodes());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("does not parse"));
  // A model that is not the text's: refused rather than resolved against the wrong rules.
  auto mismatch = resolvePostures(R"({"acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}]})", *parsed, nodes());
  ASSERT_FALSE(mismatch);
  EXPECT_THAT(mismatch.error().message, HasSubstr("differ"));
}

// PolicyResolver told that some nodes changed, when more than their
// attributes did (or the policy did): it resolves everything, so the bytes
// are still resolvePostures'. (resolution_exactness_test.cpp proves the
// attribute changes on the corpora.)
TEST(PolicyResolver, WhatIsMoreThanAnAttributeChangeIsResolvedAfresh) {
  const std::string text = policyText(R"(
    "acls": [{"action": "accept", "src": ["group:eng", "tag:web"], "srcPosture": ["posture:managed"], "dst": ["tag:router:22"]}],
    "grants": [{"src": ["autogroup:member"], "dst": ["autogroup:self"], "ip": ["22"], "srcPosture": ["posture:managed"]}])");
  auto parsed = policy::parsePolicy(text);
  ASSERT_TRUE(parsed);
  const auto model = std::make_shared<const policy::Policy>(std::move(*parsed));
  PolicyResolver resolver;
  auto check = [&](const std::string& policyText, std::vector<policy::PolicyNode> ns,
                   const std::vector<std::string>& changed, const char* what) {
    auto p = policy::parsePolicy(policyText);
    ASSERT_TRUE(p) << what;
    const auto m = std::make_shared<const policy::Policy>(std::move(*p));
    const auto full = resolvePostures(policyText, *m, ns);
    const auto incremental = resolver.resolve(policyText, m, std::move(ns), &changed);
    ASSERT_TRUE(full && incremental) << what;
    EXPECT_EQ(incremental->text, full->text) << what;
    EXPECT_EQ(incremental->warnings, full->warnings) << what;
  };
  auto ns = nodes();
  check(text, ns, {}, "the first call");
  ns[1].attributes.set("custom:managed", core::AttributeValue(true));  // alice-phone passes now
  check(text, ns, {ns[1].id}, "an attribute");
  ns[0].ipv4 = policy::IpAddress::parse("100.64.0.9");  // alice-laptop moves
  check(text, ns, {ns[0].id}, "an address");
  ns[2].userLogin = "alice@example.com";  // bob's desktop is alice's now
  check(text, ns, {ns[2].id}, "an owner");
  auto fewer = ns;
  fewer.pop_back();
  check(text, fewer, {ns.back().id}, "a node gone");
  check(text, ns, {ns.back().id}, "a node back");
  check(policyText(R"("acls": [{"action": "accept", "src": ["group:eng"], "srcPosture": ["posture:managed"], "dst": ["tag:web:80"]}])"),
        ns, {}, "another policy");
}

}  // namespace
}  // namespace postured::enforce::headscale
