// --state keeps the database across restarts: nodes, users, the policy and
// the mode survive; the push log does not.
#include <gtest/gtest.h>

#include "hs_client.h"

namespace postured::hsemu::testing {
namespace {

TEST(StateTest, ARestartedEmulatorKeepsItsDatabase) {
  postured::testing::TempDir dir;
  const auto state = dir.file("state.json");
  HsEmulatorProcess emu({"--state", state});
  ASSERT_TRUE(emu.start()) << emu.logText();
  emu.addNode({{"name", "alice-laptop"}, {"user", {{"name", "alice"}, {"email", "alice@example.com"}}}});
  emu.addNode({{"name", "srv"}, {"tags", {"tag:server"}}});
  emu.control("DELETE", "/_emu/nodes/1");
  ASSERT_EQ(call(emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy)).status, 200);
  const auto before = call(emu, "GET", "/api/v1/node").body;
  const auto policyBefore = call(emu, "GET", "/api/v1/policy").body;
  const auto url = emu.baseUrl();
  emu.stop();

  ASSERT_TRUE(emu.start()) << emu.logText();
  EXPECT_EQ(emu.baseUrl(), url);
  EXPECT_NE(emu.logText().find("\"nodes\":1"), std::string::npos) << emu.logText();
  EXPECT_EQ(call(emu, "GET", "/api/v1/node").body, before);
  EXPECT_EQ(call(emu, "GET", "/api/v1/policy").body, policyBefore);
  EXPECT_TRUE(emu.pushes().empty());
  // Ids and addresses keep counting from the saved database.
  const auto added = emu.addNode({{"name", "bob"}, {"user", {{"name", "alice"}}}});
  EXPECT_EQ(added["id"], "3");
  EXPECT_EQ(added["user"]["id"], "1");
}

TEST(StateTest, TheModeSurvivesARestart) {
  postured::testing::TempDir dir;
  HsEmulatorProcess emu({"--state", dir.file("state.json")});
  ASSERT_TRUE(emu.start()) << emu.logText();
  emu.control("PUT", "/_emu/mode", {{"mode", "file"}});
  emu.stop();
  ASSERT_TRUE(emu.start()) << emu.logText();
  EXPECT_EQ(emu.control("GET", "/_emu/mode")["mode"], "file");
}

TEST(StateTest, WithoutStateARestartStartsEmpty) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  emu.addNode({{"name", "srv"}, {"tags", {"tag:server"}}});
  emu.stop();
  ASSERT_TRUE(emu.start()) << emu.logText();
  EXPECT_TRUE(emu.control("GET", "/_emu/nodes")["nodes"].empty());
}

}  // namespace
}  // namespace postured::hsemu::testing
