// --generate: determinism, realistic shapes, and --devices-out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "s1emu/emu_process.h"
#include "support/process.h"

namespace postured::s1emu::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Generated {
  std::string fleet;
  std::string devices;
};

Generated generate(const std::string& agents, const std::string& seed) {
  postured::testing::TempDir dir;
  EmuProcess emu({"--generate", agents, "--seed", seed, "--fleet-out", dir.file("fleet.json"), "--devices-out",
                  dir.file("devices.json")});
  EXPECT_TRUE(emu.start()) << emu.stderrText();
  EXPECT_EQ(emu.announcedAgents(), std::stoul(agents));
  return {readFile(dir.file("fleet.json")), readFile(dir.file("devices.json"))};
}

TEST(S1emuGenerate, SameCountAndSeedGiveTheSameBytes) {
  const auto a = generate("3000", "42");
  const auto b = generate("3000", "42");
  ASSERT_FALSE(a.fleet.empty());
  EXPECT_TRUE(a.fleet == b.fleet);
  EXPECT_TRUE(a.devices == b.devices);
  const auto c = generate("3000", "43");
  EXPECT_FALSE(a.fleet == c.fleet);
}

TEST(S1emuGenerate, ServedAgentsAreTheGeneratedOnes) {
  postured::testing::TempDir dir;
  EmuProcess emu({"--generate", "1200", "--seed", "5", "--fleet-out", dir.file("fleet.json")});
  ASSERT_TRUE(emu.start()) << emu.stderrText();
  const auto fleet = json::parse(readFile(dir.file("fleet.json")));
  const auto listing = listAll(emu, "limit=1000&isDecommissioned=true,false");
  ASSERT_EQ(listing.agents.size(), fleet.size());
  for (std::size_t i = 0; i < fleet.size(); ++i) EXPECT_EQ(listing.agents[i], fleet[i]);
}

TEST(S1emuGenerate, AgentsLookLikeRealOnes) {
  const auto fleet = json::parse(generate("5000", "7").fleet);
  ASSERT_EQ(fleet.size(), 5000u);
  const std::regex timestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)");
  const std::regex digits("[1-9][0-9]{17,18}");
  std::map<std::string, int> oses, states;
  std::map<std::string, std::vector<json>> bySerial;
  int infected = 0, decommissioned = 0, uninstalled = 0, linux = 0, linuxWithoutSerial = 0, lowerCase = 0;
  for (const auto& a : fleet) {
    EXPECT_TRUE(std::regex_match(a["id"].get<std::string>(), digits)) << a["id"];
    EXPECT_TRUE(std::regex_match(a["uuid"].get<std::string>(), std::regex("[0-9a-f]{32}")));
    for (const char* key : {"siteId", "accountId", "groupId"})
      EXPECT_TRUE(std::regex_match(a[key].get<std::string>(), digits)) << key;
    for (const char* key : {"lastActiveDate", "updatedAt", "createdAt", "registeredAt"})
      EXPECT_TRUE(std::regex_match(a[key].get<std::string>(), timestamp)) << key << " " << a[key];
    EXPECT_TRUE(std::regex_match(a["agentVersion"].get<std::string>(), std::regex(R"(\d+\.\d+\.\d+\.\d+)")));
    EXPECT_EQ(a["infected"].get<bool>(), a["activeThreats"].get<int>() > 0);
    for (const char* key :
         {"isActive", "firewallEnabled", "encryptedApplications", "isDecommissioned", "isUninstalled"})
      EXPECT_TRUE(a[key].is_boolean()) << key;
    for (const char* key : {"computerName", "osName", "osRevision", "machineType", "networkStatus"})
      EXPECT_TRUE(a[key].is_string()) << key;
    for (const char* key : {"externalId", "osUsername", "lastIpToMgmt"}) EXPECT_TRUE(a.contains(key)) << key;
    ASSERT_TRUE(a["networkInterfaces"].is_array());
    for (const auto& nic : a["networkInterfaces"])
      for (const char* key : {"id", "name", "inet", "inet6", "physical"}) EXPECT_TRUE(nic.contains(key)) << key;
    ++oses[a["osType"].get<std::string>()];
    ++states[a["operationalState"].get<std::string>()];
    infected += a["infected"].get<bool>();
    decommissioned += a["isDecommissioned"].get<bool>();
    uninstalled += a["isUninstalled"].get<bool>();
    if (a["osType"] == "linux") {
      ++linux;
      linuxWithoutSerial += !a.contains("serialNumber") || a["serialNumber"].is_null();
    } else {
      EXPECT_TRUE(a["serialNumber"].is_string());
    }
    if (a.contains("serialNumber") && a["serialNumber"].is_string()) {
      const auto serial = a["serialNumber"].get<std::string>();
      // Vendors print serials in upper case; some consoles report them lowered.
      if (serial == lower(serial) && serial.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos &&
          serial.rfind("vmware", 0) == std::string::npos)
        ++lowerCase;
      bySerial[lower(serial)].push_back(a);
    }
  }
  EXPECT_EQ(oses.size(), 3u);
  EXPECT_GT(oses["windows"], oses["macos"]);
  EXPECT_GT(oses["macos"], oses["linux"]);
  EXPECT_GT(states["na"], 4500);
  EXPECT_GT(states.size(), 3u);
  // "A few %" each; generous bounds keep this about behaviour, not tuning.
  EXPECT_GT(infected, 25);
  EXPECT_LT(infected, 400);
  EXPECT_GT(decommissioned, 50);
  EXPECT_LT(decommissioned, 500);
  EXPECT_GT(uninstalled, 25);
  EXPECT_LT(uninstalled, 400);
  EXPECT_GT(linuxWithoutSerial, linux / 25);
  EXPECT_LT(linuxWithoutSerial, linux / 5);
  EXPECT_GT(lowerCase, 0);

  // Reinstalled machines: two agents share a serial; the older stopped first.
  int reinstalled = 0;
  for (const auto& [serial, agents] : bySerial) {
    if (agents.size() < 2) continue;
    ASSERT_EQ(agents.size(), 2u) << serial;
    ++reinstalled;
    const auto& older = agents[0];  // fleet-out is in id order, and ids grow with registration
    const auto& newer = agents[1];
    EXPECT_LT(older["createdAt"].get<std::string>(), newer["createdAt"].get<std::string>());
    EXPECT_LT(older["lastActiveDate"].get<std::string>(), newer["lastActiveDate"].get<std::string>());
    EXPECT_FALSE(older["isActive"].get<bool>());
  }
  EXPECT_GT(reinstalled, 50);
}

TEST(S1emuGenerate, DevicesOutListsOneImportableDevicePerMachineWithASerial) {
  const auto generated = generate("4000", "3");
  const auto fleet = json::parse(generated.fleet);
  const auto devices = json::parse(generated.devices);
  ASSERT_TRUE(devices.is_object());
  ASSERT_EQ(devices.size(), 1u);
  ASSERT_TRUE(devices["devices"].is_array());

  std::set<std::string> agentSerials;
  for (const auto& a : fleet)
    if (a.contains("serialNumber") && a["serialNumber"].is_string()) agentSerials.insert(lower(a["serialNumber"]));

  const std::regex label("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  std::set<std::string> hostnames, deviceSerials;
  int servers = 0;
  for (const auto& d : devices["devices"]) {
    const auto hostname = d["hostname"].get<std::string>();
    EXPECT_TRUE(std::regex_match(hostname, label)) << hostname;
    EXPECT_TRUE(hostnames.insert(hostname).second) << "duplicate hostname " << hostname;
    EXPECT_NE(d.contains("user"), d.contains("tags")) << d;
    if (d.contains("user")) {
      EXPECT_TRUE(std::regex_match(d["user"].get<std::string>(), std::regex(R"(user\d+@example\.com)"))) << d;
    } else {
      EXPECT_EQ(d["tags"], json::array({"tag:server"}));
      ++servers;
    }
    EXPECT_THAT((std::vector<std::string>{"windows", "macOS", "linux"}),
                ::testing::Contains(d["os"].get<std::string>()));
    EXPECT_TRUE(d["osVersion"].is_string());
    EXPECT_EQ(d["clientVersion"], "1.94.2");
    ASSERT_EQ(d["serialNumbers"].size(), 1u) << d;
    const auto serial = lower(d["serialNumbers"][0].get<std::string>());
    EXPECT_TRUE(agentSerials.count(serial)) << "no agent has serial " << serial;
    EXPECT_TRUE(deviceSerials.insert(serial).second) << "two devices share " << serial;
    for (const auto& [key, value] : d.items())
      EXPECT_THAT(
          (std::set<std::string>{"hostname", "user", "tags", "os", "osVersion", "clientVersion", "serialNumbers"}),
          ::testing::Contains(key));
  }
  EXPECT_EQ(deviceSerials, agentSerials);  // every machine with a serial, reinstalls once
  EXPECT_GT(servers, 0);
}

TEST(S1emuGenerate, UsageErrorsExitWith2) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "--fleet FILE or --generate N"},
      {{"--generate", "5", "--fleet", "x.json"}, "excludes"},
      {{"--generate", "-1"}, "--generate"},
      {{"--generate", "abc"}, "--generate"},
      {{"--fleet", "x.json", "--devices-out", "d.json"}, "requires"},
      {{"--generate", "5", "--base-time", "yesterday"}, "--base-time"},
      {{"--generate", "5", "--fail-page-times", "2"}, "requires"},
      {{"--generate", "5", "--slow-ms", "-5"}, "--slow-ms"},
      {{"--generate", "5", "--token", ""}, "--token"},
      {{"--generate", "5", "--token", "a", "--token-file", "t"}, "excludes"},
      {{"--generate", "5", "--bogus"}, "--bogus"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> argv = {S1EMU_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = postured::testing::runProcess(argv);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(result.exitCode, 2) << joined << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(message)) << joined;
  }
}

}  // namespace
}  // namespace postured::s1emu::testing
