#include "policy/policy_model.h"

#include <gtest/gtest.h>

namespace postured::policy {
namespace {

constexpr const char* kPolicy = R"({
  // comments and trailing commas are fine
  "groups": {"group:eng": ["alice@example.com", "bob@example.com"]},
  "tagOwners": {"tag:web": ["group:eng"]},
  "hosts": {"db": "100.64.0.9", "office": "192.168.0.0/24"},
  "ipsets": {"ipset:lab": ["10.0.0.0/8", "remove 10.1.0.0/16"]},
  "postures": {"posture:trusted": ["node:os IN ['macos', 'linux']", "sentinelOne:infected == false"]},
  "defaultSrcPosture": ["posture:trusted"],
  "acls": [
    {"action": "accept", "src": ["group:eng"], "dst": ["tag:web:80,443"], "proto": "tcp"},
    {"action": "accept", "src": ["*"], "srcPosture": [], "dst": ["db:5432"]},
  ],
  "grants": [
    {"src": ["autogroup:member"], "dst": ["tag:web"], "ip": ["tcp:22"], "app": {"example.com/cap/x": [{}]}},
  ],
  "ssh": [{"action": "check", "src": ["group:eng"], "dst": ["tag:web"], "users": ["root"], "srcPosture": ["posture:trusted"]}],
  "tests": [{"src": "alice@example.com", "srcPostureAttrs": {"node:os": "linux"}, "accept": ["tag:web:80"], "deny": ["db:22"]}],
  "sshTests": [{"src": "alice@example.com", "dst": ["tag:web"], "accept": ["root"]}],
  "nodeAttrs": [{"target": ["*"], "attr": ["funnel"]}],
  "autoApprovers": {"routes": {"10.0.0.0/8": ["tag:web"]}, "exitNode": ["group:eng"]},
  "attrConfig": {"custom:tier": {"type": "string", "allowSetByNode": false, "broadcastToPeers": ["*"]}},
})";

TEST(PolicyModel, ReadsEverySection) {
  auto p = parsePolicy(kPolicy);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->groups.at("group:eng").size(), 2u);
  EXPECT_EQ(p->hosts.at("office").toString(), "192.168.0.0/24");
  EXPECT_EQ(p->postures.at("posture:trusted").conditions.size(), 2u);
  ASSERT_EQ(p->acls.size(), 2u);
  EXPECT_EQ(p->acls[0].pos.line, 10);  // rules keep their line for explanations
  EXPECT_EQ(p->acls[0].ipProto, std::vector<int>{6});
  EXPECT_EQ(p->acls[0].dst[0].ports.size(), 2u);
  ASSERT_EQ(p->grants.size(), 1u);
  EXPECT_EQ(p->grants[0].pos.line, 14);
  EXPECT_TRUE(p->grants[0].app.contains("example.com/cap/x"));
  EXPECT_EQ(p->ssh[0].srcPosture[0].text, "posture:trusted");
  EXPECT_EQ(p->tests[0].srcPostureAttrs["node:os"], "linux");
  EXPECT_EQ(p->sshTests.size(), 1u);
  EXPECT_EQ(p->autoApprovers.routes.size(), 1u);
  EXPECT_EQ(p->attrConfig.at("custom:tier").type, "string");
  EXPECT_FALSE(p->allowAll());
}

std::string errorOf(const std::string& text) {
  auto p = parsePolicy(text);
  return p ? std::string("(accepted)") : p.error().message;
}

TEST(PolicyModel, ErrorsNameLineAndColumn) {
  EXPECT_EQ(errorOf("{\n  \"acl\": []\n}").rfind("line 2, column 3: unknown section \"acl\"", 0), 0u);
  EXPECT_EQ(errorOf("{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"], \"port\": 1}]}")
                .rfind("line 1, column 62: unknown field \"port\"", 0),
            0u);
  EXPECT_EQ(errorOf("{\"acls\": [{\"action\": \"drop\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}]}")
                .rfind("line 1, column 22: action=\"drop\" is not supported", 0),
            0u);
  EXPECT_NE(errorOf("{\"acls\": [{\"action\": \"accept\", \"dst\": [\"*:*\"]}]}").find("has no \"src\""),
            std::string::npos);
  EXPECT_NE(errorOf("{\"groups\": {\"group:a\": \"alice@example.com\"}}").find("must be an array"), std::string::npos);
}

TEST(PolicyModel, UndefinedReferencesAreErrorsWithPosition) {
  const std::string posture = R"({
  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"],
            "srcPosture": ["posture:missing"]}]
})";
  EXPECT_EQ(errorOf(posture).rfind("line 3, column 28: posture \"posture:missing\" is not defined", 0), 0u);
  const std::string group = R"({"acls": [{"action": "accept", "src": ["group:nobody"], "dst": ["*:*"]}]})";
  EXPECT_EQ(errorOf(group).rfind("line 1, column 40: src=\"group:nobody\": group not found", 0), 0u);
  EXPECT_NE(errorOf(R"({"defaultSrcPosture": ["posture:x"], "acls": []})").find("posture \"posture:x\" is not defined"),
            std::string::npos);
}

TEST(PolicyModel, PostureConditionsAreParsedWithTheirPosition) {
  auto p = parsePolicy(R"({"postures": {"posture:ok": ["node:os == 'linux'", "custom:tier IS SET"]}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->postures.at("posture:ok").parsed.size(), 2u);
  const std::string bad = "{\n  \"postures\": {\"posture:x\": [\"node:os === 'linux'\"]}\n}";
  const auto err = errorOf(bad);
  EXPECT_EQ(err.rfind("line 2, column ", 0), 0u) << err;
  EXPECT_NE(err.find("posture \"posture:x\": "), std::string::npos) << err;
}

TEST(PolicyModel, TailscalesRejectionMessages) {
  auto contains = [](const std::string& text, const std::string& want) {
    const auto err = errorOf(text);
    return err.find(want) != std::string::npos ? ::testing::AssertionSuccess()
                                               : ::testing::AssertionFailure() << err;
  };
  EXPECT_TRUE(contains(R"({"acls": [{"action": "accept", "src": ["tag:x"], "dst": ["*:*"]}]})",
                       "src=tag not found: \"tag:x\""));
  EXPECT_TRUE(contains(R"({"acls": [{"action": "accept", "src": ["*"], "dst": ["tag:x:22"]}]})",
                       "dst=\"tag:x\": tag not found: \"tag:x\""));
  EXPECT_TRUE(contains(R"({"acls": [{"action": "accept", "src": ["autogroup:tagged"], "dst": ["autogroup:self:*"]}]})",
                       "autogroup:self can only be used with users, groups, or supported autogroups"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["autogroup:self"], "ip": ["*"]}]})",
                       "autogroup:self can only be used with users, groups, or supported autogroups"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["*"]}]})", "ip and app can not both be empty"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["*"], "app": {"tailscale.com/cap/ingress": [{}]}}]})",
                       "capability name must not be in the tailscale.com domain"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["*"], "app": {"https://x.com/cap": [{}]}}]})",
                       "capability name must have the form {domain}/{path}"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["autogroup:danger-all"], "ip": ["*"]}]})",
                       "cannot use autogroup:danger-all as a dst"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["::/0"], "ip": ["*"]}]})",
                       "dst \"::/0\": to allow all IP addresses, use \"*\" or \"autogroup:internet\""));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["autogroup:internet"], "app": {"a.com/b": [{}]}}]})",
                       "cannot use app grants with autogroup:internet"));
  EXPECT_TRUE(contains(R"({"grants": [{"src": ["*"], "dst": ["10.0.0.0/8"], "ip": ["*"], "via": ["tag:r"]}]})",
                       "tag \"tag:r\" not found"));
}

TEST(PolicyModel, NoRulesMeansAllowAll) {
  auto p = parsePolicy("{}");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->allowAll());
}

}  // namespace
}  // namespace postured::policy
