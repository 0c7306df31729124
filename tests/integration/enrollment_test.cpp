// Auth keys, the identity-collection switch and device registration and
// reports, against a running server, with requests signed as the agent signs
// them (core/device_signature.h).
#include <gmock/gmock.h>

#include <chrono>

#include "enrollment_client.h"
#include "server_fixture.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;

class EnrollmentTest : public ServerTest {
 protected:
  static Json facts(const std::string& hostname, Json identity = nullptr) {
    Json body{{"hostname", hostname}, {"os", "linux"}, {"osVersion", "6.1.0-18-amd64"}, {"clientVersion", "0.5.0"}};
    if (!identity.is_null()) body["identity"] = std::move(identity);
    return body;
  }

  http::ClientResponse signedPost(const core::DeviceKeyPair& keys, const std::string& path, const Json& body,
                                  const std::string& authKeyText, std::int64_t at = nowSeconds()) {
    return testing::signedPost(server(), keys, path, body, authKeyText, at);
  }
  http::ClientResponse enroll(const core::DeviceKeyPair& keys, const std::string& authKeyText, Json body) {
    return enrollDevice(server(), keys, authKeyText, std::move(body));
  }
  http::ClientResponse report(const core::DeviceKeyPair& keys, const std::string& id, const Json& body) {
    return reportDevice(server(), keys, id, body);
  }

  Json device(const std::string& id) { return get("/api/v2/device/" + id + "?fields=all"); }
};

TEST_F(EnrollmentTest, AOneOffKeyEnrollsOneDeviceAndItsStateKeepsTheSameDevice) {
  const auto key = authKey({{"user", "alice@example.com"}});
  const auto keys = core::generateDeviceKeyPair();
  auto first = enroll(keys, key, facts("laptop-1"));
  ASSERT_EQ(first.status, 201) << first.body;
  const auto id = Json::parse(first.body)["deviceId"].get<std::string>();
  EXPECT_EQ(device(id)["user"], "alice@example.com");
  EXPECT_EQ(device(id)["nodeKey"], keys.publicKey);

  auto again = enroll(core::generateDeviceKeyPair(), key, facts("laptop-2"));
  EXPECT_EQ(again.status, 401);
  EXPECT_THAT(again.body, HasSubstr("already used"));

  // The device reports with its own key; no auth key needed.
  auto seen = report(keys, id, facts("laptop-1"));
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(Json::parse(seen.body)["deviceId"], id);
  EXPECT_EQ(get("/api/v2/tailnet/-/devices")["devices"].size(), 1u);

  auto keyList = get("/api/v2/tailnet/-/keys")["keys"];
  ASSERT_EQ(keyList.size(), 2u) << "the admin key and the auth key";
  EXPECT_EQ(keyList[1]["invalid"], true) << "a spent one-off key is listed as invalid";
  EXPECT_FALSE(keyList[1].contains("key")) << "never the secret";
}

TEST_F(EnrollmentTest, AReusableTaggedEphemeralKeyMakesTaggedEphemeralDevices) {
  call("POST", "/api/v2/tailnet/-/acl",
       Json{{"tagOwners", {{"tag:ci", Json::array()}, {"tag:build", Json::array()}}},
            {"acls", Json::array({{{"action", "accept"}, {"src", {"*"}}, {"dst", {"*:*"}}}})}},
       200);
  auto unowned = call("POST", "/api/v2/tailnet/-/keys",
                      Json{{"capabilities", {{"devices", {{"create", {{"tags", {"tag:nope"}}}}}}}}}, 400);
  EXPECT_THAT(unowned["message"].get<std::string>(), HasSubstr("tagOwners"));

  const auto key = authKey({{"reusable", true}, {"ephemeral", true}, {"tags", {"tag:ci", "tag:build"}}});
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto res = enroll(core::generateDeviceKeyPair(), key, facts("runner-" + std::to_string(i)));
    ASSERT_EQ(res.status, 201) << res.body;
    ids.push_back(Json::parse(res.body)["deviceId"].get<std::string>());
  }
  auto d = device(ids[0]);
  EXPECT_EQ(d["tags"], Json({"tag:ci", "tag:build"}));
  EXPECT_FALSE(d.contains("user"));
  EXPECT_EQ(d["isEphemeral"], true);

  auto subset = enroll(core::generateDeviceKeyPair(), key, [&] {
    auto b = facts("runner-x");
    b["tags"] = {"tag:ci"};
    return b;
  }());
  ASSERT_EQ(subset.status, 201) << subset.body;
  EXPECT_EQ(Json::parse(subset.body)["tags"], Json({"tag:ci"}));
  auto other = enroll(core::generateDeviceKeyPair(), key, [&] {
    auto b = facts("runner-y");
    b["tags"] = {"tag:prod"};
    return b;
  }());
  EXPECT_EQ(other.status, 403);
  EXPECT_THAT(other.body, HasSubstr("tags[0]"));
}

TEST_F(EnrollmentTest, ExpiredRevokedAndForgedCredentialsAreRefusedWithTheReason) {
  const auto expiring = authKey({{"reusable", true}, {"user", "bob@example.com"}}, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto expired = enroll(core::generateDeviceKeyPair(), expiring, facts("late"));
  EXPECT_EQ(expired.status, 401);
  EXPECT_THAT(expired.body, HasSubstr("expired"));

  auto created = call("POST", "/api/v2/tailnet/-/keys",
                      Json{{"capabilities", {{"devices", {{"create", {{"user", "bob@example.com"}}}}}}}}, 200);
  call("DELETE", "/api/v2/tailnet/-/keys/" + created["id"].get<std::string>(), nullptr, 200);
  auto revoked = enroll(core::generateDeviceKeyPair(), created["key"].get<std::string>(), facts("gone"));
  EXPECT_EQ(revoked.status, 401);
  EXPECT_THAT(revoked.body, HasSubstr("revoked"));

  auto asApiKey = server().request("GET", "/api/v2/tailnet/-/devices", "", created["key"].get<std::string>());
  EXPECT_EQ(asApiKey.status, 401) << "an auth key is not an API key";
  EXPECT_THAT(asApiKey.body, HasSubstr("auth key"));

  const auto key = authKey({{"reusable", true}, {"user", "bob@example.com"}});
  const auto keys = core::generateDeviceKeyPair();
  auto ok = enroll(keys, key, facts("desk"));
  ASSERT_EQ(ok.status, 201);
  const auto id = Json::parse(ok.body)["deviceId"].get<std::string>();

  // Someone holding the key but not the device's private key cannot claim its node key.
  const auto thief = core::generateDeviceKeyPair();
  Json claim = facts("evil");
  claim["nodeKey"] = keys.publicKey;
  auto stolen = signedPost(thief, "/api/v2/machine/register", claim, key);
  EXPECT_EQ(stolen.status, 401);
  auto forged = report(thief, id, facts("evil"));
  EXPECT_EQ(forged.status, 401);
  auto stale = signedPost(keys, "/api/v2/machine/" + id + "/report", facts("desk"), "", nowSeconds() - 3600);
  EXPECT_EQ(stale.status, 401);
  EXPECT_THAT(stale.body, HasSubstr("clock"));
  EXPECT_EQ(device(id)["hostname"], "desk");

  auto bad = report(keys, id, Json{{"hostname", "desk"}, {"os", "linux"}, {"identity", {{"SerialNumbers", "x"}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("identity.SerialNumbers"));
}

TEST_F(EnrollmentTest, SerialsAreDiscardedWhileCollectionIsOffAndKeptWhenOn) {
  EXPECT_EQ(get("/api/v2/tailnet/-/settings")["postureIdentityCollectionOn"], false);
  const auto key = authKey({{"user", "carol@example.com"}});
  const auto keys = core::generateDeviceKeyPair();
  const Json identity{{"SerialNumbers", {"PF3ABC12"}}, {"IfaceHardwareAddrs", {"AA:BB:CC:00:11:22"}}};
  auto res = enroll(keys, key, facts("thinkpad", identity));
  ASSERT_EQ(res.status, 201) << res.body;
  const auto id = Json::parse(res.body)["deviceId"].get<std::string>();
  EXPECT_EQ(device(id)["postureIdentity"], Json({{"disabled", true}}));

  EXPECT_EQ(call("PATCH", "/api/v2/tailnet/-/settings", Json{{"postureIdentityCollectionOn", true}},
                 200)["postureIdentityCollectionOn"],
            true);
  EXPECT_EQ(device(id)["postureIdentity"]["disabled"], true) << "until the device's next report";
  ASSERT_EQ(report(keys, id, facts("thinkpad", identity)).status, 200);
  auto d = device(id);
  EXPECT_EQ(d["postureIdentity"], Json({{"disabled", false}, {"serialNumbers", {"PF3ABC12"}}}));
  EXPECT_EQ(d["macAddresses"], Json({"aa:bb:cc:00:11:22"}));

  ASSERT_EQ(report(keys, id, facts("thinkpad", Json{{"PostureDisabled", true}})).status, 200);
  EXPECT_EQ(device(id)["postureIdentity"], Json({{"disabled", true}})) << "the device opted out";

  auto unknown = call("PATCH", "/api/v2/tailnet/-/settings", Json{{"devicesApprovalOn", true}}, 400);
  EXPECT_THAT(unknown["message"].get<std::string>(), HasSubstr("devicesApprovalOn"));

  auto logs = get("/api/v2/tailnet/-/logging/configuration")["logs"];
  int switchEvents = 0, identityEvents = 0;
  for (const auto& e : logs) {
    const auto property = e["target"].value("property", "");
    switchEvents += property == "COLLECT_POSTURE_IDENTITY";
    identityEvents += property == "POSTURE_IDENTITY";
  }
  EXPECT_EQ(switchEvents, 1);
  EXPECT_EQ(identityEvents, 2) << "collected, then disabled";
}

TEST_F(EnrollmentTest, SilentEphemeralDevicesAreRemoved) {
  server_.reset();
  startServer({"--ephemeral-timeout", "1s", "--attribute-sweep-interval", "200ms"});
  const auto key = authKey({{"reusable", true}, {"ephemeral", true}, {"user", "dave@example.com"}});
  const auto permanent = authKey({{"user", "dave@example.com"}});
  auto gone = enroll(core::generateDeviceKeyPair(), key, facts("job-1"));
  auto stays = enroll(core::generateDeviceKeyPair(), permanent, facts("desk-1"));
  ASSERT_EQ(gone.status, 201);
  ASSERT_EQ(stays.status, 201);
  const auto goneId = Json::parse(gone.body)["deviceId"].get<std::string>();
  for (int i = 0; i < 50 && server().request("GET", "/api/v2/device/" + goneId).status != 404; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(server().request("GET", "/api/v2/device/" + goneId).status, 404);
  EXPECT_EQ(get("/api/v2/tailnet/-/devices")["devices"].size(), 1u);
}

}  // namespace
}  // namespace postured::testing
