// The command line: usage errors name the flag and exit 2, --nodes errors
// name the field, --generate is deterministic, SIGTERM stops cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hs_client.h"
#include "support/process.h"

namespace postured::hsemu::testing {
namespace {

using postured::testing::runProcess;
using ::testing::HasSubstr;

TEST(CommandLineTest, UsageErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  for (const auto& c : std::vector<Case>{{{"--flavor", "v0.99"}, "--flavor"},
                                         {{"--policy-mode", "yaml"}, "--policy-mode"},
                                         {{"--api-key", "has space"}, "--api-key"},
                                         {{"--api-key-file", "/nonexistent/key"}, "--api-key-file"},
                                         {{"--nodes", "/nonexistent/nodes.json"}, "--nodes"},
                                         {{"--threads", "0"}, "--threads"},
                                         {{"--seed", "3"}, "--generate"}}) {
    std::vector<std::string> args = {HSEMU_BINARY};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto result = runProcess(args);
    EXPECT_EQ(result.exitCode, 2) << c.names << ": " << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.names));
  }
}

TEST(CommandLineTest, NodesFileErrorsNameTheField) {
  postured::testing::TempDir dir;
  const auto file = dir.file("nodes.json");
  std::ofstream(file) << Json{{"nodes",
                               {{{"name", "a"}, {"tags", {"tag:a"}}},
                                {{"name", "b"}, {"tags", {"tag:b"}}},
                                {{"name", "c"}, {"tags", {"tag:c"}}, {"ipAddresses", {"not-an-ip"}}}}}}
                             .dump();
  auto result = runProcess({HSEMU_BINARY, "--nodes", file});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_THAT(result.err, HasSubstr("nodes[2].ipAddresses[0]"));

  std::ofstream(file) << R"({"nodes": [{"name": "a", "lastSeen": "yesterday", "tags": ["tag:a"]}]})";
  result = runProcess({HSEMU_BINARY, "--nodes", file});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_THAT(result.err, HasSubstr("nodes[0].lastSeen"));

  std::ofstream(file) << R"({"nodes": [{"name": "a"}]})";
  result = runProcess({HSEMU_BINARY, "--nodes", file});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_THAT(result.err, HasSubstr("nodes[0].user"));
}

TEST(CommandLineTest, ARejectedInitialPolicyIsAUsageError) {
  postured::testing::TempDir dir;
  const auto file = dir.file("policy.hujson");
  std::ofstream(file) << R"({"postures": {}})";
  const auto result = runProcess({HSEMU_BINARY, "--policy", file});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown field: \"postures\""));
}

TEST(CommandLineTest, GenerateIsDeterministicPerSeed) {
  auto list = [](std::vector<std::string> args) {
    HsEmulatorProcess emu(std::move(args));
    EXPECT_TRUE(emu.start()) << emu.logText();
    EXPECT_NE(emu.logText().find("\"nodes\":200"), std::string::npos) << emu.logText();
    return call(emu, "GET", "/api/v1/node").body;
  };
  const auto a = list({"--generate", "200", "--seed", "7"});
  EXPECT_EQ(a, list({"--generate", "200", "--seed", "7"}));
  EXPECT_NE(a, list({"--generate", "200", "--seed", "8"}));
  const auto nodes = Json::parse(a)["nodes"];
  ASSERT_EQ(nodes.size(), 200u);
  std::set<std::string> names;
  std::size_t tagged = 0;
  for (const auto& node : nodes) {
    names.insert(node["givenName"].get<std::string>());
    if (!node["tags"].empty()) {
      ++tagged;
      EXPECT_EQ(node["tags"], Json({"tag:server"}));
    } else {
      EXPECT_THAT(node["user"]["email"].get<std::string>(), ::testing::MatchesRegex("user[0-9]+@example.com"));
    }
  }
  EXPECT_EQ(names.size(), 200u);
  EXPECT_GT(tagged, 0u);
  EXPECT_LT(tagged, 100u);
  EXPECT_EQ(nodes[0]["ipAddresses"], Json({"100.64.0.1", "fd7a:115c:a1e0::1"}));
  EXPECT_EQ(nodes[199]["ipAddresses"][0], "100.64.0.200");
}

TEST(CommandLineTest, ListeningAndStoppedLines) {
  HsEmulatorProcess emu({"--flavor", "v0.29"});
  ASSERT_TRUE(emu.start()) << emu.logText();
  const auto listening = Json::parse(emu.logText().substr(0, emu.logText().find('\n')));
  EXPECT_EQ(listening["msg"], "listening");
  EXPECT_EQ(listening["nodes"], 0);
  EXPECT_EQ(listening["flavor"], "v0.29");
  EXPECT_EQ("http://" + listening["address"].get<std::string>(), emu.baseUrl());
  emu.stop();
  EXPECT_THAT(emu.logText(), HasSubstr(R"({"msg":"stopped"})"));
}

}  // namespace
}  // namespace postured::hsemu::testing
