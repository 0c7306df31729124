// GET/PUT /api/v1/policy and POST /api/v1/policy/check per flavor, and the
// push log that records every PUT.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/sha256.h"
#include "hs_client.h"

namespace postured::hsemu::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr const char* kPosturePolicy =
    R"({"postures": {"posture:ok": ["custom:infected == false"]},
        "acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:ok"], "dst": ["*:*"]}]})";

std::unique_ptr<HsEmulatorProcess> started(std::vector<std::string> args) {
  auto emu = std::make_unique<HsEmulatorProcess>(std::move(args));
  EXPECT_TRUE(emu->start()) << emu->logText();
  return emu;
}

TEST(PolicyTest, MainStoresAGoodPolicyAndEchoesIt) {
  auto emu = started({});
  auto res = call(*emu, "GET", "/api/v1/policy");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(parsed(res)["detail"], "loading ACL from database");
  EXPECT_EQ(parsed(res)["errors"][0]["message"], "acl policy not found");

  res = call(*emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(parsed(res)["policy"], kGoodPolicy);
  EXPECT_THAT(parsed(res)["updatedAt"].get<std::string>(), MatchesRegex("20[0-9-]+T[0-9:.]+Z"));
  const auto got = parsed(call(*emu, "GET", "/api/v1/policy"));
  EXPECT_EQ(got["policy"], kGoodPolicy);
  EXPECT_EQ(got["updatedAt"], parsed(res)["updatedAt"]);

  const auto pushes = emu->pushes();
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0]["outcome"], "accepted");
  EXPECT_EQ(pushes[0]["status"], 200);
  EXPECT_EQ(pushes[0]["error"], "");
  EXPECT_EQ(pushes[0]["policy"], kGoodPolicy);
  EXPECT_EQ(pushes[0]["sha256"], core::sha256Hex(kGoodPolicy));
  EXPECT_EQ(pushes[0]["bytes"], std::string(kGoodPolicy).size());
  EXPECT_TRUE(pushes[0]["atMicros"].is_number_integer());
  EXPECT_LE(pushes[0]["receivedAtMicros"].get<std::int64_t>(), pushes[0]["atMicros"].get<std::int64_t>());
  EXPECT_THAT(pushes[0]["at"].get<std::string>(), MatchesRegex(".*T[0-9:]+\\.[0-9]{6}Z"));
  EXPECT_FALSE(emu->control("GET", "/_emu/pushes?withoutPolicy=1")["pushes"][0].contains("policy"));
  emu->control("DELETE", "/_emu/pushes");
  EXPECT_TRUE(emu->pushes().empty());
}

TEST(PolicyTest, MainRejectsAPosturePolicyWithTheParserText) {
  auto emu = started({});
  auto res = call(*emu, "PUT", "/api/v1/policy", putBody(kPosturePolicy));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  EXPECT_EQ(parsed(res), (Json{{"title", "Bad Request"},
                               {"status", 400},
                               {"detail", "setting policy"},
                               {"errors", {{{"message", "parsing policy: unknown field: \"postures\""}}}}}));
  const auto pushes = emu->pushes();
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0]["outcome"], "rejected");
  EXPECT_EQ(pushes[0]["status"], 400);
  EXPECT_EQ(pushes[0]["error"], "setting policy: parsing policy: unknown field: \"postures\"");
  EXPECT_EQ(call(*emu, "GET", "/api/v1/policy").status, 500);  // nothing stored
}

TEST(PolicyTest, MainValidatesTheRequestBodyAsHuma) {
  auto emu = started({});
  auto res = call(*emu, "PUT", "/api/v1/policy", R"({"policy": "{}", "extra": 1})");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(parsed(res)["detail"], "validation failed");
  EXPECT_EQ(parsed(res)["errors"][0]["message"], "unexpected property");
  EXPECT_EQ(parsed(res)["errors"][0]["location"], "body.extra");
  res = call(*emu, "PUT", "/api/v1/policy", R"({"policy": 7})");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(parsed(res)["errors"][0],
            (Json{{"message", "expected string"}, {"location", "body.policy"}, {"value", 7}}));
  res = call(*emu, "PUT", "/api/v1/policy", "");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parsed(res)["detail"], "request body is required");
  res = call(*emu, "PUT", "/api/v1/policy", "{nope");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parsed(res)["errors"][0]["location"], "body");
  EXPECT_EQ(emu->pushes().size(), 4u);
}

TEST(PolicyTest, FileModeRefusesUpdates) {
  postured::testing::TempDir dir;
  const auto file = dir.file("policy.hujson");
  std::ofstream(file) << kGoodPolicy;
  for (const std::string flavor : {"main", "v0.29", "v0.25"}) {
    auto emu = started({"--flavor", flavor, "--policy-mode", "file", "--policy", file});
    auto res = call(*emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy));
    EXPECT_THAT(res.body, HasSubstr("update is disabled for modes other than 'database'")) << flavor;
    if (flavor == "main") {
      EXPECT_EQ(res.status, 400);
    } else {
      EXPECT_EQ(res.status, 500) << flavor;
      EXPECT_EQ(parsed(res), (Json{{"code", 2},
                                   {"message", "update is disabled for modes other than 'database'"},
                                   {"details", Json::array()}}));
    }
    EXPECT_EQ(emu->pushes()[0]["outcome"], "rejected");
    // GET reads the file.
    res = call(*emu, "GET", "/api/v1/policy");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(parsed(res)["policy"], kGoodPolicy);
    if (flavor == "main")
      EXPECT_EQ(parsed(res)["updatedAt"], "0001-01-01T00:00:00Z");
    else
      EXPECT_TRUE(parsed(res)["updatedAt"].is_null());
  }
}

TEST(PolicyTest, ModeCanBeSwitchedAtRunTime) {
  auto emu = started({});
  EXPECT_EQ(emu->control("GET", "/_emu/mode")["mode"], "database");
  emu->control("PUT", "/_emu/mode", {{"mode", "file"}});
  EXPECT_THAT(call(*emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy)).body, HasSubstr("update is disabled"));
  emu->control("PUT", "/_emu/mode", {{"mode", "database"}});
  EXPECT_EQ(call(*emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy)).status, 200);
  EXPECT_THROW(emu->control("PUT", "/_emu/mode", {{"mode", "yaml"}}), std::runtime_error);
}

TEST(PolicyTest, V029AnswersThroughTheGateway) {
  auto emu = started({"--flavor", "v0.29"});
  auto res = call(*emu, "PUT", "/api/v1/policy", putBody(kPosturePolicy));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(parsed(res), (Json{{"code", 2},
                               {"message", "setting policy: parsing policy: unknown field: \"postures\""},
                               {"details", Json::array()}}));
  // Unknown members are discarded by protojson.
  res = call(*emu, "PUT", "/api/v1/policy", R"({"policy": "{}", "extra": 1})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(parsed(res)["updatedAt"].get<std::string>(), MatchesRegex(".*T[0-9:.]+Z"));
  res = call(*emu, "PUT", "/api/v1/policy", R"({"policy": 7})");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parsed(res)["code"], 3);
  EXPECT_THAT(parsed(res)["message"].get<std::string>(), HasSubstr("invalid value for string field policy: 7"));
  // No check endpoint before main.
  res = call(*emu, "POST", "/api/v1/policy/check", putBody(kGoodPolicy));
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(parsed(res)["code"], 5);
}

TEST(PolicyTest, V025AcceptsPosturesSilently) {
  auto emu = started({"--flavor", "v0.25"});
  auto res = call(*emu, "PUT", "/api/v1/policy", putBody(kPosturePolicy));
  EXPECT_EQ(res.status, 200) << res.body;
  res = call(*emu, "PUT", "/api/v1/policy", putBody("{}"));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(parsed(res)["message"], "setting policy: parsing policy: empty policy");
}

TEST(PolicyTest, MainChecksWithoutStoring) {
  auto emu = started({});
  auto res = call(*emu, "POST", "/api/v1/policy/check", putBody(kGoodPolicy));
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(parsed(res), Json::object());
  res = call(*emu, "POST", "/api/v1/policy/check", putBody(kPosturePolicy));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parsed(res)["detail"], "parsing policy: unknown field: \"postures\"");
  EXPECT_EQ(call(*emu, "GET", "/api/v1/policy").status, 500);
  EXPECT_TRUE(emu->pushes().empty());
  EXPECT_EQ(emu->control("GET", "/_emu/stats")["policyChecks"], 2);
}

TEST(PolicyTest, InitialPolicyIsStored) {
  postured::testing::TempDir dir;
  const auto file = dir.file("policy.hujson");
  std::ofstream(file) << kGoodPolicy;
  auto emu = started({"--policy", file});
  EXPECT_EQ(parsed(call(*emu, "GET", "/api/v1/policy"))["policy"], kGoodPolicy);
}

}  // namespace
}  // namespace postured::hsemu::testing
