// --fleet FILE: agents served back as given, defaults, and clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <set>

#include "s1emu/emu_process.h"
#include "support/process.h"

namespace postured::s1emu::testing {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using ::testing::HasSubstr;

// An s1emu serving `fleet` (JSON text) from a file.
class FleetFile {
 public:
  explicit FleetFile(const std::string& fleet, std::vector<std::string> extra = {}) {
    writeFile(dir_.file("fleet.json"), fleet);
    std::vector<std::string> args = {"--fleet", dir_.file("fleet.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    emu_ = std::make_unique<EmuProcess>(args);
  }
  EmuProcess& emu() { return *emu_; }
  std::string path() const { return dir_.file("fleet.json"); }

 private:
  postured::testing::TempDir dir_;
  std::unique_ptr<EmuProcess> emu_;
};

// What real consoles send (reference sections 2 and 4): string booleans,
// nulls, an absent serialNumber, unknown nested fields.
constexpr const char* kRecordedShapes = R"([
{"id":"657613730168123595","uuid":"f431b0a1a8744d2a8a92fc88fa3c13bc","computerName":"EC2AMAZ-AJ1N8B2","isActive":true,"firewallEnabled":"True","isUpToDate":"True","isDecommissioned":true,"operationalState":"na","networkStatus":"connecting","externalId":null,"lastIpToMgmt":null,"osUsername":null,"activeThreats":0,"infected":false,"agentVersion":"3.1.3.38","encryptedApplications":false,"osType":"windows","osName":"Windows Server 2016","osRevision":"14393","machineType":"server"},
{"id":"1845174760470303882","uuid":"a2f4603d-c9e2-d7a2-bec2-0d646f3bbc9f","computerName":"ubuntu-arm","serialNumber":null,"isActive":"False","isDecommissioned":"False","agentVersion":"23.3.2.12","activeThreats":0,"infected":false,"operationalState":"na","osType":"linux","tags":{"sentinelone":[{"key":"env","value":"prod"}]}},
{"id":"1845174760470303999","uuid":"0c4f1fa0c1d64f1b9d7e39c3a1b2c3d4","computerName":"mixed-case","serialNumber":"c02xl0ghjgh5","isActive":true,"activeThreats":7,"infected":true,"operationalState":"partially_disabled"}
])";

TEST(S1emuFleetFile, ServesRecordedShapesVerbatimWithoutDefaults) {
  FleetFile fleet(std::string(R"({"defaults": false, "agents": )") + kRecordedShapes + "}");
  ASSERT_TRUE(fleet.emu().start()) << fleet.emu().stderrText();
  const auto given = ordered_json::parse(kRecordedShapes);
  const auto response = fleet.emu().agents("limit=10&isDecommissioned=true,false");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto page = ordered_json::parse(response.body);
  ASSERT_EQ(page["data"].size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(page["data"][i], given[i]);
    // Byte for byte, key order included.
    EXPECT_THAT(response.body, HasSubstr(given[i].dump()));
  }
  EXPECT_FALSE(page["data"][1].contains("isUninstalled"));
  EXPECT_TRUE(page["data"][1]["serialNumber"].is_null());
}

TEST(S1emuFleetFile, DefaultsFillOnlyMissingFieldsAndNeverTheSerial) {
  FleetFile fleet(kRecordedShapes);
  ASSERT_TRUE(fleet.emu().start()) << fleet.emu().stderrText();
  const auto given = ordered_json::parse(kRecordedShapes);
  const auto page = ordered_json::parse(fleet.emu().agents("limit=10&isDecommissioned=True,False").body);
  ASSERT_EQ(page["data"].size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& served = page["data"][i];
    for (const auto& [key, value] : given[i].items()) EXPECT_EQ(served[key], value) << key;
    for (const char* key : {"isUninstalled", "lastActiveDate", "updatedAt", "siteId", "networkInterfaces"})
      EXPECT_TRUE(served.contains(key)) << key;
  }
  EXPECT_EQ(page["data"][0]["firewallEnabled"], "True");
  EXPECT_FALSE(page["data"][0].contains("serialNumber"));
}

TEST(S1emuFleetFile, StringBooleanDecommissionedCounts) {
  FleetFile fleet(R"([{"id":"100000000000000001","isDecommissioned":"True"},
                      {"id":"100000000000000002","isDecommissioned":"false"},
                      {"id":"100000000000000003","isDecommissioned":null}])");
  ASSERT_TRUE(fleet.emu().start()) << fleet.emu().stderrText();
  const auto active = json::parse(fleet.emu().agents("").body);
  EXPECT_EQ(active["pagination"]["totalItems"], 2);
  const auto decommissioned = json::parse(fleet.emu().agents("isDecommissioned=true").body);
  ASSERT_EQ(decommissioned["data"].size(), 1u);
  EXPECT_EQ(decommissioned["data"][0]["id"], "100000000000000001");
}

TEST(S1emuFleetFile, AssignsIdsAndUuidsWhenAbsent) {
  FleetFile fleet(R"([{"computerName":"a"},{"computerName":"b","id":"1900000000000000000"},{"computerName":"c"}])");
  ASSERT_TRUE(fleet.emu().start()) << fleet.emu().stderrText();
  const auto page = json::parse(fleet.emu().agents("").body);
  ASSERT_EQ(page["data"].size(), 3u);
  std::set<std::string> ids, uuids;
  for (const auto& agent : page["data"]) {
    const auto id = agent["id"].get<std::string>();
    EXPECT_TRUE(std::regex_match(id, std::regex("[1-9][0-9]{17,18}"))) << id;
    EXPECT_TRUE(std::regex_match(agent["uuid"].get<std::string>(), std::regex("[0-9a-f]{32}")));
    ids.insert(id);
    uuids.insert(agent["uuid"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(uuids.size(), 3u);
  EXPECT_EQ(page["data"][0]["computerName"], "b");  // the given id is the smallest
}

TEST(S1emuFleetFile, ExactlyFullLastPageEndsWithNullCursor) {
  FleetFile fleet(R"([{"id":"100000000000000001"},{"id":"100000000000000002"},
                      {"id":"100000000000000003"},{"id":"100000000000000004"}])");
  ASSERT_TRUE(fleet.emu().start()) << fleet.emu().stderrText();
  const auto listing = listAll(fleet.emu(), "limit=2");
  EXPECT_EQ(listing.pageSizes, (std::vector<std::size_t>{2, 2}));
}

TEST(S1emuFleetFile, IdsSortNumericallyNotAsText) {
  FleetFile fleet(R"([{"id":"1000000000000000000"},{"id":"999999999999999999"},{"id":"99"}])");
  ASSERT_TRUE(fleet.emu().start()) << fleet.emu().stderrText();
  const auto listing = listAll(fleet.emu(), "limit=1");
  ASSERT_EQ(listing.agents.size(), 3u);
  EXPECT_EQ(listing.agents[0]["id"], "99");
  EXPECT_EQ(listing.agents[1]["id"], "999999999999999999");
  EXPECT_EQ(listing.agents[2]["id"], "1000000000000000000");
}

struct BadFleet {
  std::string text;
  std::string reason;
};

TEST(S1emuFleetFile, BadFleetFilesExitWith2AndTheReason) {
  const std::vector<BadFleet> cases = {
      {"[{]", "not valid JSON"},
      {R"({"agents": 3})", "agents: must be an array"},
      {"42", "must be an array of agent objects"},
      {R"([{"id":"1"}, 5])", "agents[1]: must be an object"},
      {R"([{"id":"12a"}])", "agents[0].id: must be a string of 1 to 19 decimal digits"},
      {R"([{"id":123}])", "agents[0].id: must be a string"},
      {R"([{"id":"99999999999999999999"}])", "agents[0].id"},
      {R"([{"id":"5"},{"id":"5"}])", "agents[1].id: an agent with id 5 already exists"},
      {R"([{"uuid":"a/b"}])", "agents[0].uuid"},
      {R"([{"uuid":"x"},{"uuid":"x"}])", "agents[1].uuid: an agent with uuid x already exists"},
      {R"({"agents": [], "extra": 1})", "extra: unknown field"},
      {R"({"agents": [], "defaults": "no"})", "defaults: must be true or false"},
  };
  postured::testing::TempDir dir;
  for (const auto& c : cases) {
    writeFile(dir.file("bad.json"), c.text);
    const auto result = postured::testing::runProcess({S1EMU_BINARY, "--fleet", dir.file("bad.json")});
    EXPECT_EQ(result.exitCode, 2) << c.text << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.reason)) << c.text;
    EXPECT_THAT(result.err, HasSubstr(dir.file("bad.json"))) << c.text;
  }
  const auto missing = postured::testing::runProcess({S1EMU_BINARY, "--fleet", dir.file("missing.json")});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot open"));
}

}  // namespace
}  // namespace postured::s1emu::testing
