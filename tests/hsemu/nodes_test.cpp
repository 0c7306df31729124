// GET /api/v1/node and /api/v1/node/{id} in each flavor's JSON: member
// order, string ids, null for unset messages, timestamp renderings, the
// tagged-devices user of lists, v0.25's three tag lists.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hs_client.h"

namespace postured::hsemu::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

const Json kNodes = {{"nodes",
                      {{{"name", "alice-laptop"},
                        {"givenName", "alice"},
                        {"user", {{"name", "alice"}, {"email", "alice@example.com"}, {"displayName", "Alice"}}},
                        {"online", true},
                        {"lastSeen", "2026-05-01T10:00:00.25Z"},
                        {"createdAt", "2026-01-02T03:04:05Z"}},
                       {{"name", "srv-web"},
                        {"tags", {"tag:server"}},
                        {"ipAddresses", {"100.64.0.50", "fd7a:115c:a1e0::50"}},
                        {"expiry", "2027-01-01T00:00:00.123456Z"},
                        {"createdAt", "2026-01-02T03:04:05Z"}}}}};

std::vector<std::string> keys(const Json& object) {
  std::vector<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
  return out;
}

// Member names in the order the body has them (nlohmann::json sorts them).
std::vector<std::string> orderedKeys(const std::string& body, const std::string& member) {
  const auto doc = nlohmann::ordered_json::parse(body);
  const auto& node = doc.contains("nodes") ? doc["nodes"][0] : doc[member];
  std::vector<std::string> out;
  for (auto it = node.begin(); it != node.end(); ++it) out.push_back(it.key());
  return out;
}

class NodesTest : public ::testing::Test {
 protected:
  void start(const std::string& flavor) {
    emu_ = std::make_unique<HsEmulatorProcess>(std::vector<std::string>{"--flavor", flavor, "--nodes", nodesFile()});
    ASSERT_TRUE(emu_->start()) << emu_->logText();
  }
  std::string nodesFile() {
    const auto path = dir_.file("nodes.json");
    std::ofstream(path) << kNodes.dump();
    return path;
  }
  postured::testing::TempDir dir_;
  std::unique_ptr<HsEmulatorProcess> emu_;
};

TEST_F(NodesTest, MainListsNodesAsHumaWritesThem) {
  start("main");
  auto res = call(*emu_, "GET", "/api/v1/node");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("content-type"), "application/json");
  EXPECT_EQ(res.body.back(), '\n');
  EXPECT_THAT(orderedKeys(res.body, "node"),
              ElementsAre("id", "machineKey", "nodeKey", "discoKey", "ipAddresses", "name", "user", "lastSeen",
                          "expiry", "preAuthKey", "createdAt", "registerMethod", "givenName", "online",
                          "approvedRoutes", "availableRoutes", "subnetRoutes", "tags"));
  const auto nodes = parsed(res)["nodes"];
  ASSERT_EQ(nodes.size(), 2u);
  const auto& alice = nodes[0];
  EXPECT_EQ(alice["id"], "1");
  EXPECT_THAT(alice["machineKey"].get<std::string>(), StartsWith("mkey:"));
  EXPECT_THAT(alice["nodeKey"].get<std::string>(), StartsWith("nodekey:"));
  EXPECT_EQ(alice["ipAddresses"], Json({"100.64.0.1", "fd7a:115c:a1e0::1"}));
  EXPECT_EQ(alice["name"], "alice-laptop");
  EXPECT_EQ(alice["givenName"], "alice");
  EXPECT_EQ(alice["user"]["id"], "1");
  EXPECT_EQ(alice["user"]["name"], "alice");
  EXPECT_EQ(alice["user"]["email"], "alice@example.com");
  EXPECT_EQ(alice["user"]["displayName"], "Alice");
  EXPECT_EQ(alice["lastSeen"], "2026-05-01T10:00:00.25Z");
  EXPECT_TRUE(alice["expiry"].is_null());
  EXPECT_TRUE(alice["preAuthKey"].is_null());
  EXPECT_EQ(alice["createdAt"], "2026-01-02T03:04:05Z");
  EXPECT_EQ(alice["registerMethod"], "REGISTER_METHOD_CLI");
  EXPECT_EQ(alice["online"], true);
  EXPECT_EQ(alice["tags"], Json::array());
  const auto& server = nodes[1];
  EXPECT_EQ(server["ipAddresses"], Json({"100.64.0.50", "fd7a:115c:a1e0::50"}));
  EXPECT_EQ(server["tags"], Json({"tag:server"}));
  EXPECT_EQ(server["registerMethod"], "REGISTER_METHOD_AUTH_KEY");
  EXPECT_EQ(server["expiry"], "2027-01-01T00:00:00.123456Z");
  EXPECT_TRUE(server["lastSeen"].is_null());
  // Tags-as-identity: a tagged node is listed under the special user.
  EXPECT_EQ(server["user"]["id"], "2147455555");
  EXPECT_EQ(server["user"]["name"], "tagged-devices");
  EXPECT_EQ(server["user"]["createdAt"], "0001-01-01T00:00:00Z");
}

TEST_F(NodesTest, MainGetsOneNodeWithItsOwnUser) {
  start("main");
  auto res = call(*emu_, "GET", "/api/v1/node/2");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(parsed(res)["node"]["user"].is_null());
  res = call(*emu_, "GET", "/api/v1/node/99");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  EXPECT_EQ(parsed(res), (Json{{"title", "Not Found"}, {"status", 404}, {"detail", "node not found"}}));
  res = call(*emu_, "GET", "/api/v1/node/abc");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parsed(res)["detail"],
            "type mismatch, parameter: node_id, error: strconv.ParseUint: parsing \"abc\": invalid syntax");
}

TEST_F(NodesTest, MainFiltersByUserName) {
  start("main");
  auto res = call(*emu_, "GET", "/api/v1/node?user=alice");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(parsed(res)["nodes"].size(), 1u);
  res = call(*emu_, "GET", "/api/v1/node?user=nobody");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(parsed(res)["errors"][0]["message"], "user not found");
}

TEST_F(NodesTest, V029WritesProtojson) {
  start("v0.29");
  auto res = call(*emu_, "GET", "/api/v1/node");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.body.back(), '\n');
  EXPECT_THAT(orderedKeys(res.body, "node"),
              ElementsAre("id", "machineKey", "nodeKey", "discoKey", "ipAddresses", "name", "user", "lastSeen",
                          "expiry", "preAuthKey", "createdAt", "registerMethod", "givenName", "online",
                          "approvedRoutes", "availableRoutes", "subnetRoutes", "tags"));
  const auto nodes = parsed(res)["nodes"];
  // protojson writes 0, 3, 6 or 9 fractional digits.
  EXPECT_EQ(nodes[0]["lastSeen"], "2026-05-01T10:00:00.250Z");
  EXPECT_EQ(nodes[0]["createdAt"], "2026-01-02T03:04:05Z");
  EXPECT_EQ(nodes[1]["expiry"], "2027-01-01T00:00:00.123456Z");
  EXPECT_EQ(nodes[0]["id"], "1");
  EXPECT_EQ(nodes[0]["user"]["id"], "1");
  res = call(*emu_, "GET", "/api/v1/node/99");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(parsed(res), (Json{{"code", 5}, {"message", "node not found"}, {"details", Json::array()}}));
  res = call(*emu_, "GET", "/api/v1/node/x");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(parsed(res)["code"], 3);
}

TEST_F(NodesTest, V025HasThreeTagListsAndNoRoutes) {
  start("v0.25");
  auto res = call(*emu_, "GET", "/api/v1/node");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(orderedKeys(res.body, "node"),
              ElementsAre("id", "machineKey", "nodeKey", "discoKey", "ipAddresses", "name", "user", "lastSeen",
                          "expiry", "preAuthKey", "createdAt", "registerMethod", "forcedTags", "invalidTags",
                          "validTags", "givenName", "online"));
  const auto server = parsed(res)["nodes"][1];
  EXPECT_EQ(server["forcedTags"], Json({"tag:server"}));
  EXPECT_EQ(server["validTags"], Json({"tag:server"}));
  EXPECT_EQ(server["invalidTags"], Json::array());
  EXPECT_TRUE(server["user"].is_null());
  EXPECT_FALSE(server.contains("tags"));
  res = call(*emu_, "GET", "/api/v1/node/99");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(parsed(res)["code"], 2);
}

TEST_F(NodesTest, ControlChangesShowInTheApi) {
  start("main");
  auto added = emu_->addNode({{"name", "bob-phone"}, {"user", {{"name", "bob"}}}});
  EXPECT_EQ(added["id"], "3");
  EXPECT_EQ(added["ipAddresses"], Json({"100.64.0.2", "fd7a:115c:a1e0::2"}));
  auto patched =
      emu_->control("PATCH", "/_emu/nodes/3", {{"online", true}, {"tags", {"tag:phone"}}, {"user", nullptr}});
  EXPECT_EQ(patched["node"]["tags"], Json({"tag:phone"}));
  EXPECT_TRUE(patched["node"]["user"].is_null());
  emu_->control("DELETE", "/_emu/nodes/1");
  const auto nodes = parsed(call(*emu_, "GET", "/api/v1/node"))["nodes"];
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0]["id"], "2");
  EXPECT_EQ(nodes[1]["online"], true);
  EXPECT_EQ(emu_->control("GET", "/_emu/stats")["nodeListRequests"], 1);
  EXPECT_EQ(keys(emu_->control("GET", "/_emu/nodes")), std::vector<std::string>{"nodes"});
}

}  // namespace
}  // namespace postured::hsemu::testing
