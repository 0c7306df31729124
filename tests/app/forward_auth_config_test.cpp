// The forward-auth keys: trusted_proxies as a TOML list, or comma-separated
// in the environment and the flag; forward_auth_log's three values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "app/config.h"
#include "support/temp_dir.h"

namespace postured::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ForwardAuthConfig, TrustedProxiesComeAsAListInTheFileAndCommaSeparatedElsewhere) {
  auto defaults = loadServeConfig(std::nullopt, {}, envOf({}));
  ASSERT_TRUE(defaults);
  EXPECT_THAT(defaults->trustedProxies, ElementsAre("127.0.0.1/32", "::1/128"));
  EXPECT_EQ(defaults->forwardAuthLog, ServeConfig::ForwardAuthLog::kSampled);

  testing::TempDir dir;
  std::ofstream(dir.file("postured.toml")) << "trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]\n"
                                              "forward_auth_log = \"off\"\n";
  auto file = loadServeConfig(dir.file("postured.toml"), {}, envOf({}));
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_THAT(file->trustedProxies, ElementsAre("10.0.0.0/8", "fd00::/8"));
  EXPECT_EQ(file->forwardAuthLog, ServeConfig::ForwardAuthLog::kOff);

  auto env = loadServeConfig(dir.file("postured.toml"), {}, envOf({{"POSTURED_TRUSTED_PROXIES", "192.168.1.5,10.1.0.0/16"}}));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_THAT(env->trustedProxies, ElementsAre("192.168.1.5", "10.1.0.0/16"));

  auto flag = loadServeConfig(std::nullopt, {{"trusted_proxies", ""}, {"forward_auth_log", "all"}}, envOf({}));
  ASSERT_TRUE(flag) << flag.error().message;
  EXPECT_TRUE(flag->trustedProxies.empty()) << "empty: no proxy is trusted";
  EXPECT_EQ(flag->forwardAuthLog, ServeConfig::ForwardAuthLog::kAll);
}

TEST(ForwardAuthConfig, BadValuesNameTheKeyAndTheEntry) {
  auto bad = loadServeConfig(std::nullopt, {{"trusted_proxies", "10.0.0.0/8,not-a-cidr"}}, envOf({}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "trusted_proxies");
  EXPECT_THAT(bad.error().message, HasSubstr("\"not-a-cidr\" is not an IP address or CIDR"));

  testing::TempDir dir;
  std::ofstream(dir.file("postured.toml")) << "trusted_proxies = [\"10.0.0.0/8\", 7]\n";
  auto file = loadServeConfig(dir.file("postured.toml"), {}, envOf({}));
  ASSERT_FALSE(file);
  EXPECT_THAT(file.error().message, HasSubstr("trusted_proxies must be a string, number, boolean or list of strings"));

  auto log = loadServeConfig(std::nullopt, {{"forward_auth_log", "sometimes"}}, envOf({}));
  ASSERT_FALSE(log);
  EXPECT_THAT(log.error().message, HasSubstr("must be off, sampled or all"));
}

}  // namespace
}  // namespace postured::app
