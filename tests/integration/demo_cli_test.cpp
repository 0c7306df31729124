// `postured demo` and the `integrations` CLI group, as a user runs them.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>
#include <thread>

#include "server_fixture.h"
#include "support/s1emu_process.h"

namespace postured::testing {
namespace {

TEST(Demo, StartsEverythingSyncsAndPrintsASummaryUntilInterrupted) {
  TempDir dir;
  const auto out = dir.file("demo.out");
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(POSTURED_BINARY, POSTURED_BINARY, "demo", "--listen", "127.0.0.1:0", "--agents", "60", "--data-dir",
          dir.file("demo").c_str(), "--s1emu", S1EMU_BINARY, "--hsemu", HSEMU_BINARY, static_cast<char*>(nullptr));
    _exit(127);
  }
  auto read = [&] {
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  std::string text;
  for (int i = 0; i < 600 && text.find("Serving until Ctrl-C") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    text = read();
  }
  ASSERT_NE(text.find("Serving until Ctrl-C"), std::string::npos) << text;
  EXPECT_NE(text.find("first sync success"), std::string::npos) << text;
  EXPECT_NE(text.find("INFECTED"), std::string::npos) << "a table of devices with their sentinelOne attributes";
  // Every imported device is a headscale node too.
  std::smatch devices, nodes;
  ASSERT_TRUE(std::regex_search(text, devices, std::regex("postured demo: (\\d+) devices"))) << text;
  ASSERT_TRUE(std::regex_search(text, nodes, std::regex("headscale: (\\d+) nodes"))) << text;
  EXPECT_EQ(devices[1], nodes[1]);
  EXPECT_NE(text.find("policy pushed"), std::string::npos) << text;
  EXPECT_NE(text.find("/api/v1/policy"), std::string::npos) << "how to see what headscale enforces";
  EXPECT_NE(text.find("admin key"), std::string::npos);
  EXPECT_NE(text.find("/api/v2"), std::string::npos);

  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read();
  // A second run reuses (and wipes) its own demo directory.
  EXPECT_TRUE(std::filesystem::exists(dir.file("demo") + "/.postured-demo"));
}

TEST(Demo, RefusesToWipeADirectoryThatIsNotADemo) {
  TempDir dir;
  std::ofstream(dir.file("precious.txt")) << "keep me";
  auto r = runProcess({POSTURED_BINARY, "demo", "--listen", "127.0.0.1:0", "--data-dir", dir.path().string(),
                       "--s1emu", S1EMU_BINARY, "--hsemu", HSEMU_BINARY});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("not a demo directory"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("precious.txt")));
}

class IntegrationsCliTest : public ServerTest {
 protected:
  void SetUp() override {
    emu_ = std::make_unique<EmulatorProcess>(std::vector<std::string>{"--token", "cli-token", "--generate", "30",
                                                                      "--seed", "5", "--devices-out",
                                                                      files_.file("devices.json")});
    ASSERT_TRUE(emu_->start()) << emu_->logText();
    startServer({"--allow-insecure-provider-urls", "true"});
    std::ifstream in(files_.file("devices.json"));
    call("POST", "/api/v2/tailnet/-/devices", Json::parse(in), 200);
    std::ofstream(files_.file("token.txt")) << "cli-token\n";
  }
  ProcessResult cli(std::vector<std::string> args, const std::string& stdinText = {},
                    std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {POSTURED_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--server", server().baseUrl(), "--api-key-file", server().dataDir() + "/admin.key"});
    return runProcess(argv, env, stdinText);
  }
  TempDir files_;
  std::unique_ptr<EmulatorProcess> emu_;
};

TEST_F(IntegrationsCliTest, AddListSyncRunsUpdateRemove) {
  auto add = cli({"integrations", "add", "sentinelone", "--url", emu_->baseUrl(), "--token-file",
                  files_.file("token.txt"), "--json"});
  ASSERT_EQ(add.exitCode, 0) << add.err;
  const auto id = Json::parse(add.out)["id"].get<std::string>();
  EXPECT_EQ(add.out.find("cli-token"), std::string::npos);

  ProcessResult runs;
  for (int i = 0; i < 100; ++i) {
    runs = cli({"integrations", "runs", id});
    if (runs.out.find("success") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(runs.out.find("create"), std::string::npos) << runs.out;
  EXPECT_NE(runs.out.find("success"), std::string::npos) << runs.out;

  auto list = cli({"integrations", "list"});
  EXPECT_EQ(list.exitCode, 0);
  EXPECT_NE(list.out.find("sentinelone"), std::string::npos) << list.out;

  auto sync = cli({"integrations", "sync", id});
  EXPECT_EQ(sync.exitCode, 0) << sync.err;
  EXPECT_NE(sync.out.find("started run"), std::string::npos);

  // The token from stdin, for update.
  auto update = cli({"integrations", "update", id, "--token-stdin"}, "another-token\n");
  EXPECT_EQ(update.exitCode, 0) << update.err;
  auto log = get("/api/v2/tailnet/-/logging/configuration?event=POSTURE_INTEGRATION")["logs"];
  EXPECT_EQ(log.back()["new"]["clientSecret"], "(changed)");

  EXPECT_EQ(cli({"integrations", "remove", id}).exitCode, 0);
  EXPECT_EQ(cli({"integrations", "get", id}).exitCode, 1);
}

TEST_F(IntegrationsCliTest, TokenIsNeverAnArgumentAndErrorsAreClear) {
  auto noToken = cli({"integrations", "add", "sentinelone", "--url", emu_->baseUrl()}, "");
  EXPECT_EQ(noToken.exitCode, 2);
  EXPECT_NE(noToken.err.find("no API token"), std::string::npos) << noToken.err;
  auto positional = cli({"integrations", "add", "sentinelone", "cli-token", "--url", emu_->baseUrl()});
  EXPECT_EQ(positional.exitCode, 2) << "a token given as an argument is a usage error";
  auto fromEnv = cli({"integrations", "add", "sentinelone", "--url", "http://example.com", "--token-env", "S1_TOKEN"},
                     "", {{"S1_TOKEN", "cli-token"}});
  EXPECT_EQ(fromEnv.exitCode, 1);
  EXPECT_NE(fromEnv.err.find("cloudId"), std::string::npos) << "plain http off loopback is refused: " << fromEnv.err;
}

}  // namespace
}  // namespace postured::testing
