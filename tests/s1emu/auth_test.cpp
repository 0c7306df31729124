// ApiToken authentication of the agents API.
#include <gtest/gtest.h>

#include <csignal>

#include "s1emu/emu_process.h"

namespace postured::s1emu::testing {
namespace {

using nlohmann::json;

const json kAuthFailed = json::parse(R"({"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]})");

TEST(S1emuAuth, RejectsMissingOrWrongCredentialsWithSentinelOnesBody) {
  EmuProcess emu({"--generate", "20", "--seed", "1"});
  ASSERT_TRUE(emu.start()) << emu.stderrText();
  for (const std::string header : {"", "ApiToken wrong", "Bearer s1emu-token", "s1emu-token", "ApiToken",
                                   "ApiToken s1emu-token-longer", "Token s1emu-token"}) {
    const auto response = emu.agents("limit=5", header);
    EXPECT_EQ(response.status, 401) << "'" << header << "'";
    EXPECT_EQ(json::parse(response.body), kAuthFailed) << header;
  }
}

TEST(S1emuAuth, SchemeIsCaseInsensitive) {
  EmuProcess emu({"--generate", "20", "--seed", "1"});
  ASSERT_TRUE(emu.start()) << emu.stderrText();
  for (const std::string scheme : {"ApiToken", "APIToken", "apitoken", "APITOKEN"}) {
    const auto response = emu.agents("limit=5", scheme + " " + kToken);
    EXPECT_EQ(response.status, 200) << scheme << ": " << response.body;
  }
}

TEST(S1emuAuth, TokenFromFlagOrFile) {
  {
    EmuProcess emu({"--generate", "5", "--seed", "1", "--token", "abc123"});
    ASSERT_TRUE(emu.start()) << emu.stderrText();
    EXPECT_EQ(emu.agents("", "ApiToken abc123").status, 200);
    EXPECT_EQ(emu.agents("").status, 401);  // the default token no longer works
  }
  postured::testing::TempDir dir;
  writeFile(dir.file("token.txt"), "from-a-file\n");
  EmuProcess emu({"--generate", "5", "--seed", "1", "--token-file", dir.file("token.txt")});
  ASSERT_TRUE(emu.start()) << emu.stderrText();
  EXPECT_EQ(emu.agents("", "ApiToken from-a-file").status, 200);
}

TEST(S1emuAuth, ControlEndpointsNeedNoAuth) {
  EmuProcess emu({"--generate", "5", "--seed", "1"});
  ASSERT_TRUE(emu.start()) << emu.stderrText();
  EXPECT_EQ(emu.request("GET", "/_emu/stats").status, 200);
  EXPECT_EQ(emu.request("GET", "/_emu/faults").status, 200);
}

TEST(S1emuAuth, AnnouncesAddressAndAgentCountAndStopsOnSigterm) {
  EmuProcess emu({"--generate", "42", "--seed", "1"});
  ASSERT_TRUE(emu.start()) << emu.stderrText();
  EXPECT_EQ(emu.announcedAgents(), 42u);
  EXPECT_EQ(emu.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace postured::s1emu::testing
