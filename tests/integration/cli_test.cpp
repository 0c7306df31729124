// The CLI against a real server: tables, --json, exit codes.
#include <fstream>

#include "server_fixture.h"

namespace postured::testing {
namespace {

class CliTest : public ServerTest {
 protected:
  ProcessResult cli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {POSTURED_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--server");
    argv.push_back(server().baseUrl());
    if (!env.count("POSTURED_API_KEY")) {
      argv.push_back("--api-key-file");
      argv.push_back(server().dataDir() + "/admin.key");
    }
    return runProcess(argv, env);
  }
};

TEST_F(CliTest, DevicesAddListGetDelete) {
  auto add = cli({"devices", "add", "--hostname", "laptop", "--user", "alice@example.com", "--os", "linux", "--serial",
                  "SN123", "--json"});
  ASSERT_EQ(add.exitCode, 0) << add.err;
  const auto id = Json::parse(add.out)["devices"][0]["id"].get<std::string>();

  auto list = cli({"devices", "list"});
  ASSERT_EQ(list.exitCode, 0) << list.err;
  EXPECT_NE(list.out.find("HOSTNAME"), std::string::npos);
  EXPECT_NE(list.out.find("laptop"), std::string::npos);
  EXPECT_NE(list.out.find(id), std::string::npos);

  auto json = cli({"devices", "list", "--json"});
  EXPECT_EQ(Json::parse(json.out)["devices"].size(), 1u);

  auto shown = cli({"devices", "get", id});
  EXPECT_EQ(shown.exitCode, 0);
  EXPECT_NE(shown.out.find("SN123"), std::string::npos) << shown.out;

  EXPECT_EQ(cli({"devices", "delete", id}).exitCode, 0);
  auto missing = cli({"devices", "get", id});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find("404"), std::string::npos) << missing.err;
}

TEST_F(CliTest, ImportFromFileIsAllOrNothing) {
  TempDir dir;
  std::ofstream(dir.file("devices.json"))
      << R"({"devices":[{"hostname":"a","user":"a@example.com"},{"hostname":"b","tags":["nottag"]}]})";
  auto r = cli({"devices", "add", "--file", dir.file("devices.json")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("devices[1].tags[0]"), std::string::npos) << r.err;
  EXPECT_EQ(Json::parse(cli({"devices", "list", "--json"}).out)["devices"].size(), 0u);
}

TEST_F(CliTest, AttributesSetGetDeleteWithTypes) {
  const auto id = importDevices(1)[0];
  EXPECT_EQ(cli({"attrs", "set", id, "custom:score", "80"}).exitCode, 0);
  EXPECT_EQ(cli({"attrs", "set", id, "custom:managed", "true", "--comment", "from CMDB"}).exitCode, 0);
  EXPECT_EQ(cli({"attrs", "set", id, "custom:label", "42", "--type", "string", "--expires-in", "1h"}).exitCode, 0);
  auto json = Json::parse(cli({"attrs", "get", id, "--json"}).out);
  EXPECT_EQ(json["attributes"]["custom:score"], 80);
  EXPECT_EQ(json["attributes"]["custom:managed"], true);
  EXPECT_EQ(json["attributes"]["custom:label"], "42");
  EXPECT_TRUE(json["expiries"].contains("custom:label"));

  auto table = cli({"attrs", "get", id});
  EXPECT_NE(table.out.find("custom:score"), std::string::npos);

  auto refused = cli({"attrs", "set", id, "custom:score", "high"});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find("number"), std::string::npos) << refused.err;

  EXPECT_EQ(cli({"attrs", "delete", id, "custom:score"}).exitCode, 0);
  EXPECT_EQ(cli({"attrs", "delete", id, "custom:score"}).exitCode, 1);
}

TEST_F(CliTest, KeysAndAudit) {
  auto created = cli({"keys", "create", "--scope", "devices:core:read", "--description", "reporting", "--json"});
  ASSERT_EQ(created.exitCode, 0) << created.err;
  const auto key = Json::parse(created.out)["key"].get<std::string>();
  const auto id = Json::parse(created.out)["id"].get<std::string>();

  // POSTURED_API_KEY works in place of --api-key-file.
  auto withEnv = cli({"devices", "list"}, {{"POSTURED_API_KEY", key}});
  EXPECT_EQ(withEnv.exitCode, 0) << withEnv.err;
  auto denied = cli({"keys", "list"}, {{"POSTURED_API_KEY", key}});
  EXPECT_EQ(denied.exitCode, 1);
  EXPECT_NE(denied.err.find("403"), std::string::npos) << denied.err;

  auto list = cli({"keys", "list"});
  EXPECT_NE(list.out.find("reporting"), std::string::npos);
  EXPECT_EQ(list.out.find(key), std::string::npos);
  EXPECT_EQ(cli({"keys", "revoke", id}).exitCode, 0);

  auto audit = cli({"audit", "--since", "1h"});
  EXPECT_EQ(audit.exitCode, 0) << audit.err;
  EXPECT_NE(audit.out.find("API_KEY"), std::string::npos) << audit.out;
  auto auditJson = Json::parse(cli({"audit", "--json"}).out);
  EXPECT_EQ(auditJson["logs"].size(), 3u);  // admin key, reporting key, its revocation
}

TEST_F(CliTest, AuthKeysAndTheIdentityCollectionSwitch) {
  auto created = cli({"keys", "create-auth", "--tags", "tag:ci,tag:build", "--reusable", "--ephemeral", "--description",
                      "runners", "--json"});
  ASSERT_EQ(created.exitCode, 0) << created.err;
  auto key = Json::parse(created.out);
  EXPECT_EQ(key["keyType"], "auth");
  EXPECT_EQ(key["capabilities"]["devices"]["create"]["tags"], Json({"tag:ci", "tag:build"}));
  EXPECT_EQ(key["capabilities"]["devices"]["create"]["reusable"], true);

  auto list = cli({"keys", "list"});
  ASSERT_EQ(list.exitCode, 0) << list.err;
  EXPECT_NE(list.out.find("tag:ci,tag:build reusable ephemeral"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(key["key"].get<std::string>()), std::string::npos);

  auto ownerless = cli({"keys", "create-auth", "--reusable"});
  EXPECT_EQ(ownerless.exitCode, 1);
  EXPECT_NE(ownerless.err.find("owner"), std::string::npos) << ownerless.err;
  EXPECT_EQ(cli({"keys", "create-auth", "--tags", "tag:a", "--user", "a@example.com"}).exitCode, 2);

  auto off = cli({"settings"});
  EXPECT_EQ(off.out, "device identity collection: off\n");
  auto on = cli({"settings", "--identity-collection", "on"});
  ASSERT_EQ(on.exitCode, 0) << on.err;
  EXPECT_EQ(on.out, "device identity collection: on\n");
  EXPECT_EQ(get("/api/v2/tailnet/-/settings")["postureIdentityCollectionOn"], true);
  EXPECT_EQ(cli({"settings", "--identity-collection", "maybe"}).exitCode, 2);
}

TEST_F(CliTest, UsageErrorsExitWith2) {
  EXPECT_EQ(cli({"devices"}).exitCode, 2);
  EXPECT_EQ(cli({"devices", "frobnicate"}).exitCode, 2);
  EXPECT_EQ(cli({"attrs", "set", "only-an-id"}).exitCode, 2);
  EXPECT_EQ(cli({"audit", "--since", "a while"}).exitCode, 2);
  auto noKey = runProcess({POSTURED_BINARY, "devices", "list", "--server", server().baseUrl()});
  EXPECT_EQ(noKey.exitCode, 2);
  EXPECT_NE(noKey.err.find("API key"), std::string::npos) << noKey.err;
}

TEST_F(CliTest, UnreachableServerExitsWith1) {
  auto r = runProcess({POSTURED_BINARY, "devices", "list", "--server", "http://127.0.0.1:1", "--api-key-file",
                       server().dataDir() + "/admin.key"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_FALSE(r.err.empty());
}

}  // namespace
}  // namespace postured::testing
