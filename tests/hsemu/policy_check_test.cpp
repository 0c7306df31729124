// What headscale's policy parsers say about a policy: v2 (main, v0.29)
// rejects unknown members, so a posture-aware policy is refused; v1 (v0.25)
// ignores them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "policy_v1.h"
#include "policy_v2.h"

namespace postured::hsemu::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

constexpr const char* kGood = R"({
  "groups": {"group:admins": ["alice@"]},
  "tagOwners": {"tag:server": ["group:admins"]},
  "hosts": {"db": "100.64.0.9"},
  "acls": [
    {"action": "accept", "src": ["group:admins", "100.64.0.7"], "dst": ["tag:server:22,443", "db:5432"]},
    {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*"]},
  ],
  "ssh": [{"action": "accept", "src": ["group:admins"], "dst": ["tag:server"], "users": ["root"]}],
})";

TEST(PolicyV2Test, AcceptsAGoodPolicy) { EXPECT_EQ(checkPolicyV2(kGood), std::nullopt); }

TEST(PolicyV2Test, AcceptsTheEmptyPolicy) {
  EXPECT_EQ(checkPolicyV2(""), std::nullopt);
  EXPECT_EQ(checkPolicyV2("{}"), std::nullopt);
}

TEST(PolicyV2Test, RejectsTopLevelPostures) {
  EXPECT_THAT(checkPolicyV2(R"({"postures": {"posture:ok": ["node:os == 'linux'"]}, "acls": []})"),
              Optional(std::string("unknown field: \"postures\"")));
}

TEST(PolicyV2Test, RejectsSrcPostureInAnAcl) {
  EXPECT_THAT(checkPolicyV2(R"({"acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:ok"],
                                          "dst": ["*:*"]}]})"),
              Optional(std::string("unknown field: \"srcPosture\"")));
}

TEST(PolicyV2Test, RejectsDefaultSrcPosture) {
  EXPECT_THAT(checkPolicyV2(R"({"defaultSrcPosture": ["posture:ok"]})"),
              Optional(std::string("unknown field: \"defaultSrcPosture\"")));
}

TEST(PolicyV2Test, ReportsHuJsonSyntaxErrors) {
  EXPECT_THAT(checkPolicyV2("{\"acls\": [}"), Optional(HasSubstr("parsing HuJSON")));
}

TEST(PolicyV2Test, RejectsUndefinedGroups) {
  const auto error = checkPolicyV2(R"({"acls": [{"action": "accept", "src": ["group:nobody"], "dst": ["*:*"]}]})");
  ASSERT_TRUE(error);
  EXPECT_THAT(*error, HasSubstr("group:nobody"));
}

TEST(PolicyV1Test, IgnoresUnknownMembers) {
  EXPECT_EQ(checkPolicyV1(R"({"postures": {"posture:ok": []},
                              "acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:ok"],
                                        "dst": ["*:*"]}]})"),
            std::nullopt);
}

TEST(PolicyV1Test, RejectsAnEmptyPolicy) {
  EXPECT_THAT(checkPolicyV1("{}"), Optional(std::string("parsing policy: empty policy")));
}

TEST(PolicyV1Test, RejectsAnUnknownAction) {
  EXPECT_THAT(checkPolicyV1(R"({"acls": [{"action": "drop", "src": ["*"], "dst": ["*:*"]}]})"),
              Optional(std::string("compiling filter rules: invalid action")));
}

}  // namespace
}  // namespace postured::hsemu::policy
