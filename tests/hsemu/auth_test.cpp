// The API key check of every /api/v1 route, as each headscale release
// answers without a valid key: Huma's problem on main, a bare text
// "Unauthorized" from the HTTP middleware of the gRPC-era releases.
#include <gtest/gtest.h>

#include "hs_client.h"

namespace postured::hsemu::testing {
namespace {

class AuthTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AuthTest, MissingOrWrongKeysAre401) {
  HsEmulatorProcess emu({"--flavor", GetParam()});
  ASSERT_TRUE(emu.start()) << emu.logText();
  const std::string none, wrong = "Bearer not-the-key", basic = "Basic " + emu.apiKey();
  for (const auto* auth : {&none, &wrong, &basic}) {
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/node"},
                                                                                       {"GET", "/api/v1/node/1"},
                                                                                       {"GET", "/api/v1/policy"},
                                                                                       {"PUT", "/api/v1/policy"}}) {
      auto res = call(emu, method, path, "{}", auth);
      EXPECT_EQ(res.status, 401) << method << " " << path << " with '" << *auth << "'";
      if (GetParam() == "main") {
        EXPECT_EQ(res.header("content-type"), "application/problem+json");
        EXPECT_EQ(parsed(res), (Json{{"title", "Unauthorized"}, {"status", 401}, {"detail", "Unauthorized"}}));
      } else {
        EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
        EXPECT_EQ(res.body, "Unauthorized");
      }
    }
  }
  EXPECT_EQ(call(emu, "GET", "/api/v1/node").status, 200);
  // A rejected PUT is not a push, and not counted.
  EXPECT_TRUE(emu.pushes().empty());
  EXPECT_EQ(emu.control("GET", "/_emu/stats")["policyPuts"], 0);
}

INSTANTIATE_TEST_SUITE_P(Flavors, AuthTest, ::testing::Values("main", "v0.29", "v0.25"));

TEST(AuthKeyTest, TheKeyComesFromTheKeyFile) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  const std::string defaultKey = "Bearer hsemu-api-key";
  EXPECT_EQ(call(emu, "GET", "/api/v1/node", {}, &defaultKey).status, 401);
  EXPECT_EQ(call(emu, "GET", "/api/v1/node").status, 200);
}

}  // namespace
}  // namespace postured::hsemu::testing
