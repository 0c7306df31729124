// SentinelOne integration end to end: postured and the s1emu emulator as real
// processes on loopback.
#include <fstream>
#include <thread>

#include "server_fixture.h"
#include "support/s1emu_process.h"

namespace postured::testing {
namespace {

constexpr const char* kToken = "s1-test-token-0123456789";
const std::vector<std::string> kSentinelKeys = {
    "sentinelOne:activeThreats",   "sentinelOne:agentVersion", "sentinelOne:encryptedApplications",
    "sentinelOne:firewallEnabled", "sentinelOne:infected",     "sentinelOne:isActive",
    "sentinelOne:operationalState"};

class SyncTest : public ServerTest {
 protected:
  void SetUp() override {}  // each test starts what it needs

  // Starts s1emu on `fleet` (or with extra args) and postured allowed to reach it.
  void startBoth(const Json& fleet, std::vector<std::string> emuArgs = {}, std::vector<std::string> serverArgs = {}) {
    std::vector<std::string> args = {"--token", kToken};
    if (!fleet.is_null()) {
      fleetFile_ = fleetDir_.file("fleet.json");
      std::ofstream(fleetFile_) << fleet.dump();
      args.push_back("--fleet");
      args.push_back(fleetFile_);
    }
    args.insert(args.end(), emuArgs.begin(), emuArgs.end());
    emu_ = std::make_unique<EmulatorProcess>(args);
    ASSERT_TRUE(emu_->start()) << emu_->logText();
    std::vector<std::string> sargs = {
        "--allow-insecure-provider-urls", "true", "--provider-retry-delay", "20ms", "--provider-retries", "3"};
    sargs.insert(sargs.end(), serverArgs.begin(), serverArgs.end());
    startServer(sargs);
  }

  // One device per entry, with those serial numbers (none: identity not reported).
  std::vector<std::string> importSerials(const std::vector<std::vector<std::string>>& serials) {
    Json devices = Json::array();
    for (std::size_t i = 0; i < serials.size(); ++i) {
      Json d = {{"hostname", "dev" + std::to_string(i)}, {"user", "alice@example.com"}, {"os", "macOS"}};
      if (!serials[i].empty()) d["serialNumbers"] = serials[i];
      devices.push_back(d);
    }
    std::vector<std::string> ids;
    const auto created = call("POST", "/api/v2/tailnet/-/devices", Json{{"devices", devices}}, 200);
    for (const auto& d : created["devices"]) ids.push_back(d["id"].get<std::string>());
    return ids;
  }

  // Creates the integration and waits for its first run.
  std::string connect(const std::string& token = kToken) {
    auto created = call("POST", "/api/v2/tailnet/-/posture/integrations",
                        Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}, {"clientSecret", token}}, 200);
    integration_ = created["id"].get<std::string>();
    EXPECT_FALSE(created.contains("clientSecret"));
    lastRun_ = waitForRun();
    return integration_;
  }

  // Waits until the newest run that is not `previous` has finished; returns it.
  Json waitForRun(const std::string& previous = "", std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto runs = get("/api/v2/posture/integrations/" + integration_ + "/runs")["runs"];
      if (!runs.empty() && runs[0]["id"] != previous && runs[0]["outcome"] != "running") return runs[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "no run finished in time";
    return Json();
  }

  // Waits for the run `id` to finish; returns it.
  Json waitForRunId(const std::string& id, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto runs = get("/api/v2/posture/integrations/" + integration_ + "/runs");
      for (const auto& run : runs["runs"])
        if (run["id"] == id && run["outcome"] != "running") return run;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "run " << id << " did not finish in time";
    return Json();
  }

  Json syncNow() {
    auto started = call("POST", "/api/v2/posture/integrations/" + integration_ + "/sync", nullptr, 202);
    lastRun_ = waitForRunId(started["runId"].get<std::string>());
    return lastRun_;
  }

  // The uuid of the first agent the emulator lists.
  std::string firstAgentUuid() {
    http::HttpClient client;
    auto res = client.send(http::ClientRequest{"GET",
                                               emu_->baseUrl() + "/web/api/v2.1/agents?limit=1",
                                               {{"Authorization", std::string("ApiToken ") + kToken}},
                                               ""});
    return Json::parse(res->body)["data"][0]["uuid"].get<std::string>();
  }

  Json attributes(const std::string& device) { return get("/api/v2/device/" + device + "/attributes")["attributes"]; }
  Json status() { return get("/api/v2/posture/integrations/" + integration_)["status"]; }
  std::size_t attributeEvents() {
    return get("/api/v2/tailnet/-/logging/configuration?event=ATTRIBUTES")["logs"].size();
  }
  std::size_t sentinelKeysOn(const std::string& device) {
    std::size_t n = 0;
    const auto held = attributes(device);  // items() of a temporary would dangle
    for (const auto& [k, v] : held.items()) n += k.rfind("sentinelOne:", 0) == 0;
    return n;
  }

  TempDir fleetDir_;
  std::string fleetFile_;
  std::unique_ptr<EmulatorProcess> emu_;
  std::string integration_;
  Json lastRun_;
};

TEST_F(SyncTest, FirstSyncWritesTheSevenAttributesWithTheirTypes) {
  auto tolerant = fleetAgent(2, "c02xl0ghjgh5 ");
  tolerant["firewallEnabled"] = "False";  // real consoles send string booleans
  tolerant["encryptedApplications"] = "True";
  tolerant["activeThreats"] = 3;
  tolerant["infected"] = true;
  tolerant["operationalState"] = "partially_disabled";
  startBoth(Json::array({fleetAgent(1, "SN-AAA"), tolerant, fleetAgent(3, nullptr), fleetAgent(4, "SN-UNKNOWN")}));
  const auto ids = importSerials({{"SN-AAA"}, {"C02XL0GHJGH5"}, {}});
  connect();
  ASSERT_EQ(lastRun_["outcome"], "success") << lastRun_;

  auto a = attributes(ids[0]);
  for (const auto& key : kSentinelKeys) EXPECT_TRUE(a.contains(key)) << key << " in " << a;
  EXPECT_EQ(a["sentinelOne:isActive"], true);
  EXPECT_EQ(a["sentinelOne:agentVersion"], "23.3.2.12");
  EXPECT_EQ(a["sentinelOne:activeThreats"], 0);
  EXPECT_EQ(a["sentinelOne:operationalState"], "na");
  auto b = attributes(ids[1]);
  EXPECT_EQ(b["sentinelOne:firewallEnabled"], false);
  EXPECT_EQ(b["sentinelOne:encryptedApplications"], true);
  EXPECT_EQ(b["sentinelOne:infected"], true);
  EXPECT_EQ(b["sentinelOne:activeThreats"], 3);
  EXPECT_EQ(b["sentinelOne:operationalState"], "partially_disabled");
  EXPECT_EQ(sentinelKeysOn(ids[2]), 0u);

  auto s = status();
  EXPECT_EQ(s["providerHostCount"], 4);
  EXPECT_EQ(s["matchedCount"], 2);
  EXPECT_EQ(s["possibleMatchedCount"], 2);
  EXPECT_EQ(s["error"], "");
  EXPECT_FALSE(s["lastSuccess"].is_null());
  EXPECT_FALSE(s["nextSync"].is_null());
  EXPECT_EQ(lastRun_["trigger"], "create");
  EXPECT_EQ(lastRun_["attributesChanged"], 14);

  auto events = get("/api/v2/tailnet/-/logging/configuration?event=ATTRIBUTES")["logs"];
  ASSERT_EQ(events.size(), 2u) << "one event per changed device";
  EXPECT_EQ(events[0]["actor"]["type"], "AUTOMATED_WORKER");
  EXPECT_EQ(events[0]["actor"]["id"], integration_);
  EXPECT_TRUE(events[0]["old"]["sentinelOne:infected"].is_null());
}

TEST_F(SyncTest, ResyncWithoutChangeWritesNothingAndChangesAreAuditedOncePerDevice) {
  startBoth(Json::array({fleetAgent(1, "SN-1"), fleetAgent(2, "SN-2")}));
  const auto ids = importSerials({{"SN-1"}, {"SN-2"}});
  connect();
  const auto events = attributeEvents();

  auto again = syncNow();
  EXPECT_EQ(again["outcome"], "success");
  EXPECT_EQ(again["trigger"], "manual");
  EXPECT_EQ(again["attributesChanged"], 0);
  EXPECT_EQ(attributeEvents(), events);

  emu_->control("PATCH", "/_emu/agents/uuid2", Json{{"activeThreats", 2}});
  auto infected = syncNow();
  EXPECT_EQ(infected["attributesChanged"], 2);  // activeThreats and infected
  EXPECT_EQ(attributes(ids[1])["sentinelOne:infected"], true);
  auto logs = get("/api/v2/tailnet/-/logging/configuration?event=ATTRIBUTES&target=" + ids[1])["logs"];
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[1]["old"], Json({{"sentinelOne:activeThreats", 0}, {"sentinelOne:infected", false}}));
  EXPECT_EQ(logs[1]["new"], Json({{"sentinelOne:activeThreats", 2}, {"sentinelOne:infected", true}}));

  emu_->control("DELETE", "/_emu/agents/uuid1");
  auto removed = syncNow();
  EXPECT_EQ(removed["attributesChanged"], 7);
  EXPECT_EQ(sentinelKeysOn(ids[0]), 0u);
  EXPECT_EQ(sentinelKeysOn(ids[1]), 7u);
}

TEST_F(SyncTest, ReinstallsDuplicatesAndDecommissionedAgents) {
  auto old = fleetAgent(1, "SN-RE", "2026-01-01T00:00:00.000000Z");
  old["agentVersion"] = "22.1.1.1";
  auto fresh = fleetAgent(2, "sn-re", "2026-11-01T00:00:00.000000Z");
  auto decommissioned = fleetAgent(3, "SN-DECOM");
  decommissioned["isDecommissioned"] = true;
  startBoth(
      Json::array({old, fresh, decommissioned, fleetAgent(4, "SN-SHARED"), fleetAgent(5, "To be filled by O.E.M.")}));
  const auto ids = importSerials({{"SN-RE"}, {"SN-DECOM"}, {"SN-SHARED"}, {"sn-shared"}, {"To be filled by O.E.M."}});
  connect();
  EXPECT_EQ(attributes(ids[0])["sentinelOne:agentVersion"], "23.3.2.12") << "the newest agent wins";
  EXPECT_EQ(sentinelKeysOn(ids[1]), 0u) << "decommissioned agents match nothing";
  EXPECT_EQ(sentinelKeysOn(ids[2]), 0u) << "a serial on two devices matches neither";
  EXPECT_EQ(sentinelKeysOn(ids[3]), 0u);
  EXPECT_EQ(sentinelKeysOn(ids[4]), 0u) << "placeholder serials are ignored";
  auto s = status();
  EXPECT_EQ(s["duplicateSerials"], 1);
  EXPECT_EQ(s["matchedCount"], 1);
  EXPECT_EQ(s["possibleMatchedCount"], 4);  // all but the placeholder-only device have a serial
}

TEST_F(SyncTest, RevokedTokenPausesKeepsAttributesAndAnUpdateOrManualSyncResumes) {
  startBoth(Json::array({fleetAgent(1, "SN-1")}));
  const auto ids = importSerials({{"SN-1"}});
  connect();
  ASSERT_EQ(sentinelKeysOn(ids[0]), 7u);

  emu_->setFaults(Json{{"revokeToken", true}});
  auto failed = syncNow();
  EXPECT_EQ(failed["outcome"], "failed");
  auto s = status();
  EXPECT_NE(s["error"].get<std::string>().find("SentinelOne returned 401: Authentication Failed (code 4010010)"),
            std::string::npos)
      << s;
  EXPECT_FALSE(s["pausedUntil"].is_null());
  EXPECT_FALSE(s["lastSuccess"].is_null());
  EXPECT_EQ(sentinelKeysOn(ids[0]), 7u) << "a failed run changes no attribute";

  emu_->setFaults(nullptr);
  auto resumed = syncNow();  // a manual sync lifts the pause
  EXPECT_EQ(resumed["outcome"], "success");
  EXPECT_TRUE(status()["pausedUntil"].is_null());
  EXPECT_EQ(status()["error"], "");
}

TEST_F(SyncTest, WrongTokenThenAConfigurationUpdateResumes) {
  startBoth(Json::array({fleetAgent(1, "SN-1")}));
  const auto ids = importSerials({{"SN-1"}});
  connect("not-the-token");
  EXPECT_EQ(lastRun_["outcome"], "failed");
  EXPECT_FALSE(status()["pausedUntil"].is_null());

  const auto before = lastRun_["id"].get<std::string>();
  auto updated = call("PATCH", "/api/v2/posture/integrations/" + integration_, Json{{"clientSecret", kToken}}, 200);
  lastRun_ = waitForRun(before);
  EXPECT_EQ(lastRun_["trigger"], "update");
  EXPECT_EQ(lastRun_["outcome"], "success");
  EXPECT_EQ(sentinelKeysOn(ids[0]), 7u);

  auto logs = get("/api/v2/tailnet/-/logging/configuration?event=POSTURE_INTEGRATION")["logs"];
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[1]["action"], "UPDATE");
  EXPECT_EQ(logs[1]["new"]["clientSecret"], "(changed)");
  const auto all = get("/api/v2/tailnet/-/logging/configuration").dump();
  EXPECT_EQ(all.find(kToken), std::string::npos) << "the token never appears in the audit log";
  EXPECT_EQ(all.find("not-the-token"), std::string::npos);
}

TEST_F(SyncTest, RateLimitsAreHonoured) {
  startBoth(nullptr, {"--generate", "2500", "--seed", "7", "--devices-out", fleetDir_.file("devices.json")});
  std::ifstream in(fleetDir_.file("devices.json"));
  const auto devices = Json::parse(in);
  call("POST", "/api/v2/tailnet/-/devices", devices, 200);
  emu_->setFaults(Json{{"rateLimitEvery", 2}, {"rateLimitRetryAfter", 1}});
  connect();
  EXPECT_EQ(lastRun_["outcome"], "success") << lastRun_;
  EXPECT_GE(lastRun_["durationMs"].get<int>(), 1000) << "Retry-After: 1 was waited for";
  EXPECT_GT(status()["matchedCount"].get<int>(), 0);
}

TEST_F(SyncTest, A500OnPage3OrAMalformedPageFailsTheRunAndChangesNothing) {
  startBoth(nullptr, {"--generate", "2500", "--seed", "3", "--devices-out", fleetDir_.file("devices.json")});
  std::ifstream in(fleetDir_.file("devices.json"));
  call("POST", "/api/v2/tailnet/-/devices", Json::parse(in), 200);
  emu_->setFaults(Json{{"failPage", 3}});
  connect();
  EXPECT_EQ(lastRun_["outcome"], "failed");
  EXPECT_NE(lastRun_["error"].get<std::string>().find("500"), std::string::npos) << lastRun_;
  EXPECT_EQ(attributeEvents(), 0u);

  emu_->setFaults(nullptr);
  auto ok = syncNow();
  ASSERT_EQ(ok["outcome"], "success");
  const auto events = attributeEvents();
  const auto snapshot = get("/api/v2/tailnet/-/devices?fields=all");

  emu_->control("PATCH", "/_emu/agents/" + firstAgentUuid(), Json{{"activeThreats", 5}});
  emu_->setFaults(Json{{"malformedPage", 2}});
  auto malformed = syncNow();
  EXPECT_EQ(malformed["outcome"], "failed");
  EXPECT_NE(malformed["error"].get<std::string>().find("malformed"), std::string::npos) << malformed;
  EXPECT_EQ(attributeEvents(), events);
  EXPECT_EQ(get("/api/v2/tailnet/-/devices?fields=all"), snapshot);
}

TEST_F(SyncTest, StaleAttributesAreRemovedAndAudited) {
  startBoth(Json::array({fleetAgent(1, "SN-1")}), {}, {"--stale-after", "2s"});
  const auto ids = importSerials({{"SN-1"}});
  connect();
  ASSERT_EQ(sentinelKeysOn(ids[0]), 7u);
  emu_->setFaults(Json{{"revokeToken", true}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sentinelKeysOn(ids[0]) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(sentinelKeysOn(ids[0]), 0u) << "stale data fails closed";
  auto logs = get("/api/v2/tailnet/-/logging/configuration?event=ATTRIBUTES")["logs"];
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_NE(logs[1]["actionDetails"].get<std::string>().find("stale"), std::string::npos) << logs[1];
}

TEST_F(SyncTest, IntegrationsApiValidatesAndDeletionRemovesAttributes) {
  startBoth(Json::array({fleetAgent(1, "SN-1")}));
  const auto ids = importSerials({{"SN-1"}});
  auto noHttp =
      call("POST", "/api/v2/tailnet/-/posture/integrations",
           Json{{"provider", "sentinelone"}, {"cloudId", "http://acme.sentinelone.net"}, {"clientSecret", "x"}}, 400);
  EXPECT_NE(noHttp["message"].get<std::string>().find("cloudId"), std::string::npos) << noHttp;
  auto unknown = call("POST", "/api/v2/tailnet/-/posture/integrations",
                      Json{{"provider", "acme"}, {"cloudId", "x"}, {"clientSecret", "x"}}, 400);
  EXPECT_NE(unknown["message"].get<std::string>().find("provider"), std::string::npos);
  call("POST", "/api/v2/tailnet/-/posture/integrations",
       Json{{"provider", "falcon"}, {"cloudId", "us-1"}, {"clientSecret", "x"}}, 400);
  call("POST", "/api/v2/tailnet/-/posture/integrations",
       Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}}, 400);
  call("POST", "/api/v2/tailnet/-/posture/integrations",
       Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}, {"clientSecret", kToken}, {"extra", 1}}, 400);

  connect();
  auto dup = call("POST", "/api/v2/tailnet/-/posture/integrations",
                  Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}, {"clientSecret", kToken}}, 409);
  EXPECT_NE(dup["message"].get<std::string>().find("already exists"), std::string::npos);
  auto listed = get("/api/v2/tailnet/-/posture/integrations")["integrations"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].contains("clientSecret"));
  EXPECT_EQ(listed[0]["cloudId"], emu_->baseUrl());

  call("DELETE", "/api/v2/posture/integrations/" + integration_, nullptr, 200);
  EXPECT_EQ(sentinelKeysOn(ids[0]), 0u);
  get("/api/v2/posture/integrations/" + integration_, 404);
  auto logs = get("/api/v2/tailnet/-/logging/configuration")["logs"];
  EXPECT_EQ(logs.back()["action"], "DELETE");
  EXPECT_EQ(logs.back()["target"]["type"], "POSTURE_INTEGRATION");

  // The token is encrypted at rest and never logged.
  ASSERT_EQ(server().stop(SIGTERM), 0);
  EXPECT_EQ(server().stderrText().find(kToken), std::string::npos);
  for (const auto* file : {"/postured.db", "/postured.db-wal"}) {
    std::ifstream db(server().dataDir() + file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(kToken), std::string::npos) << file;
  }
}

TEST_F(SyncTest, DevicesAreMatchedAsTheyAreWhenTheRunCommits) {
  startBoth(Json::array({fleetAgent(1, "SN-1")}), {"--slow-ms", "1500"});
  const auto ids = importSerials({{"SN-1"}});
  auto created = call("POST", "/api/v2/tailnet/-/posture/integrations",
                      Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}, {"clientSecret", kToken}}, 200);
  integration_ = created["id"].get<std::string>();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the fetch is under way
  const auto twin = importSerials({{"SN-1"}});                  // now the serial is on two devices
  lastRun_ = waitForRun();
  EXPECT_EQ(lastRun_["outcome"], "success");
  EXPECT_EQ(lastRun_["matchedCount"], 0) << lastRun_;
  EXPECT_EQ(sentinelKeysOn(ids[0]), 0u) << "a serial shared by two devices matches neither";
  EXPECT_EQ(sentinelKeysOn(twin[0]), 0u);
}

TEST_F(SyncTest, DevicesAddedOrRemovedBetweenSyncsAreMatchedAsTheyAreNow) {
  startBoth(Json::array({fleetAgent(1, "SN-1"), fleetAgent(2, "SN-2")}));
  const auto first = importSerials({{"SN-1"}});
  connect();
  ASSERT_EQ(lastRun_["matchedCount"], 1) << lastRun_;

  // A sync keeps its serial index while no device changes: these must show.
  call("DELETE", "/api/v2/device/" + first[0], nullptr, 200);
  const auto later = importSerials({{"SN-2"}, {"SN-1"}});
  const auto run = syncNow();
  EXPECT_EQ(run["outcome"], "success");
  EXPECT_EQ(run["matchedCount"], 2) << run;
  EXPECT_EQ(sentinelKeysOn(later[0]), 7u);
  EXPECT_EQ(sentinelKeysOn(later[1]), 7u);
}

TEST_F(SyncTest, ManualSyncWhileRunningIs409NamingTheRun) {
  startBoth(Json::array({fleetAgent(1, "SN-1")}), {"--slow-ms", "1500"});
  importSerials({{"SN-1"}});
  auto created = call("POST", "/api/v2/tailnet/-/posture/integrations",
                      Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}, {"clientSecret", kToken}}, 200);
  integration_ = created["id"].get<std::string>();
  // The create's run is in progress (the emulator answers slowly).
  Json conflict;
  for (int i = 0; i < 100; ++i) {
    auto res = server().request("POST", "/api/v2/posture/integrations/" + integration_ + "/sync");
    if (res.status == 409) {
      conflict = Json::parse(res.body);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(conflict.is_null());
  EXPECT_FALSE(conflict["runId"].get<std::string>().empty());
  lastRun_ = waitForRun();
  EXPECT_EQ(lastRun_["id"], conflict["runId"]);
}

TEST_F(SyncTest, SigkillDuringALargeSyncLeavesAConsistentStoreAndTheNextSyncCompletes) {
  startBoth(nullptr, {"--generate", "50000", "--seed", "11", "--devices-out", fleetDir_.file("devices.json"),
                      "--slow-ms", "30"});
  std::ifstream in(fleetDir_.file("devices.json"));
  call("POST", "/api/v2/tailnet/-/devices", Json::parse(in), 200);
  auto created = call("POST", "/api/v2/tailnet/-/posture/integrations",
                      Json{{"provider", "sentinelone"}, {"cloudId", emu_->baseUrl()}, {"clientSecret", kToken}}, 200);
  integration_ = created["id"].get<std::string>();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // mid-fetch: ~50 pages at 30 ms each
  server().stop(SIGKILL);

  restartServer({"--allow-insecure-provider-urls", "true"});

  // Every device holds all of the provider's attributes or none of them.
  auto devices = get("/api/v2/tailnet/-/devices?fields=all")["devices"];
  ASSERT_EQ(devices.size(), Json::parse(std::ifstream(fleetDir_.file("devices.json")))["devices"].size());
  std::size_t withAttributes = 0;
  for (const auto& d : devices) {
    std::size_t n = 0;
    for (const auto& [k, v] : d["postureAttributes"].items()) n += k.rfind("sentinelOne:", 0) == 0;
    EXPECT_TRUE(n == 0 || n == 7) << d["id"] << " holds " << n;
    withAttributes += n == 7;
  }
  // The interrupted run is recorded as such, and the next sync (due at once,
  // since the integration never finished a run) completes.
  emu_->setFaults(nullptr);
  const auto runs = get("/api/v2/posture/integrations/" + integration_ + "/runs")["runs"];
  const auto interrupted = std::find_if(runs.begin(), runs.end(), [](const Json& r) {
    return r["error"].get<std::string>().find("interrupted") != std::string::npos;
  });
  ASSERT_NE(interrupted, runs.end()) << runs;
  EXPECT_EQ((*interrupted)["outcome"], "failed");
  auto next = waitForRun((*interrupted)["id"].get<std::string>());
  EXPECT_EQ(next["outcome"], "success") << next;
  EXPECT_GT(status()["matchedCount"].get<int>(), 40'000);
  EXPECT_EQ(withAttributes, 0u) << "killed mid-fetch: nothing was applied";
}

}  // namespace
}  // namespace postured::testing
