// The agent's pieces that need no server: options, the auth key's sources
// and file mode, backoff, stopping, and the refusals before any request.
#include "identity/enroll_agent.h"

#include <gmock/gmock.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "support/temp_dir.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string writeKey(const TempDir& dir, const std::string& name, const std::string& content, unsigned mode) {
  const auto path = dir.file(name);
  std::ofstream(path) << content;
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(EnrollAgentOptions, UsageErrorsNameTheFlag) {
  identity::AgentOptions o;
  o.server = "http://127.0.0.1:8080";
  EXPECT_TRUE(identity::checkAgentOptions(o));
  auto check = [](identity::AgentOptions bad, const std::string& expected) {
    auto r = identity::checkAgentOptions(bad);
    ASSERT_FALSE(r) << expected;
    EXPECT_THAT(r.error().message, HasSubstr(expected));
  };
  auto noServer = o;
  noServer.server.clear();
  check(noServer, "--server URL is required");
  auto badServer = o;
  badServer.server = "postured.example.com";
  check(badServer, "http:// or https://");
  auto both = o;
  both.authKey = {"/etc/postured/authkey", "POSTURED_AUTH_KEY"};
  check(both, "not both");
  auto fast = o;
  fast.interval = 5s;
  check(fast, "at least 10s");
  auto untagged = o;
  untagged.tags = {"tag:ok", "server"};
  check(untagged, "\"server\" is not a tag");
}

TEST(EnrollAgentOptions, TheAuthKeyFromAFileOrTheEnvironment) {
  TempDir dir;
  std::vector<std::string> warnings;
  auto fromFile = identity::readAuthKey({writeKey(dir, "key", "postured-auth-k1-secret\n", 0600), ""}, warnings);
  ASSERT_TRUE(fromFile) << fromFile.error().message;
  EXPECT_EQ(*fromFile, "postured-auth-k1-secret");
  EXPECT_TRUE(warnings.empty());

  auto groupReadable = identity::readAuthKey({writeKey(dir, "group", "k\n", 0640), ""}, warnings);
  EXPECT_TRUE(groupReadable);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("readable by its group"));

  auto open = identity::readAuthKey({writeKey(dir, "open", "k\n", 0644), ""}, warnings);
  ASSERT_FALSE(open);
  EXPECT_THAT(open.error().message, HasSubstr("chmod 600"));
  EXPECT_EQ(open.error().message.find("k\n"), std::string::npos);

  auto empty = identity::readAuthKey({writeKey(dir, "empty", "\n", 0600), ""}, warnings);
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().message, HasSubstr("is empty"));
  auto missing = identity::readAuthKey({dir.file("nope"), ""}, warnings);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("--auth-key-file"));

  ::setenv("POSTURED_TEST_AUTH_KEY", " postured-auth-k2-secret\n", 1);
  EXPECT_EQ(identity::readAuthKey({"", "POSTURED_TEST_AUTH_KEY"}, warnings).value(), "postured-auth-k2-secret");
  ::unsetenv("POSTURED_TEST_AUTH_KEY");
  auto unset = identity::readAuthKey({"", "POSTURED_TEST_AUTH_KEY"}, warnings);
  ASSERT_FALSE(unset);
  EXPECT_THAT(unset.error().message, HasSubstr("POSTURED_TEST_AUTH_KEY"));

  auto none = identity::readAuthKey({}, warnings);
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().message, HasSubstr("--auth-key-file FILE or --auth-key-env VAR"));
}

TEST(EnrollAgentBackoff, DoublesFromOneSecondUpToTheIntervalWithJitter) {
  using identity::retryDelay;
  EXPECT_EQ(retryDelay(1, 10min, 0.0), 500ms);
  EXPECT_EQ(retryDelay(1, 10min, 0.999), 999ms);
  EXPECT_EQ(retryDelay(2, 10min, 0.0), 1s);
  EXPECT_EQ(retryDelay(4, 10min, 1.0), 8s);
  EXPECT_EQ(retryDelay(20, 10min, 1.0), 10min) << "never longer than the interval";
  EXPECT_EQ(retryDelay(20, 10min, 0.0), 5min);
  EXPECT_EQ(retryDelay(1000, 30s, 1.0), 30s) << "no overflow";
}

TEST(EnrollAgentStop, WakesASleepingAgent) {
  identity::StopSignal stop;
  EXPECT_TRUE(stop.sleepFor(1ms));
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    stop.request();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(stop.sleepFor(1h));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  stopper.join();
  EXPECT_TRUE(stop.requested());
  EXPECT_FALSE(stop.sleepFor(1h)) << "returns at once once stopped";
}

struct Captured {
  std::vector<std::string> info, error;
  identity::AgentOutput output() {
    return {[this](const std::string& l) { info.push_back(l); }, [this](const std::string& l) { error.push_back(l); }};
  }
  std::string errors() const {
    std::string all;
    for (const auto& l : error) all += l + "\n";
    return all;
  }
};

TEST(EnrollAgentRun, AFirstRunWithoutAnAuthKeyNamesTheFlagsAndWritesNoState) {
  TempDir dir;
  identity::AgentOptions o;
  o.server = "http://127.0.0.1:9";
  o.stateDir = dir.path() / "state";
  o.once = true;
  identity::StopSignal stop;
  Captured out;
  EXPECT_EQ(identity::runEnrollAgent(o, stop, out.output()), identity::kAgentUsage);
  EXPECT_THAT(out.errors(), HasSubstr("not enrolled yet"));
  EXPECT_THAT(out.errors(), HasSubstr("--auth-key-file FILE or --auth-key-env VAR"));
  EXPECT_FALSE(std::filesystem::exists(o.stateDir / identity::kStateFileName));
}

TEST(EnrollAgentRun, AStateForAnotherServerIsRefused) {
  TempDir dir;
  ASSERT_TRUE(identity::saveEnrollState(
      dir.path(), identity::EnrollState{"https://old.example.com", "n1CNTRL", core::generateDeviceKeyPair()}));
  identity::AgentOptions o;
  o.server = "https://new.example.com/";
  o.stateDir = dir.path();
  o.once = true;
  identity::StopSignal stop;
  Captured out;
  EXPECT_EQ(identity::runEnrollAgent(o, stop, out.output()), identity::kAgentFailed);
  EXPECT_THAT(out.errors(), HasSubstr("is for the server https://old.example.com, not https://new.example.com"));
  EXPECT_THAT(out.errors(), HasSubstr("--state-dir"));
  EXPECT_TRUE(out.info.empty());
}

}  // namespace
}  // namespace postured::testing
