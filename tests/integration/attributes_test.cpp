// Posture attributes through Tailscale's endpoints.
#include <thread>

#include "core/time.h"
#include "server_fixture.h"

namespace postured::testing {
namespace {

class AttributesTest : public ServerTest {
 protected:
  void SetUp() override {
    // Sweep expired attributes often so the expiry test is quick.
    startServer({"--attribute-sweep-interval", "200ms"});
    ids_ = importDevices(3);
  }
  std::string attrPath(int device, const std::string& key = "") const {
    return "/api/v2/device/" + ids_[device] + "/attributes" + (key.empty() ? "" : "/" + key);
  }
  std::vector<std::string> ids_;
};

TEST_F(AttributesTest, SetReturnsTheAttributesObjectAndGetShowsIt) {
  auto res = call("POST", attrPath(0, "custom:tier"), Json{{"value", "gold"}, {"comment", "ticket 42"}}, 200);
  EXPECT_EQ(res["attributes"]["custom:tier"], "gold");
  EXPECT_EQ(res["attributes"]["node:os"], "linux");
  EXPECT_TRUE(res["expiries"].empty());
  call("POST", attrPath(0, "custom:score"), Json{{"value", 80}}, 200);
  call("POST", attrPath(0, "custom:encrypted"), Json{{"value", true}}, 200);
  auto all = get(attrPath(0));
  EXPECT_EQ(all["attributes"]["custom:score"], 80);
  EXPECT_TRUE(all["attributes"]["custom:score"].is_number_integer());
  EXPECT_EQ(all["attributes"]["custom:encrypted"], true);
  EXPECT_EQ(get(attrPath(1))["attributes"].size(), 1u) << "other devices are untouched (only node:os)";
}

TEST_F(AttributesTest, ValidationErrors) {
  auto integration = call("POST", attrPath(0, "sentinelOne:infected"), Json{{"value", false}}, 400);
  EXPECT_NE(integration["message"].get<std::string>().find("integration"), std::string::npos);
  call("POST", attrPath(0, "node:os"), Json{{"value", "windows"}}, 400);
  call("POST", attrPath(0, "custom:bad-key"), Json{{"value", 1}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", "has space"}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", 1.5}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", nullptr}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", Json::array()}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"nope", 1}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", 1}, {"expiry", "2001-01-01T00:00:00Z"}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", 1}, {"expiry", "next week"}}, 400);
  call("POST", attrPath(0, "custom:x"), Json{{"value", 1}, {"comment", std::string(201, 'c')}}, 400);
  call("POST", "/api/v2/device/nUNKNOWN/attributes/custom:x", Json{{"value", 1}}, 404);
  EXPECT_EQ(get(attrPath(0))["attributes"].size(), 1u) << "nothing was written";
}

TEST_F(AttributesTest, TypeIsFixedTailnetWideAndKeysAreUniqueIgnoringCase) {
  call("POST", attrPath(0, "custom:tier"), Json{{"value", "gold"}}, 200);
  auto typeChange = call("POST", attrPath(1, "custom:tier"), Json{{"value", 3}}, 400);
  EXPECT_NE(typeChange["message"].get<std::string>().find("string"), std::string::npos) << typeChange;
  call("POST", attrPath(0, "custom:tier"), Json{{"value", true}}, 400);
  auto caseClash = call("POST", attrPath(1, "custom:Tier"), Json{{"value", "silver"}}, 400);
  EXPECT_NE(caseClash["message"].get<std::string>().find("custom:tier"), std::string::npos) << caseClash;
  call("POST", attrPath(1, "custom:tier"), Json{{"value", "silver"}}, 200);
}

TEST_F(AttributesTest, DeleteOnlyCustomAndOnlyWhatIsSet) {
  call("POST", attrPath(0, "custom:tier"), Json{{"value", "gold"}}, 200);
  auto res = call("DELETE", attrPath(0, "custom:tier"), nullptr, 200);
  EXPECT_FALSE(res["attributes"].contains("custom:tier"));
  call("DELETE", attrPath(0, "custom:tier"), nullptr, 404);
  call("DELETE", attrPath(0, "node:os"), nullptr, 400);
}

TEST_F(AttributesTest, BatchPatchIsAllOrNothing) {
  call("POST", attrPath(2, "custom:gone"), Json{{"value", 1}}, 200);
  const Json good = {{"nodes",
                      {{ids_[0], {{"custom:tier", {{"value", "gold"}}}, {"custom:rank", {{"value", 1}}}}},
                       {ids_[1], {{"custom:tier", {{"value", "silver"}, {"expiry", "2099-01-01T00:00:00Z"}}}}},
                       {ids_[2], {{"custom:gone", nullptr}}}}},
                     {"comment", "quarterly review"}};
  auto ok = server().request("PATCH", "/api/v2/tailnet/-/device-attributes", good.dump());
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(get(attrPath(0))["attributes"]["custom:rank"], 1);
  EXPECT_EQ(get(attrPath(1))["expiries"]["custom:tier"], "2099-01-01T00:00:00.000Z");
  EXPECT_FALSE(get(attrPath(2))["attributes"].contains("custom:gone"));

  // One bad entry among good ones: 400 and nothing changes.
  const std::vector<Json> badBatches = {
      {{"nodes", {{ids_[0], {{"custom:tier", {{"value", "platinum"}}}}}, {ids_[1], {{"custom:tier", {{"value", 5}}}}}}}},
      {{"nodes", {{ids_[0], {{"custom:tier", {{"value", "platinum"}}}}}, {"nUNKNOWN", {{"custom:x", {{"value", 1}}}}}}}},
      {{"nodes", {{ids_[0], {{"custom:tier", {{"value", "platinum"}}}, {"custom:new", {{"nope", 1}}}}}}}},
      {{"nodes", {{ids_[0], {{"custom:a", {{"value", 1}}}}}, {ids_[1], {{"custom:a", {{"value", "x"}}}}}}}},
      {{"nodes", {{ids_[0], {{"custom:tier", {{"value", "platinum"}}}}}}}, {"comment", std::string(201, 'c')}},
      {{"nodes", {{ids_[0], {{"falcon:ztaScore", {{"value", 90}}}}}}}},
  };
  for (const auto& bad : badBatches) {
    auto res = server().request("PATCH", "/api/v2/tailnet/-/device-attributes", bad.dump());
    EXPECT_TRUE(res.status == 400 || res.status == 404) << bad << " -> " << res.body;
    EXPECT_NE(Json::parse(res.body)["message"].get<std::string>().find(":"), std::string::npos);
  }
  EXPECT_EQ(get(attrPath(0))["attributes"]["custom:tier"], "gold");
  EXPECT_FALSE(get(attrPath(0))["attributes"].contains("custom:a"));
  EXPECT_FALSE(get(attrPath(0))["attributes"].contains("custom:new"));
}

TEST_F(AttributesTest, ExpiredAttributesDisappearAndTheRemovalIsAudited) {
  const auto expiry = core::formatRfc3339(core::SystemClock().now() + std::chrono::milliseconds(1500));
  call("POST", attrPath(0, "custom:temp"), Json{{"value", true}, {"expiry", expiry}}, 200);
  EXPECT_EQ(get(attrPath(0))["expiries"]["custom:temp"], expiry);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_FALSE(get(attrPath(0))["attributes"].contains("custom:temp"));
  auto logs = get("/api/v2/tailnet/-/logging/configuration?actor=attribute-expiry")["logs"];
  ASSERT_EQ(logs.size(), 1u) << logs;
  EXPECT_EQ(logs[0]["actor"]["type"], "AUTOMATED_WORKER");
  EXPECT_EQ(logs[0]["old"]["custom:temp"], true);
  EXPECT_TRUE(logs[0]["new"]["custom:temp"].is_null());
  EXPECT_EQ(logs[0]["target"]["property"], "ATTRIBUTES");
}

}  // namespace
}  // namespace postured::testing
