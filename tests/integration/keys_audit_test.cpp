// API keys and the configuration audit log.
#include <thread>

#include "server_fixture.h"

namespace postured::testing {
namespace {

TEST_F(ServerTest, KeyLifecycle) {
  auto created = call("POST", "/api/v2/tailnet/-/keys",
                      Json{{"keyType", "api"},
                           {"scopes", {"devices:core:read", "logs:configuration:read"}},
                           {"description", "grafana"},
                           {"expirySeconds", 3600}},
                      200);
  const auto id = created["id"].get<std::string>();
  const auto secret = created["key"].get<std::string>();
  EXPECT_EQ(created["description"], "grafana");
  EXPECT_EQ(created["scopes"], Json::array({"devices:core:read", "logs:configuration:read"}));
  EXPECT_TRUE(created.contains("created") && created.contains("expires"));

  auto one = get("/api/v2/tailnet/-/keys/" + id);
  EXPECT_EQ(one["id"], id);
  EXPECT_FALSE(one.contains("key"));
  EXPECT_EQ(get("/api/v2/tailnet/-/keys")["keys"].size(), 2u);
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/devices", "", secret).status, 200);

  call("DELETE", "/api/v2/tailnet/-/keys/" + id, nullptr, 200);
  auto revoked = server().request("GET", "/api/v2/tailnet/-/devices", "", secret);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_NE(revoked.body.find("revoked"), std::string::npos) << revoked.body;
  EXPECT_EQ(get("/api/v2/tailnet/-/keys")["keys"].size(), 1u);
  call("DELETE", "/api/v2/tailnet/-/keys/" + id, nullptr, 404);
  get("/api/v2/tailnet/-/keys/kNOPE", 404);
}

TEST_F(ServerTest, KeyCreationIsValidatedAndCannotEscalate) {
  call("POST", "/api/v2/tailnet/-/keys", Json{{"keyType", "api"}, {"scopes", {"root"}}}, 400);
  call("POST", "/api/v2/tailnet/-/keys", Json{{"keyType", "api"}, {"scopes", Json::array()}}, 400);
  call("POST", "/api/v2/tailnet/-/keys", Json{{"keyType", "api"}, {"scopes", {"all"}}, {"expirySeconds", 0}}, 400);
  call("POST", "/api/v2/tailnet/-/keys", Json{{"keyType", "api"}, {"scopes", {"all"}}, {"colour", "red"}}, 400);
  call("POST", "/api/v2/tailnet/-/keys",
       Json{{"keyType", "api"}, {"scopes", {"all"}}, {"description", std::string(51, 'd')}}, 400);

  const auto keyAdmin = createKey({"auth_keys"});
  auto escalate = server().request("POST", "/api/v2/tailnet/-/keys",
                                   Json{{"keyType", "api"}, {"scopes", {"all"}}}.dump(), keyAdmin);
  EXPECT_EQ(escalate.status, 403) << escalate.body;
  auto allowed = server().request("POST", "/api/v2/tailnet/-/keys",
                                  Json{{"keyType", "api"}, {"scopes", {"auth_keys:read"}}}.dump(), keyAdmin);
  EXPECT_EQ(allowed.status, 200) << allowed.body;
}

TEST_F(ServerTest, ExpiredKeyIsRefused) {
  auto created = call("POST", "/api/v2/tailnet/-/keys",
                      Json{{"keyType", "api"}, {"scopes", {"devices:core:read"}}, {"expirySeconds", 1}}, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto res = server().request("GET", "/api/v2/tailnet/-/devices", "", created["key"].get<std::string>());
  EXPECT_EQ(res.status, 401);
  EXPECT_NE(res.body.find("expired"), std::string::npos) << res.body;
}

TEST_F(ServerTest, EveryChangeIsAuditedWithoutSecrets) {
  const auto start = get("/healthz");  // ensure the server is up
  auto created = call("POST", "/api/v2/tailnet/-/keys",
                      Json{{"keyType", "api"}, {"scopes", {"all"}}, {"description", "automation"}}, 200);
  const auto automation = created["key"].get<std::string>();
  const auto id = created["id"].get<std::string>();

  // Changes made with the automation key name it as the actor.
  auto imported = server().request("POST", "/api/v2/tailnet/-/devices",
                                   Json{{"devices", {{{"hostname", "web"}, {"tags", {"tag:web"}}}}}}.dump(), automation);
  ASSERT_EQ(imported.status, 200);
  const auto device = Json::parse(imported.body)["devices"][0]["id"].get<std::string>();
  server().request("POST", "/api/v2/device/" + device + "/attributes/custom:tier",
                   Json{{"value", "gold"}, {"comment", "approved in CHG-7"}}.dump(), automation);
  server().request("POST", "/api/v2/device/" + device + "/attributes/custom:tier", Json{{"value", "silver"}}.dump(),
                   automation);
  server().request("DELETE", "/api/v2/device/" + device + "/attributes/custom:tier", "", automation);
  server().request("DELETE", "/api/v2/device/" + device, "", automation);
  call("DELETE", "/api/v2/tailnet/-/keys/" + id, nullptr, 200);

  auto log = get("/api/v2/tailnet/-/logging/configuration");
  EXPECT_EQ(log["version"], "1.1");
  EXPECT_EQ(log["tailnet"], "example.com");
  const auto text = log.dump();
  EXPECT_EQ(text.find(automation), std::string::npos) << "no secret in the audit log";
  EXPECT_EQ(text.find(server().adminKey()), std::string::npos);

  std::vector<std::string> summary;
  for (const auto& e : log["logs"]) {
    EXPECT_EQ(e["type"], "CONFIG");
    EXPECT_FALSE(e["eventGroupID"].get<std::string>().empty());
    summary.push_back(e["action"].get<std::string>() + " " + e["target"]["type"].get<std::string>() + " " +
                      e["target"].value("property", ""));
  }
  const std::vector<std::string> expected = {
      "CREATE API_KEY ",          // the admin key at first start
      "CREATE API_KEY ",          // automation
      "CREATE NODE ",             // web
      "UPDATE NODE ATTRIBUTES",   // set gold
      "UPDATE NODE ATTRIBUTES",   // gold -> silver
      "UPDATE NODE ATTRIBUTES",   // delete
      "DELETE NODE ",             // device deleted
      "DELETE API_KEY ",          // automation revoked
  };
  EXPECT_EQ(summary, expected) << log.dump(2);

  const auto& set = log["logs"][3];
  EXPECT_EQ(set["actor"]["id"], id);
  EXPECT_EQ(set["actor"]["displayName"], "automation");
  EXPECT_EQ(set["origin"], "CONFIG_API");
  EXPECT_TRUE(set["old"]["custom:tier"].is_null());
  EXPECT_EQ(set["new"]["custom:tier"], "gold");
  EXPECT_EQ(set["actionDetails"], "approved in CHG-7");
  EXPECT_EQ(log["logs"][4]["old"]["custom:tier"], "gold");
  EXPECT_EQ(log["logs"][4]["new"]["custom:tier"], "silver");
  EXPECT_EQ(log["logs"][5]["old"]["custom:tier"], "silver");
  EXPECT_TRUE(log["logs"][5]["new"]["custom:tier"].is_null());

  // Filters.
  EXPECT_EQ(get("/api/v2/tailnet/-/logging/configuration?target=" + device)["logs"].size(), 5u);
  EXPECT_EQ(get("/api/v2/tailnet/-/logging/configuration?event=ATTRIBUTES")["logs"].size(), 3u);
  EXPECT_EQ(get("/api/v2/tailnet/-/logging/configuration?actor=" + id)["logs"].size(), 5u);
  EXPECT_EQ(get("/api/v2/tailnet/-/logging/configuration?start=2999-01-01T00:00:00Z")["logs"].size(), 0u);
  EXPECT_EQ(get("/api/v2/tailnet/-/logging/configuration?end=2000-01-01T00:00:00Z")["logs"].size(), 0u);
  auto badStart = get("/api/v2/tailnet/-/logging/configuration?start=yesterday", 400);
  EXPECT_NE(badStart["message"].get<std::string>().find("start"), std::string::npos);
  (void)start;
}

}  // namespace
}  // namespace postured::testing
