// The policy's own tests blocks, and posture semantics exercised through them
// (every operator, missing attributes, versions, lists, defaultSrcPosture).
#include "policy/policy_tests.h"

#include <gtest/gtest.h>

#include "policy/devices_file.h"

namespace postured::policy {
namespace {

using nlohmann::json;

const char* kDevices = R"({
  "users": [{"name": "alice", "email": "alice@example.com"}, {"name": "bob", "email": "bob@example.com"}],
  "nodes": {
    "alice-laptop": {"user": "alice", "ipv4": "100.64.0.1", "ipv6": "fd7a:115c:a1e0::1",
                     "attributes": {"node:os": "macos", "node:tsVersion": "1.62.0"}},
    "web1": {"tags": ["tag:web"], "ipv4": "100.64.0.10", "ipv6": "fd7a:115c:a1e0::10"},
    "db1": {"tags": ["tag:db"], "ipv4": "100.64.0.20", "ipv6": "fd7a:115c:a1e0::20"}
  }
})";

std::vector<PolicyNode> devices() {
  auto nodes = nodesFromDevicesJson(json::parse(kDevices));
  EXPECT_TRUE(nodes) << nodes.error().message;
  return *nodes;
}

TestReport run(const std::string& text) {
  auto policy = parsePolicy(text);
  EXPECT_TRUE(policy) << policy.error().message << "\n" << text;
  if (!policy) return {};
  return runPolicyTests(*policy, devices());
}

// One posture with one condition gating tag:web:443; a test whose source has
// `attrs` expects `accept`.
std::string postureCase(const std::string& condition, const json& attrs, bool accept) {
  json policy = {
      {"tagOwners", {{"tag:web", {"alice@example.com"}}}},
      {"postures", {{"posture:p", {condition}}}},
      {"acls",
       {{{"action", "accept"},
         {"src", {"autogroup:member"}},
         {"srcPosture", {"posture:p"}},
         {"dst", {"tag:web:443"}}}}},
      {"tests",
       {{{"src", "alice@example.com"}, {"srcPostureAttrs", attrs}, {accept ? "accept" : "deny", {"tag:web:443"}}}}},
  };
  return policy.dump();
}

struct PostureCase {
  const char* condition;
  json attrs;
  bool matches;
};

TEST(PolicyTests, PostureOperatorsThroughTestsBlocks) {
  const std::vector<PostureCase> cases = {
      {"node:os == 'macos'", {{"node:os", "macos"}}, true},
      {"node:os == 'macos'", {{"node:os", "linux"}}, false},
      {"node:os != 'macos'", {{"node:os", "linux"}}, true},
      {"node:os != 'macos'", {{"node:os", "macos"}}, false},
      {"custom:tier != 'prod'", json::object(), false},  // unset fails, whatever the operator
      {"sentinelOne:activeThreats == 0", {{"sentinelOne:activeThreats", 0}}, true},
      {"sentinelOne:activeThreats == 0", {{"sentinelOne:activeThreats", 3}}, false},
      {"falcon:ztaScore >= 70", {{"falcon:ztaScore", 70}}, true},
      {"falcon:ztaScore > 70", {{"falcon:ztaScore", 70}}, false},
      {"falcon:ztaScore < 70", {{"falcon:ztaScore", 69.5}}, true},
      {"falcon:ztaScore <= 70", {{"falcon:ztaScore", 71}}, false},
      {"falcon:ztaScore >= 70", {{"falcon:ztaScore", "80"}}, false},  // type mismatch never matches
      {"node:tsVersion >= '1.60'", {{"node:tsVersion", "1.60.0"}}, true},
      {"node:tsVersion <= '1.60'", {{"node:tsVersion", "1.60.0"}}, false},  // "1.60" < "1.60.0" (cmpver)
      {"node:tsVersion > '1.55.0'", {{"node:tsVersion", "1.100.2"}}, true},
      {"node:osVersion > '10.0.19045'", {{"node:osVersion", "10.0.22631.2262"}}, true},
      {"node:tsVersion < '1.60'", json::object(), false},
      {"node:os IN ['macos', 'linux']", {{"node:os", "linux"}}, true},
      {"node:os IN ['macos', 'linux']", {{"node:os", "windows"}}, false},
      {"node:os NOT IN ['macos', 'linux']", {{"node:os", "windows"}}, true},
      {"node:os not in ['macos', 'linux']", {{"node:os", "macos"}}, false},
      {"node:os NOT IN ['macos']", json::object(), false},
      {"custom:tier IS SET", {{"custom:tier", "prod"}}, true},
      {"custom:tier IS SET", json::object(), false},
      {"custom:tier NOT SET", json::object(), true},
      {"custom:tier NOT SET", {{"custom:tier", "prod"}}, false},
      {"node:tsAutoUpdate", {{"node:tsAutoUpdate", true}}, true},  // bare key: == true
      {"node:tsAutoUpdate", {{"node:tsAutoUpdate", false}}, false},
      {"sentinelOne:infected == false", {{"sentinelOne:infected", false}}, true},
      {"Node:OS == 'macos'", {{"node:os", "macos"}}, true},  // keys are case-insensitive
      {"kolide:authState != 'Will Block'", {{"kolide:authState", "Good"}}, true},
  };
  for (const auto& c : cases) {
    auto report = run(postureCase(c.condition, c.attrs, c.matches));
    EXPECT_TRUE(report.passed()) << c.condition << " with " << c.attrs.dump() << ": " << testFailureJson(report).dump();
    auto inverse = run(postureCase(c.condition, c.attrs, !c.matches));
    EXPECT_FALSE(inverse.passed()) << c.condition << " with " << c.attrs.dump();
  }
}

TEST(PolicyTests, FailuresInTailscaleShape) {
  auto report = run(R"({
    "tagOwners": {"tag:web": ["alice@example.com"]},
    "acls": [{"action": "accept", "src": ["alice@example.com"], "dst": ["tag:web:22"]}],
    "tests": [
      {"src": "alice@example.com", "accept": ["tag:web:22"], "deny": ["tag:web:80"]},
      {"src": "bob@example.com", "accept": ["tag:web:22"], "deny": ["100.64.0.10:22"]},
    ],
  })");
  EXPECT_EQ(report.tests, 2);
  EXPECT_EQ(report.checks, 4);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].line, 6);
  EXPECT_EQ(testFailureJson(report), json::parse(R"({"message":"test(s) failed","data":[{"user":"bob@example.com",
              "errors":["address \"tag:web:22\": want: Accept, got: Drop"]}]})"));

  auto alice = run(R"({
    "acls": [{"action": "accept", "src": ["alice@example.com"], "dst": ["*:22"]}],
    "tests": [{"src": "alice@example.com", "deny": ["2.2.2.2:22"]}],
  })");
  EXPECT_EQ(testFailureJson(alice)["data"][0]["errors"][0], "address \"2.2.2.2:22\": want: Drop, got: Accept");
}

TEST(PolicyTests, DefaultSrcPostureFailsTestsWithoutAttributes) {
  const std::string base = R"({
    "tagOwners": {"tag:web": ["alice@example.com"], "tag:db": ["alice@example.com"]},
    "postures": {"posture:clean": ["sentinelOne:infected == false"], "posture:any": ["node:os IS SET"]},
    "defaultSrcPosture": ["posture:clean"],
    "acls": [
      {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:web:443"]},
      {"action": "accept", "src": ["autogroup:member"], "srcPosture": ["posture:any"], "dst": ["tag:db:5432"]},
    ],
    "tests": [TESTS],
  })";
  auto with = [&](const std::string& tests) {
    std::string text = base;
    text.replace(text.find("TESTS"), 5, tests);
    return run(text);
  };
  // Issue 16688: no srcPostureAttrs, no attributes, the default posture fails.
  EXPECT_FALSE(with(R"({"src": "alice@example.com", "accept": ["tag:web:443"]})").passed());
  EXPECT_TRUE(with(R"({"src": "alice@example.com", "deny": ["tag:web:443"]})").passed());
  EXPECT_TRUE(with(R"({"src": "alice@example.com", "srcPostureAttrs": {"sentinelOne:infected": false},
                       "accept": ["tag:web:443"]})")
                  .passed());
  // A rule's own srcPosture replaces the default rather than adding to it.
  EXPECT_TRUE(
      with(R"({"src": "alice@example.com", "srcPostureAttrs": {"node:os": "linux", "sentinelOne:infected": true},
                       "accept": ["tag:db:5432"], "deny": ["tag:web:443"]})")
          .passed());
  // The device's own attributes do not count in a test: only srcPostureAttrs.
  EXPECT_TRUE(with(R"({"src": "100.64.0.1", "deny": ["tag:db:5432"]})").passed());
  EXPECT_TRUE(
      with(
          R"({"src": "100.64.0.1", "srcPostureAttrs": {"node:os": "macos"}, "accept": ["tag:db:5432", "100.64.0.20:5432"]})")
          .passed());
}

TEST(PolicyTests, PosturesOrAcrossAndWithinAnd) {
  const std::string base = R"({
    "tagOwners": {"tag:web": ["alice@example.com"]},
    "postures": {"posture:mac": ["node:os == 'macos'", "node:tsVersion >= '1.60'"], "posture:linux": ["node:os == 'linux'"]},
    "grants": [{"src": ["autogroup:member"], "dst": ["tag:web"], "ip": ["tcp:443"], "srcPosture": ["posture:mac", "posture:linux"]}],
    "tests": [{"src": "alice@example.com", "proto": "tcp", "srcPostureAttrs": ATTRS, "accept": ["tag:web:443"]}],
  })";
  auto with = [&](const std::string& attrs) {
    std::string text = base;
    text.replace(text.find("ATTRS"), 5, attrs);
    return run(text).passed();
  };
  EXPECT_TRUE(with(R"({"node:os": "macos", "node:tsVersion": "1.62.1"})"));
  EXPECT_FALSE(with(R"({"node:os": "macos", "node:tsVersion": "1.58.0"})"));  // AND within
  EXPECT_TRUE(with(R"({"node:os": "linux"})"));                               // OR across
  EXPECT_FALSE(with(R"({"node:os": "windows", "node:tsVersion": "1.70"})"));
}

TEST(PolicyTests, ProtocolsAndBadEntries) {
  auto report = run(R"({
    "tagOwners": {"tag:web": ["alice@example.com"]},
    "acls": [{"action": "accept", "src": ["autogroup:member"], "proto": "udp", "dst": ["tag:web:53"]}],
    "tests": [
      {"src": "alice@example.com", "proto": "udp", "accept": ["tag:web:53"]},
      {"src": "alice@example.com", "deny": ["tag:web:53"]},
      {"src": "alice@example.com", "proto": "icmp", "deny": ["tag:web:0"]},
    ],
  })");
  EXPECT_TRUE(report.passed()) << testFailureJson(report).dump();
}

TEST(PolicyTests, SshTests) {
  auto report = run(R"({
    "tagOwners": {"tag:web": ["alice@example.com"]},
    "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
    "ssh": [
      {"action": "check", "src": ["alice@example.com"], "dst": ["tag:web"], "users": ["root"]},
      {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:web"], "users": ["autogroup:nonroot"]},
      {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self"], "users": ["root"]},
    ],
    "sshTests": [
      {"src": "alice@example.com", "dst": ["tag:web"], "accept": ["ubuntu"], "check": ["root"]},
      {"src": "bob@example.com", "dst": ["tag:web"], "accept": ["ubuntu"], "deny": ["root"]},
      {"src": "alice@example.com", "dst": ["alice@example.com"], "accept": ["root"]},
      {"src": "bob@example.com", "dst": ["alice@example.com"], "accept": ["root"]},
    ],
  })");
  ASSERT_EQ(report.failures.size(), 1u) << testFailureJson(report).dump();
  EXPECT_TRUE(report.failures[0].ssh);
  EXPECT_EQ(report.failures[0].user, "bob@example.com");
  EXPECT_EQ(report.failures[0].errors,
            std::vector<std::string>{"ssh \"root@alice@example.com\": want: Accept, got: Drop"});
}

TEST(PolicyTests, NoTestsPass) {
  auto report = run(R"({"acls": []})");
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(testFailureJson(report), json::object());
}

}  // namespace
}  // namespace postured::policy
