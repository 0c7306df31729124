// postured driving headscale end to end: postured, the headscale emulator
// (tools/hsemu) and, for the SentinelOne story, s1emu, all as real processes
// on loopback. headscale's nodes become devices; every decision change
// reaches headscale as a posture-free policy.
#include <gmock/gmock.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "core/time.h"
#include "enrollment_client.h"
#include "server_fixture.h"
#include "support/hsemu_process.h"
#include "support/s1emu_process.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// Members on clean machines reach the servers; the servers reach each other.
constexpr const char* kPolicy = R"({
  "groups": {"group:admins": ["alice@example.com"]},
  "tagOwners": {"tag:server": ["group:admins"]},
  "postures": {"posture:clean": ["custom:infected == false"]},
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:server:443"], "srcPosture": ["posture:clean"]},
    {"action": "accept", "src": ["tag:server"], "dst": ["tag:server:*"]},
  ],
})";

Json node(int id, const std::string& name, const std::string& user, Json tags = Json::array()) {
  Json n = {{"id", id},
            {"name", name},
            {"ipAddresses", {"100.64.0." + std::to_string(id), "fd7a:115c:a1e0::" + std::to_string(id)}},
            {"online", true},
            {"lastSeen", "2026-12-01T10:00:00Z"}};
  if (!user.empty()) n["user"] = {{"name", user}, {"email", user + "@example.com"}};
  if (!tags.empty()) n["tags"] = tags;
  return n;
}

// Two members' laptops and a tagged server.
Json threeNodes() {
  return Json::array({node(1, "laptop-a", "alice"), node(2, "laptop-b", "bob"), node(3, "server-1", "", {"tag:server"})});
}

std::int64_t micros(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Every source of the rules that reach tag:server:443 in a pushed policy.
std::set<std::string> sourcesToServers(const Json& policy) {
  std::set<std::string> out;
  for (const auto& rule : policy.value("acls", Json::array())) {
    const auto dst = rule.value("dst", Json::array());
    if (std::find(dst.begin(), dst.end(), "tag:server:443") == dst.end()) continue;
    for (const auto& s : rule.value("src", Json::array())) out.insert(s.get<std::string>());
  }
  return out;
}

class HeadscaleTest : public ServerTest {
 protected:
  void SetUp() override {}  // each test starts what it needs

  // Starts hsemu with `nodes` and postured polling it every second.
  void startBoth(const Json& nodes, std::vector<std::string> emuArgs = {}, std::vector<std::string> serverArgs = {}) {
    const auto nodesFile = dir_.file("nodes.json");
    std::ofstream(nodesFile) << Json{{"nodes", nodes}}.dump();
    emuArgs.insert(emuArgs.end(), {"--nodes", nodesFile, "--state", dir_.file("headscale-state.json")});
    emu_ = std::make_unique<HsEmulatorProcess>(emuArgs);
    ASSERT_TRUE(emu_->start()) << emu_->logText();
    std::vector<std::string> args = {"--allow-insecure-provider-urls", "true", "--headscale-url", emu_->baseUrl(),
                                     "--headscale-api-key-file", emu_->apiKeyFile(), "--headscale-poll-interval",
                                     "1s"};
    args.insert(args.end(), serverArgs.begin(), serverArgs.end());
    startServer(args);
  }

  Json devices() { return get("/api/v2/tailnet/-/devices?fields=all")["devices"]; }

  // The device of each headscale node, by node id.
  std::map<std::string, Json> nodeDevices() {
    std::map<std::string, Json> out;
    for (const auto& d : devices())
      if (d.contains("headscaleNodeId")) out[d["headscaleNodeId"].get<std::string>()] = d;
    return out;
  }

  // Polls `done` until it holds or `timeout` passes.
  template <typename F>
  bool eventually(F done, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  std::map<std::string, Json> waitForNodeDevices(std::size_t count) {
    std::map<std::string, Json> seen;
    EXPECT_TRUE(eventually([&] { return (seen = nodeDevices()).size() == count; }))
        << "node devices: " << seen.size() << ", wanted " << count << "\n"
        << server().stderrText();
    return seen;
  }

  void savePolicy(const std::string& text) {
    auto res = server().request("POST", "/api/v2/tailnet/-/acl", text, std::nullopt,
                                {{"Content-Type", "application/hujson"}});
    ASSERT_EQ(res.status, 200) << res.body;
  }

  void setInfected(const std::string& device, bool infected) {
    call("POST", "/api/v2/device/" + device + "/attributes/custom:infected", Json{{"value", infected}}, 200);
  }

  // The first accepted push after `since` for which `test(policy)` holds;
  // null when none came within the timeout.
  template <typename F>
  Json waitForPush(Clock::time_point since, F test, std::chrono::seconds timeout = std::chrono::seconds(15)) {
    Json found;
    eventually(
        [&] {
          for (const auto& p : emu_->pushes()) {
            if (p["outcome"] != "accepted" || p["atMicros"].get<std::int64_t>() < micros(since)) continue;
            auto policy = Json::parse(p["policy"].get<std::string>(), nullptr, false);
            if (!policy.is_discarded() && test(policy)) {
              found = p;
              found["parsed"] = std::move(policy);
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

  Json status() { return get("/api/v2/tailnet/-/headscale"); }

  // Starts both on threeNodes(), marks `clean` node ids not infected, saves
  // kPolicy and waits for headscale to get it; returns the devices by node id.
  std::map<std::string, Json> startWithPolicy(const std::vector<std::string>& clean,
                                              std::vector<std::string> emuArgs = {}) {
    startBoth(threeNodes(), std::move(emuArgs));
    auto byNode = waitForNodeDevices(3);
    for (const auto& id : clean) setInfected(byNode[id]["id"], false);
    const auto saved = Clock::now();
    savePolicy(kPolicy);
    const std::string first = "100.64.0." + clean.front();
    EXPECT_FALSE(waitForPush(saved, [&](const Json& p) { return sourcesToServers(p).count(first); }).is_null())
        << emu_->pushes().dump(2);
    return byNode;
  }

  TempDir dir_;
  std::unique_ptr<HsEmulatorProcess> emu_;
};

class HeadscaleFlavorTest : public HeadscaleTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(HeadscaleFlavorTest, NodesBecomeDevicesWithTheirOwnersTagsAndAddresses) {
  startBoth(threeNodes(), {"--flavor", GetParam()});
  auto byNode = waitForNodeDevices(3);
  ASSERT_EQ(byNode.size(), 3u);
  const auto& a = byNode["1"];
  EXPECT_EQ(a["hostname"], "laptop-a");
  EXPECT_EQ(a["user"], "alice@example.com");
  EXPECT_EQ(a["addresses"], Json({"100.64.0.1", "fd7a:115c:a1e0::1"}));
  EXPECT_EQ(a["connectedToControl"], true);
  EXPECT_EQ(a["lastSeen"], "2026-12-01T10:00:00.000Z");
  const auto& server1 = byNode["3"];
  EXPECT_EQ(server1["tags"], Json({"tag:server"}));
  EXPECT_FALSE(server1.contains("user"));

  const auto s = status();
  EXPECT_EQ(s["configured"], true);
  EXPECT_EQ(s["url"], emu_->baseUrl());
  EXPECT_EQ(s["nodesSeen"], 3);
  EXPECT_EQ(s["lastPoll"]["outcome"], "ok");
  EXPECT_FALSE(s.dump().find(emu_->apiKey()) != std::string::npos) << "the API key must never be shown";
  EXPECT_THAT(server().stderrText(), ::testing::Not(HasSubstr(emu_->apiKey())));
}

INSTANTIATE_TEST_SUITE_P(Flavors, HeadscaleFlavorTest, ::testing::Values("main", "v0.29", "v0.25"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST_F(HeadscaleTest, NodeChangesAreMirroredAndAuditedAsHeadscale) {
  startBoth(threeNodes());
  auto before = waitForNodeDevices(3);
  const auto laptopA = before["1"]["id"].get<std::string>();
  call("POST", "/api/v2/device/" + laptopA + "/attributes/custom:tier", Json{{"value", "gold"}}, 200);

  emu_->control("PATCH", "/_emu/nodes/2", Json{{"givenName", "bobs-laptop"}, {"online", false}});
  emu_->control("DELETE", "/_emu/nodes/1");
  emu_->addNode(node(4, "laptop-c", "carol"));

  std::map<std::string, Json> after;
  ASSERT_TRUE(eventually([&] {
    after = nodeDevices();
    return after.size() == 3 && after.count("4") && !after.count("1") && after["2"]["hostname"] == "bobs-laptop";
  })) << Json(after).dump();
  EXPECT_EQ(after["2"]["connectedToControl"], false);
  EXPECT_EQ(after["2"]["id"], before["2"]["id"]) << "an updated node keeps its device";
  EXPECT_EQ(after["4"]["user"], "carol@example.com");
  call("GET", "/api/v2/device/" + laptopA + "/attributes", nullptr, 404);

  const auto logs = get("/api/v2/tailnet/-/logging/configuration")["logs"];
  std::set<std::string> headscaleActions;
  for (const auto& e : logs)
    if (e["actor"]["id"] == "headscale")
      headscaleActions.insert(e["action"].get<std::string>() + " " + e["target"]["id"].get<std::string>());
  EXPECT_TRUE(headscaleActions.count("DELETE " + laptopA)) << logs.dump(2);
  EXPECT_TRUE(headscaleActions.count("UPDATE " + before["2"]["id"].get<std::string>())) << logs.dump(2);
  EXPECT_TRUE(headscaleActions.count("CREATE " + after["4"]["id"].get<std::string>())) << logs.dump(2);
}

TEST_F(HeadscaleTest, AnInfectedNodeLeavesThePushedPolicyWithinTwoSecondsAndComesBack) {
  startBoth(threeNodes());
  auto byNode = waitForNodeDevices(3);
  const auto a = byNode["1"]["id"].get<std::string>();
  const auto b = byNode["2"]["id"].get<std::string>();
  setInfected(a, false);
  setInfected(b, false);
  const auto saved = Clock::now();
  savePolicy(kPolicy);

  auto both = waitForPush(saved, [](const Json& p) {
    return sourcesToServers(p) == std::set<std::string>{"100.64.0.1", "100.64.0.2", "fd7a:115c:a1e0::1",
                                                        "fd7a:115c:a1e0::2"};
  });
  ASSERT_FALSE(both.is_null()) << emu_->pushes().dump(2);
  for (const char* field : {"postures", "defaultSrcPosture", "tests", "sshTests"})
    EXPECT_FALSE(both["parsed"].contains(field)) << field;
  EXPECT_EQ(both["parsed"].dump().find("srcPosture"), std::string::npos);
  EXPECT_EQ(both["parsed"]["tagOwners"], Json({{"tag:server", {"group:admins"}}}));

  const auto flipped = Clock::now();
  setInfected(a, true);
  auto onlyB = waitForPush(flipped, [](const Json& p) {
    return sourcesToServers(p) == std::set<std::string>{"100.64.0.2", "fd7a:115c:a1e0::2"};
  });
  ASSERT_FALSE(onlyB.is_null()) << emu_->pushes().dump(2);
  EXPECT_LT(onlyB["atMicros"].get<std::int64_t>() - micros(flipped), 2'000'000) << "pushed too late";

  // postured records the push once headscale has answered it, a moment after hsemu logged it.
  Json s;
  EXPECT_TRUE(eventually([&] { return (s = status())["lastPush"]["sha256"] == onlyB["sha256"]; })) << s.dump(2);
  EXPECT_EQ(s["lastPush"]["outcome"], "pushed");

  // Both infected: no source passes, so the rule goes (never an empty src).
  const auto second = Clock::now();
  setInfected(b, true);
  auto none = waitForPush(second, [](const Json& p) { return sourcesToServers(p).empty(); });
  ASSERT_FALSE(none.is_null()) << emu_->pushes().dump(2);
  for (const auto& rule : none["parsed"]["acls"]) EXPECT_FALSE(rule["src"].empty()) << rule;
  EXPECT_TRUE(eventually([&] { return (s = status())["lastPush"]["sha256"] == none["sha256"]; })) << s.dump(2);
  EXPECT_EQ(s["lastPush"]["rulesDropped"], 1);

  const auto healed = Clock::now();
  setInfected(a, false);
  auto back = waitForPush(healed, [](const Json& p) {
    return sourcesToServers(p) == std::set<std::string>{"100.64.0.1", "fd7a:115c:a1e0::1"};
  });
  ASSERT_FALSE(back.is_null()) << emu_->pushes().dump(2);
}

TEST_F(HeadscaleTest, AChangeThatDecidesNothingNewPushesNothing) {
  auto byNode = startWithPolicy({"1"});
  const auto a = byNode["1"]["id"].get<std::string>();
  const auto count = emu_->pushes().size();

  call("POST", "/api/v2/device/" + a + "/attributes/custom:tier", Json{{"value", "gold"}}, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(emu_->pushes().size(), count) << emu_->pushes().dump(2);
}

TEST_F(HeadscaleTest, ARemovedNodeLeavesThePolicy) {
  startWithPolicy({"1", "2"});

  const auto removed = Clock::now();
  emu_->control("DELETE", "/_emu/nodes/2");
  auto without = waitForPush(removed, [](const Json& p) {
    return sourcesToServers(p) == std::set<std::string>{"100.64.0.1", "fd7a:115c:a1e0::1"};
  });
  EXPECT_FALSE(without.is_null()) << emu_->pushes().dump(2);
}

TEST_F(HeadscaleTest, HeadscaleDownKeepsTheDevicesAndGetsTheLatestPolicyWhenBack) {
  auto byNode = startWithPolicy({"1"});
  const auto a = byNode["1"]["id"].get<std::string>();

  emu_->stop();
  setInfected(a, true);
  Json s;
  ASSERT_TRUE(eventually([&] {
    s = status();
    return s["lastPoll"]["outcome"] == "failed" && s["lastPush"]["outcome"] == "failed";
  })) << s.dump(2);
  EXPECT_FALSE(s["lastPush"]["error"].get<std::string>().empty());
  EXPECT_FALSE(s["nextRetry"].is_null());
  EXPECT_EQ(nodeDevices().size(), 3u) << "an unreachable headscale removes no device";

  const auto back = Clock::now();
  ASSERT_TRUE(emu_->start()) << emu_->logText();
  auto latest = waitForPush(
      back, [](const Json& p) { return !sourcesToServers(p).count("100.64.0.1"); }, std::chrono::seconds(90));
  ASSERT_FALSE(latest.is_null()) << emu_->pushes().dump(2) << status().dump(2);
  EXPECT_TRUE(eventually([&] { return status()["lastPush"]["outcome"] == "pushed"; }));
}

TEST_F(HeadscaleTest, FileModeIsReportedWithWhatToDo) {
  startBoth(threeNodes(), {"--policy-mode", "file"});
  waitForNodeDevices(3);
  savePolicy(kPolicy);
  Json s;
  ASSERT_TRUE(eventually([&] {
    s = status();
    return s["lastPush"].is_object() && s["lastPush"]["outcome"] == "failed";
  })) << s.dump(2);
  const auto error = s["lastPush"]["error"].get<std::string>();
  EXPECT_THAT(error, HasSubstr("database")) << error;
  EXPECT_THAT(error, HasSubstr("policy.mode")) << error;

  const auto cli = runProcess({POSTURED_BINARY, "headscale", "status", "--server", server().baseUrl(),
                               "--api-key-file", server().dataDir() + "/admin.key"});
  EXPECT_EQ(cli.exitCode, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr(emu_->baseUrl()));
  EXPECT_THAT(cli.out, HasSubstr("failed"));
  EXPECT_THAT(cli.out, HasSubstr("database"));
}

TEST_F(HeadscaleTest, AFailedPushIsRetriedUntilHeadscaleTakesIt) {
  startBoth(threeNodes());
  auto byNode = waitForNodeDevices(3);
  setInfected(byNode["1"]["id"], false);
  emu_->control("POST", "/_emu/faults", Json{{"failPuts", 2}, {"failStatus", 500}});
  const auto saved = Clock::now();
  savePolicy(kPolicy);
  auto pushed = waitForPush(saved, [](const Json& p) { return sourcesToServers(p).count("100.64.0.1"); },
                            std::chrono::seconds(30));
  ASSERT_FALSE(pushed.is_null()) << emu_->pushes().dump(2);
  std::size_t failed = 0;
  for (const auto& p : emu_->pushes()) failed += p["outcome"] == "failed";
  EXPECT_EQ(failed, 2u);
  EXPECT_TRUE(eventually([&] { return status()["lastPush"]["outcome"] == "pushed"; }));
}

TEST_F(HeadscaleTest, AnEnrolledMachineIsItsNodesDeviceAndGetsSentinelOneFindings) {
  const auto fleetFile = dir_.file("fleet.json");
  std::ofstream(fleetFile) << Json{{"agents", {fleetAgent(1, "SN-LAPTOP-A")}}}.dump();
  EmulatorProcess s1({"--token", "s1-token-0123456789abcdef", "--fleet", fleetFile});
  ASSERT_TRUE(s1.start()) << s1.logText();
  startBoth(threeNodes());
  auto byNode = waitForNodeDevices(3);
  const auto nodeDevice = byNode["1"]["id"].get<std::string>();

  call("PATCH", "/api/v2/tailnet/-/settings", Json{{"postureIdentityCollectionOn", true}}, 200);
  const auto keys = core::generateDeviceKeyPair();
  auto enrolled = enrollDevice(server(), keys, authKey({{"user", "alice@example.com"}}),
                               Json{{"hostname", "alice-laptop"},
                                    {"os", "macOS"},
                                    {"addresses", {"192.168.1.20", "100.64.0.1"}},
                                    {"identity", {{"SerialNumbers", {"SN-LAPTOP-A"}}}}});
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  EXPECT_EQ(Json::parse(enrolled.body)["deviceId"], nodeDevice) << "the node's device takes the enrollment";
  EXPECT_EQ(Json::parse(enrolled.body)["created"], false);
  EXPECT_EQ(devices().size(), 3u) << "no second device";
  const auto device = get("/api/v2/device/" + nodeDevice + "?fields=all");
  EXPECT_EQ(device["postureIdentity"]["serialNumbers"], Json({"SN-LAPTOP-A"}));
  EXPECT_EQ(device["headscaleNodeId"], "1");

  call("POST", "/api/v2/tailnet/-/posture/integrations",
       Json{{"provider", "sentinelone"}, {"cloudId", s1.baseUrl()}, {"clientSecret", "s1-token-0123456789abcdef"}},
       200);
  ASSERT_TRUE(eventually([&] {
    return get("/api/v2/device/" + nodeDevice + "/attributes")["attributes"].contains("sentinelOne:infected");
  })) << server().stderrText();
  const auto saved = Clock::now();
  std::string policy = kPolicy;
  policy.replace(policy.find("custom:infected"), std::string("custom:infected").size(), "sentinelOne:infected");
  savePolicy(policy);
  ASSERT_FALSE(waitForPush(saved, [](const Json& p) { return sourcesToServers(p).count("100.64.0.1"); }).is_null())
      << emu_->pushes().dump(2);

  s1.control("PATCH", "/_emu/agents/uuid1", Json{{"activeThreats", 1}, {"infected", true}});
  const auto integrations = get("/api/v2/tailnet/-/posture/integrations")["integrations"];
  const auto id = integrations[0]["id"].get<std::string>();
  call("POST", "/api/v2/posture/integrations/" + id + "/sync", nullptr, 202);
  Json run;
  ASSERT_TRUE(eventually([&] {
    const auto runs = get("/api/v2/posture/integrations/" + id + "/runs")["runs"];
    run = runs.empty() ? Json() : runs[0];
    return runs.size() >= 2 && run["outcome"] != "running";
  })) << run;
  EXPECT_EQ(get("/api/v2/device/" + nodeDevice + "/attributes")["attributes"]["sentinelOne:infected"], true);
  const auto finished = core::parseRfc3339(run["finishedAt"].get<std::string>());
  ASSERT_TRUE(finished) << run;
  auto excluded = waitForPush(saved, [](const Json& p) { return sourcesToServers(p).empty(); });
  ASSERT_FALSE(excluded.is_null()) << emu_->pushes().dump(2);
  EXPECT_LT(excluded["atMicros"].get<std::int64_t>() - core::toUnixMillis(*finished) * 1000, 2'000'000)
      << "pushed more than 2 s after the sync finished";
}

}  // namespace
}  // namespace postured::testing
