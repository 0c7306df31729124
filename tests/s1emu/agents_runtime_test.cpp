// Agents added, changed and removed at run time through /_emu/agents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "s1emu/emu_process.h"

namespace postured::s1emu::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class S1emuRuntimeAgents : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(emu_.start()) << emu_.stderrText(); }
  std::vector<json> all(const std::string& query = "limit=1000") { return listAll(emu_, query).agents; }
  std::optional<json> listed(const std::string& uuid, const std::string& query = "limit=1000") {
    for (auto& a : all(query))
      if (a["uuid"] == uuid) return a;
    return std::nullopt;
  }
  json firstActive() { return json::parse(emu_.agents("limit=1").body)["data"][0]; }

  EmuProcess emu_{{"--generate", "300", "--seed", "4"}};
};

TEST_F(S1emuRuntimeAgents, PostAddsAnAgentVisibleInTheNextListing) {
  const auto before = all().size();
  const auto response = emu_.request("POST", "/_emu/agents", R"({"computerName":"new-host","serialNumber":"NEW123"})");
  ASSERT_EQ(response.status, 201) << response.body;
  const auto agent = json::parse(response.body);
  EXPECT_TRUE(std::regex_match(agent["id"].get<std::string>(), std::regex("[1-9][0-9]{17,18}")));
  EXPECT_TRUE(std::regex_match(agent["uuid"].get<std::string>(), std::regex("[0-9a-f]{32}")));
  EXPECT_EQ(agent["isActive"], true);  // defaulted

  const auto listing = listAll(emu_, "limit=1000");
  EXPECT_EQ(listing.agents.size(), before + 1);
  EXPECT_EQ(listing.totals.front(), before + 1);
  EXPECT_EQ(listing.agents.back(), agent);  // new ids come after existing ones
  EXPECT_EQ(json::parse(emu_.request("GET", "/_emu/stats").body)["agents"], 301);
  EXPECT_EQ(json::parse(emu_.request("GET", "/_emu/agents/" + agent["uuid"].get<std::string>()).body), agent);
}

TEST_F(S1emuRuntimeAgents, PostRejectsBadOrTakenIds) {
  const auto existing = firstActive();
  const auto taken = emu_.request("POST", "/_emu/agents", json{{"id", existing["id"]}}.dump());
  EXPECT_EQ(taken.status, 409);
  EXPECT_THAT(taken.body, HasSubstr("already exists"));
  const auto takenUuid = emu_.request("POST", "/_emu/agents", json{{"uuid", existing["uuid"]}}.dump());
  EXPECT_EQ(takenUuid.status, 409);
  const auto bad = emu_.request("POST", "/_emu/agents", R"({"id": "12x"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(json::parse(bad.body)["errors"][0]["detail"].get<std::string>(), HasSubstr("id: must be a string"));
  EXPECT_EQ(emu_.request("POST", "/_emu/agents", "[]").status, 400);
  EXPECT_EQ(emu_.request("POST", "/_emu/agents", "{").status, 400);
}

TEST_F(S1emuRuntimeAgents, PatchMergesFieldsAndDerivesInfected) {
  const auto agent = firstActive();
  const auto uuid = agent["uuid"].get<std::string>();
  const auto response =
      emu_.request("PATCH", "/_emu/agents/" + uuid, R"({"activeThreats": 2, "agentVersion": "24.2.1.1"})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto patched = listed(uuid);
  ASSERT_TRUE(patched);
  EXPECT_EQ((*patched)["activeThreats"], 2);
  EXPECT_EQ((*patched)["infected"], true);
  EXPECT_EQ((*patched)["agentVersion"], "24.2.1.1");
  EXPECT_NE((*patched)["updatedAt"], agent["updatedAt"]);
  EXPECT_EQ((*patched)["computerName"], agent["computerName"]);  // untouched

  emu_.request("PATCH", "/_emu/agents/" + uuid, R"({"activeThreats": 0})");
  EXPECT_EQ((*listed(uuid))["infected"], false);
  // An explicit infected wins, and string booleans are kept as given.
  emu_.request("PATCH", "/_emu/agents/" + uuid, R"({"activeThreats": 3, "infected": "False", "serialNumber": null})");
  const auto explicitly = listed(uuid);
  EXPECT_EQ((*explicitly)["infected"], "False");
  EXPECT_TRUE((*explicitly)["serialNumber"].is_null());
}

TEST_F(S1emuRuntimeAgents, PatchDecommissionedMovesTheAgentOutOfTheDefaultListing) {
  const auto uuid = firstActive()["uuid"].get<std::string>();
  const auto activeBefore = all().size();
  ASSERT_EQ(emu_.request("PATCH", "/_emu/agents/" + uuid, R"({"isDecommissioned": true})").status, 200);
  EXPECT_FALSE(listed(uuid));
  EXPECT_EQ(all().size(), activeBefore - 1);
  EXPECT_TRUE(listed(uuid, "limit=1000&isDecommissioned=true"));
}

TEST_F(S1emuRuntimeAgents, PatchCannotChangeIdentity) {
  const auto uuid = firstActive()["uuid"].get<std::string>();
  const auto response = emu_.request("PATCH", "/_emu/agents/" + uuid, R"({"id": "1"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("cannot be changed"));
  EXPECT_EQ(emu_.request("PATCH", "/_emu/agents/" + uuid, R"({"uuid": "other"})").status, 400);
  EXPECT_EQ(emu_.request("PATCH", "/_emu/agents/" + uuid, R"("x")").status, 400);
  EXPECT_EQ(emu_.request("PATCH", "/_emu/agents/nope", R"({"isActive": false})").status, 404);
}

TEST_F(S1emuRuntimeAgents, DeleteRemovesTheAgent) {
  const auto uuid = firstActive()["uuid"].get<std::string>();
  const auto before = all().size();
  EXPECT_EQ(emu_.request("DELETE", "/_emu/agents/" + uuid).status, 204);
  EXPECT_FALSE(listed(uuid));
  EXPECT_EQ(all().size(), before - 1);
  EXPECT_EQ(emu_.request("DELETE", "/_emu/agents/" + uuid).status, 404);
  EXPECT_EQ(emu_.request("GET", "/_emu/agents/" + uuid).status, 404);
  EXPECT_EQ(json::parse(emu_.request("GET", "/_emu/stats").body)["agents"], 299);
}

TEST_F(S1emuRuntimeAgents, CursorSurvivesDeletionOfTheLastAgentServed) {
  const auto first = json::parse(emu_.agents("limit=5").body);
  const auto cursor = first["pagination"]["nextCursor"].get<std::string>();
  const auto next = json::parse(emu_.agents("limit=5&cursor=" + urlEncode(cursor)).body);
  emu_.request("DELETE", "/_emu/agents/" + first["data"][4]["uuid"].get<std::string>());
  const auto again = json::parse(emu_.agents("limit=5&cursor=" + urlEncode(cursor)).body);
  EXPECT_EQ(again["data"], next["data"]);
}

}  // namespace
}  // namespace postured::s1emu::testing
