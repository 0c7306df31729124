// Data survives restarts, graceful shutdown and crashes mid-stream.
#include <atomic>
#include <thread>

#include "server_fixture.h"

namespace postured::testing {
namespace {

// Writes custom:counter = 1, 2, 3, ... on one device until stopped or the
// server goes away; returns the last value the server acknowledged.
class WriteStream {
 public:
  WriteStream(std::string baseUrl, std::string key, std::string device)
      : thread_([this, baseUrl, key, device] {
          http::HttpClient client;
          for (int i = 1; !stop_; ++i) {
            http::ClientRequest req{"POST", baseUrl + "/api/v2/device/" + device + "/attributes/custom:counter",
                                    {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}},
                                    "{\"value\":" + std::to_string(i) + "}"};
            auto res = client.send(req);
            if (!res || res->status != 200) return;
            acknowledged_ = i;
          }
        }) {}
  int finish() {
    stop_ = true;
    thread_.join();
    return acknowledged_;
  }
  int acknowledged() const { return acknowledged_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> acknowledged_{0};
  std::thread thread_;
};

// After a restart: the stored counter and its audit trail agree.
void expectConsistent(ServerProcess& server, const std::string& device, int acknowledged, bool graceful) {
  auto attrs = Json::parse(server.request("GET", "/api/v2/device/" + device + "/attributes").body);
  const int stored = attrs["attributes"].value("custom:counter", 0);
  if (graceful) {
    EXPECT_TRUE(stored == acknowledged || stored == acknowledged + 1) << stored << " vs " << acknowledged;
  } else {
    EXPECT_GE(stored, acknowledged) << "an acknowledged write was lost";
  }
  auto log = Json::parse(
      server.request("GET", "/api/v2/tailnet/-/logging/configuration?event=ATTRIBUTES&target=" + device).body);
  EXPECT_EQ(static_cast<int>(log["logs"].size()), stored) << "one audit event per applied write";
  if (!log["logs"].empty()) {
    EXPECT_EQ(log["logs"].back()["new"]["custom:counter"], stored);
  }
}

TEST_F(ServerTest, DataSurvivesARestart) {
  auto ids = importDevices(3);
  call("POST", "/api/v2/device/" + ids[1] + "/attributes/custom:tier", Json{{"value", "gold"}}, 200);
  const auto key = createKey({"devices:core:read"});
  const auto before = get("/api/v2/tailnet/-/devices?fields=all");
  ASSERT_EQ(server().stop(SIGINT), 0);

  ServerProcess again(server().dataDir(), {});
  ASSERT_TRUE(again.start()) << again.stderrText();
  EXPECT_EQ(Json::parse(again.request("GET", "/api/v2/tailnet/-/devices?fields=all").body), before);
  EXPECT_EQ(again.request("GET", "/api/v2/tailnet/-/devices", "", key).status, 200) << "keys survive too";
}

TEST_F(ServerTest, SigtermDuringAStreamOfWritesLeavesAConsistentStore) {
  const auto device = importDevices(1)[0];
  WriteStream stream(server().baseUrl(), server().adminKey(), device);
  while (stream.acknowledged() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(server().stop(SIGTERM), 0) << server().stderrText();
  const int acknowledged = stream.finish();
  EXPECT_NE(server().stderrText().find("\"msg\":\"stopped\""), std::string::npos);

  ServerProcess again(server().dataDir(), {});
  ASSERT_TRUE(again.start()) << again.stderrText();
  expectConsistent(again, device, acknowledged, true);
}

TEST_F(ServerTest, SigkillDuringAStreamOfWritesLosesNoAcknowledgedWrite) {
  const auto device = importDevices(1)[0];
  WriteStream stream(server().baseUrl(), server().adminKey(), device);
  while (stream.acknowledged() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server().stop(SIGKILL);
  const int acknowledged = stream.finish();

  ServerProcess again(server().dataDir(), {});
  ASSERT_TRUE(again.start()) << again.stderrText();
  expectConsistent(again, device, acknowledged, false);
}

}  // namespace
}  // namespace postured::testing
