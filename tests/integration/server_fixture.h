// A running postured server per test, started from the real binary on an
// ephemeral loopback port with a fresh data dir.
#pragma once

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>

#include "support/process.h"

namespace postured::testing {

using Json = nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { startServer(); }

  void startServer(std::vector<std::string> args = {}, std::map<std::string, std::string> env = {}) {
    server_ = std::make_unique<ServerProcess>(std::move(args), std::move(env));
    ASSERT_TRUE(server_->start()) << server_->stderrText();
  }

  ServerProcess& server() { return *server_; }

  // Stops the server (SIGTERM unless told otherwise, if it still runs) and
  // starts a new one on the same data dir.
  void restartServer(std::vector<std::string> args = {}, int signal = SIGTERM) {
    previous_.push_back(std::move(server_));  // it owns the data dir: keep it alive
    if (previous_.back()->running()) previous_.back()->stop(signal);
    server_ = std::make_unique<ServerProcess>(previous_.back()->dataDir(), std::move(args));
    ASSERT_TRUE(server_->start()) << server_->stderrText();
  }

  // Sends a request with the admin key and parses the JSON answer.
  Json call(const std::string& method, const std::string& path, const Json& body, int expectStatus) {
    auto res = server_->request(method, path, body.is_null() ? std::string() : body.dump());
    EXPECT_EQ(res.status, expectStatus) << method << " " << path << " -> " << res.body;
    auto j = Json::parse(res.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << res.body;
    return j;
  }
  Json get(const std::string& path, int expectStatus = 200) { return call("GET", path, nullptr, expectStatus); }

  // Imports `count` user-owned devices; returns their ids in order.
  std::vector<std::string> importDevices(int count, const std::string& prefix = "host") {
    Json devices = Json::array();
    for (int i = 0; i < count; ++i)
      devices.push_back({{"hostname", prefix + std::to_string(i)}, {"user", "alice@example.com"}, {"os", "linux"}});
    auto res = call("POST", "/api/v2/tailnet/-/devices", Json{{"devices", devices}}, 200);
    std::vector<std::string> ids;
    for (const auto& d : res["devices"]) ids.push_back(d["id"].get<std::string>());
    return ids;
  }

  // Creates an API key with the given scopes; returns its secret.
  std::string createKey(const std::vector<std::string>& scopes) {
    auto res = call("POST", "/api/v2/tailnet/-/keys", Json{{"keyType", "api"}, {"scopes", scopes}}, 200);
    return res["key"].get<std::string>();
  }

  // Creates an auth key (for `postured enroll`) with these device capabilities; returns its secret.
  std::string authKey(Json create, int expirySeconds = 3600) {
    auto res = call("POST", "/api/v2/tailnet/-/keys",
                    Json{{"capabilities", {{"devices", {{"create", create}}}}},
                         {"expirySeconds", expirySeconds},
                         {"description", "test enrollment"}},
                    200);
    EXPECT_EQ(res["keyType"], "auth");
    return res["key"].get<std::string>();
  }

  std::vector<std::unique_ptr<ServerProcess>> previous_;  // declared first: destroyed after server_
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace postured::testing
