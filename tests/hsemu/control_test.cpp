// The control API's input checks: errors name the field, batches are all
// or nothing, unknown ids are 404.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hs_client.h"

namespace postured::hsemu::testing {
namespace {

using ::testing::HasSubstr;

http::ClientResponse control(HsEmulatorProcess& emu, const std::string& method, const std::string& path,
                             const std::string& body) {
  const std::string none;
  return call(emu, method, path, body, &none);
}

TEST(ControlTest, ErrorsNameTheField) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  auto res =
      control(emu, "POST", "/_emu/nodes",
              Json{{"nodes", {{{"name", "a"}, {"tags", {"tag:a"}}}, {{"name", "b"}, {"tags", {"Tag:B"}}}}}}.dump());
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(parsed(res)["error"].get<std::string>(), HasSubstr("nodes[1].tags[0]"));
  EXPECT_TRUE(emu.control("GET", "/_emu/nodes")["nodes"].empty());  // all or nothing

  res = control(emu, "POST", "/_emu/nodes", R"({"name": "a", "tags": ["tag:a"], "colour": "red"})");
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(parsed(res)["error"].get<std::string>(), HasSubstr("colour"));

  res = control(emu, "POST", "/_emu/nodes", "not json");
  EXPECT_EQ(res.status, 400);

  emu.addNode({{"name", "a"}, {"tags", {"tag:a"}}, {"ipAddresses", {"100.64.0.9"}}});
  res = control(emu, "POST", "/_emu/nodes", R"({"name": "b", "tags": ["tag:a"], "ipAddresses": ["100.64.0.9"]})");
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(parsed(res)["error"].get<std::string>(), HasSubstr("ipAddresses[0]"));

  EXPECT_EQ(control(emu, "PATCH", "/_emu/nodes/42", R"({"online": true})").status, 404);
  EXPECT_EQ(control(emu, "DELETE", "/_emu/nodes/42", "").status, 404);
  res = control(emu, "PATCH", "/_emu/nodes/1", R"({"online": "yes"})");
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(parsed(res)["error"].get<std::string>(), HasSubstr("online"));
  EXPECT_EQ(control(emu, "DELETE", "/_emu/nodes/1", "").status, 204);
}

TEST(ControlTest, LastSeenCanBeCleared) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  emu.addNode({{"name", "a"}, {"user", {{"name", "u"}}}, {"lastSeen", "2026-01-01T00:00:00Z"}});
  const auto node = emu.control("PATCH", "/_emu/nodes/1", {{"lastSeen", nullptr}})["node"];
  EXPECT_TRUE(node["lastSeen"].is_null());
  EXPECT_EQ(node["user"]["name"], "u");
}

}  // namespace
}  // namespace postured::hsemu::testing
