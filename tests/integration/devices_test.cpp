// Device inventory: import, list, get, delete.
#include "server_fixture.h"

namespace postured::testing {
namespace {

TEST_F(ServerTest, ImportAllocatesAddressesAndReturnsTailscaleShapes) {
  auto res = call("POST", "/api/v2/tailnet/-/devices",
                  Json{{"devices",
                        {{{"hostname", "Laptop-1"},
                          {"user", "alice@example.com"},
                          {"os", "macOS"},
                          {"osVersion", "15.6.1"},
                          {"clientVersion", "1.94.2"},
                          {"serialNumbers", {" C02XL0GHJGH5 "}},
                          {"macAddresses", {"AA:BB:CC:DD:EE:01"}}},
                         {{"hostname", "db"}, {"tags", {"tag:server", "tag:prod"}}, {"addresses", {"100.64.0.50"}}}}}},
                  200);
  ASSERT_EQ(res["devices"].size(), 2u);
  const auto& laptop = res["devices"][0];
  EXPECT_EQ(laptop["id"], laptop["nodeId"]);
  EXPECT_EQ(laptop["name"], "laptop-1.example.com");
  EXPECT_EQ(laptop["user"], "alice@example.com");
  ASSERT_EQ(laptop["addresses"].size(), 2u);
  EXPECT_EQ(laptop["addresses"][0].get<std::string>().rfind("100.", 0), 0u);
  EXPECT_EQ(laptop["addresses"][1].get<std::string>().rfind("fd7a:115c:a1e0:", 0), 0u);
  EXPECT_EQ(laptop["postureIdentity"]["serialNumbers"], Json::array({"C02XL0GHJGH5"}));
  EXPECT_EQ(laptop["postureIdentity"]["disabled"], false);
  EXPECT_EQ(laptop["macAddresses"], Json::array({"aa:bb:cc:dd:ee:01"}));

  const auto& db = res["devices"][1];
  EXPECT_EQ(db["tags"], Json::array({"tag:server", "tag:prod"}));
  EXPECT_FALSE(db.contains("user"));
  EXPECT_EQ(db["addresses"][0], "100.64.0.50");

  // The plain list omits identity; fields=all adds identity and attributes.
  auto list = get("/api/v2/tailnet/-/devices");
  ASSERT_EQ(list["devices"].size(), 2u);
  EXPECT_FALSE(list["devices"][0].contains("postureIdentity"));
  auto all = get("/api/v2/tailnet/-/devices?fields=all");
  EXPECT_TRUE(all["devices"][0].contains("postureIdentity"));
  EXPECT_EQ(all["devices"][0]["postureAttributes"]["node:os"], "macos");
  EXPECT_EQ(all["devices"][0]["postureAttributes"]["node:tsVersion"], "1.94.2");
  EXPECT_EQ(all["devices"][1]["postureIdentity"], Json({{"disabled", true}}));

  auto one = get("/api/v2/device/" + laptop["id"].get<std::string>() + "?fields=all");
  EXPECT_EQ(one["hostname"], "Laptop-1");
  EXPECT_EQ(one["postureAttributes"]["node:osVersion"], "15.6.1");
  EXPECT_EQ(get("/api/v2/device/nUNKNOWN", 404)["status"], 404);
  EXPECT_EQ(get("/api/v2/tailnet/-/devices?fields=everything", 400)["status"], 400);
}

TEST_F(ServerTest, InvalidEntryRejectsTheWholeBatchNamingIndexAndField) {
  importDevices(1, "existing");
  const Json bad = {{"devices",
                     {{{"hostname", "ok-1"}, {"user", "bob@example.com"}},
                      {{"hostname", "ok-2"}, {"user", "bob@example.com"}},
                      {{"hostname", "bad host"}, {"user", "bob@example.com"}}}}};
  auto res = call("POST", "/api/v2/tailnet/-/devices", bad, 400);
  EXPECT_NE(res["message"].get<std::string>().find("devices[2].hostname"), std::string::npos) << res;
  EXPECT_EQ(get("/api/v2/tailnet/-/devices")["devices"].size(), 1u) << "nothing of the batch was created";

  struct Case {
    Json entry;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"user", "a@b.c"}}, "devices[0].hostname"},
      {{{"hostname", "x"}}, "devices[0].user"},
      {{{"hostname", "x"}, {"user", "a@b.c"}, {"tags", {"tag:x"}}}, "devices[0].tags"},
      {{{"hostname", "x"}, {"user", "not-an-email"}}, "devices[0].user"},
      {{{"hostname", "x"}, {"tags", {"server"}}}, "devices[0].tags[0]"},
      {{{"hostname", "x"}, {"user", "a@b.c"}, {"addresses", {"10.0.0.1"}}}, "devices[0].addresses[0]"},
      {{{"hostname", "x"}, {"user", "a@b.c"}, {"macAddresses", {"zz:zz"}}}, "devices[0].macAddresses[0]"},
      {{{"hostname", "x"}, {"user", "a@b.c"}, {"serialNumbers", {"  "}}}, "devices[0].serialNumbers[0]"},
      {{{"hostname", "x"}, {"user", "a@b.c"}, {"color", "red"}}, "devices[0].color"},
      {{{"hostname", "x"}, {"user", "a@b.c"}, {"os", 7}}, "devices[0].os"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", "/api/v2/tailnet/-/devices", Json{{"devices", {c.entry}}}, 400);
    EXPECT_NE(r["message"].get<std::string>().find(c.field), std::string::npos) << c.entry << " -> " << r;
  }
  EXPECT_EQ(get("/api/v2/tailnet/-/devices")["devices"].size(), 1u);
}

TEST_F(ServerTest, AddressesAreNeverSharedBetweenDevices) {
  call("POST", "/api/v2/tailnet/-/devices",
       Json{{"devices", {{{"hostname", "a"}, {"user", "a@b.c"}, {"addresses", {"100.64.0.9"}}}}}}, 200);
  auto clash = call("POST", "/api/v2/tailnet/-/devices",
                    Json{{"devices", {{{"hostname", "b"}, {"user", "a@b.c"}, {"addresses", {"100.64.0.9"}}}}}}, 409);
  EXPECT_NE(clash["message"].get<std::string>().find("devices[0].addresses"), std::string::npos) << clash;

  auto ids = importDevices(50);
  std::set<std::string> seen;
  const auto list = get("/api/v2/tailnet/-/devices");
  for (const auto& d : list["devices"])
    for (const auto& a : d["addresses"]) EXPECT_TRUE(seen.insert(a.get<std::string>()).second) << a;
  EXPECT_EQ(seen.size(), 51u * 2);
}

TEST_F(ServerTest, DeleteRemovesDeviceAndAttributes) {
  auto ids = importDevices(2);
  call("POST", "/api/v2/device/" + ids[0] + "/attributes/custom:tier", Json{{"value", "gold"}}, 200);
  call("DELETE", "/api/v2/device/" + ids[0], nullptr, 200);
  EXPECT_EQ(get("/api/v2/device/" + ids[0], 404)["status"], 404);
  EXPECT_EQ(get("/api/v2/device/" + ids[0] + "/attributes", 404)["status"], 404);
  call("DELETE", "/api/v2/device/" + ids[0], nullptr, 404);
  // The key is free again: another type may now be written under it.
  call("POST", "/api/v2/device/" + ids[1] + "/attributes/custom:tier", Json{{"value", 3}}, 200);
}

TEST_F(ServerTest, ImportsTenThousandDevicesInOneRequest) {
  auto ids = importDevices(10'000);
  ASSERT_EQ(ids.size(), 10'000u);
  EXPECT_EQ(get("/api/v2/tailnet/-/devices")["devices"].size(), 10'000u);
  EXPECT_EQ(get("/api/v2/device/" + ids[9'999])["hostname"], "host9999");
}

}  // namespace
}  // namespace postured::testing
