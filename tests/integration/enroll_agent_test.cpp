// `postured enroll`, the real binary, against a running server: first
// enrollment, later reports from the same state, refused keys, tags, the
// identity-collection switch, a removed device, a server that is down, and an
// enrolled device matched to a SentinelOne emulator agent by its serial.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <thread>

#include "identity/enroll_client.h"
#include "identity/sysfs_fixture.h"
#include "server_fixture.h"
#include "support/s1emu_process.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

unsigned modeOf(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

// This machine's host name as the agent reports it.
std::string expectedHostname() {
  char host[HOST_NAME_MAX + 1] = {};
  ::gethostname(host, sizeof host - 1);
  return identity::deviceHostname(host);
}

// A loopback port where nothing listens: bound, then closed.
int closedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The agent without --once, running in the background until signalled.
class AgentProcess {
 public:
  explicit AgentProcess(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const auto out = io_.file("stdout"), err = io_.file("stderr");
    pid_ = ::fork();
    if (pid_ == 0) {
      const int in = ::open("/dev/null", O_RDONLY);
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(in, 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~AgentProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  std::string out() const { return readText(io_.file("stdout")); }
  std::string err() const { return readText(io_.file("stderr")); }

  // Waits until `text` occurs `times` times in stdout (or stderr).
  bool waitFor(const std::string& text, int times = 1, bool inStderr = false,
               std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto log = inStderr ? err() : out();
      int n = 0;
      for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
      if (n >= times) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Sends `sig`; returns the exit code, or -1 when it had not exited after `timeout`.
  int stop(int sig, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  TempDir io_;
  pid_t pid_ = -1;
};

class EnrollAgentTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    sysfs_.writeDmiTable(typicalTable("PF3ABC12", "Default string", "To be filled by O.E.M."));
    sysfs_.addInterface("eth0", "02:00:00:00:00:01\n", 1);
  }

  // Writes a secret to a private key file, as an operator would.
  std::string keyFile(const std::string& secret) {
    const auto path = dir_.file("authkey" + std::to_string(++files_));
    std::ofstream(path) << secret << "\n";
    ::chmod(path.c_str(), 0600);
    return path;
  }

  std::string stateDir(const std::string& name = "state") const { return (dir_.path() / name).string(); }

  std::vector<std::string> agentArgs(std::vector<std::string> extra, const std::string& state, bool once = true) {
    std::vector<std::string> args = {POSTURED_BINARY, "enroll", "--server",     server().baseUrl(),
                                     "--state-dir",   state,    "--sysfs-root", sysfs_.root()};
    if (once) args.push_back("--once");
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // `postured enroll ... --once` to completion.
  ProcessResult enroll(std::vector<std::string> extra, const std::string& state,
                       std::map<std::string, std::string> env = {}) {
    return runProcess(agentArgs(std::move(extra), state), env);
  }

  Json state(const std::string& dir) { return Json::parse(readText(std::filesystem::path(dir) / "state.json")); }
  Json device(const std::string& id) { return get("/api/v2/device/" + id + "?fields=all"); }
  std::size_t deviceCount() { return get("/api/v2/tailnet/-/devices")["devices"].size(); }
  void setCollection(bool on) {
    call("PATCH", "/api/v2/tailnet/-/settings", Json{{"postureIdentityCollectionOn", on}}, 200);
  }

  TempDir dir_;
  SysfsFixture sysfs_;
  int files_ = 0;
};

TEST_F(EnrollAgentTest, AFirstRunEnrollsAndLaterRunsReportToTheSameDeviceWithoutTheKey) {
  const auto secret = authKey({{"user", "alice@example.com"}});
  auto first = enroll({"--auth-key-file", keyFile(secret)}, stateDir());
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("enrolled with " + server().baseUrl() + ": new device "));
  EXPECT_THAT(first.out, HasSubstr("owned by alice@example.com"));
  const auto id = state(stateDir())["deviceId"].get<std::string>();
  ASSERT_FALSE(id.empty());
  auto d = device(id);
  EXPECT_EQ(d["hostname"], expectedHostname());
  EXPECT_EQ(d["user"], "alice@example.com");
  EXPECT_EQ(d["os"], "linux");
  EXPECT_EQ(d["clientVersion"], POSTURED_VERSION);
  EXPECT_EQ(d["nodeKey"], state(stateDir())["nodeKey"]);
  const auto firstSeen = d["lastSeen"].get<std::string>();

  // The state: private, and without the auth key.
  EXPECT_EQ(modeOf(stateDir()), 0700u);
  EXPECT_EQ(modeOf(std::filesystem::path(stateDir()) / "state.json"), 0600u);
  const auto stateText = readText(std::filesystem::path(stateDir()) / "state.json");
  EXPECT_THAT(stateText, Not(HasSubstr(secret)));
  EXPECT_THAT(stateText, Not(HasSubstr("postured-auth-")));
  EXPECT_THAT(first.out + first.err, Not(HasSubstr(secret))) << "the key is never printed";

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto second = enroll({}, stateDir());  // no auth key: the device key is enough
  ASSERT_EQ(second.exitCode, 0) << second.err;
  EXPECT_THAT(second.out,
              HasSubstr("reported to " + server().baseUrl() + ": device " + id + " (" + expectedHostname() + ")"));
  EXPECT_EQ(deviceCount(), 1u);
  EXPECT_GT(device(id)["lastSeen"].get<std::string>(), firstSeen);
  EXPECT_EQ(state(stateDir())["deviceId"], id);
}

TEST_F(EnrollAgentTest, AFirstRunWithoutAnAuthKeyNamesTheFlags) {
  auto r = enroll({}, stateDir());
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("--auth-key-file FILE or --auth-key-env VAR"));
  EXPECT_EQ(deviceCount(), 0u);
}

TEST_F(EnrollAgentTest, TheKeyMayComeFromTheEnvironment) {
  const auto secret = authKey({{"user", "alice@example.com"}});
  auto r = enroll({"--auth-key-env", "ENROLL_TEST_KEY"}, stateDir(), {{"ENROLL_TEST_KEY", secret}});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(deviceCount(), 1u);
  auto both = enroll({"--auth-key-env", "ENROLL_TEST_KEY", "--auth-key-file", keyFile(secret)}, stateDir("other"),
                     {{"ENROLL_TEST_KEY", secret}});
  EXPECT_EQ(both.exitCode, 2);
  EXPECT_THAT(both.err, HasSubstr("not both"));
}

TEST_F(EnrollAgentTest, AKeyFileOthersCanReadIsRefused) {
  const auto path = keyFile(authKey({{"user", "alice@example.com"}}));
  ::chmod(path.c_str(), 0644);
  auto r = enroll({"--auth-key-file", path}, stateDir());
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("chmod 600 " + path));
  EXPECT_EQ(deviceCount(), 0u);
}

TEST_F(EnrollAgentTest, SpentRevokedAndExpiredKeysAreRefusedWithTheirReasons) {
  const auto oneOff = keyFile(authKey({{"user", "bob@example.com"}}));
  ASSERT_EQ(enroll({"--auth-key-file", oneOff}, stateDir("a")).exitCode, 0);
  auto spent = enroll({"--auth-key-file", oneOff}, stateDir("b"));
  EXPECT_EQ(spent.exitCode, 1);
  EXPECT_THAT(spent.err, HasSubstr("already used"));
  EXPECT_THAT(spent.err, HasSubstr("401"));

  auto created = call("POST", "/api/v2/tailnet/-/keys",
                      Json{{"capabilities", {{"devices", {{"create", {{"user", "bob@example.com"}}}}}}}}, 200);
  call("DELETE", "/api/v2/tailnet/-/keys/" + created["id"].get<std::string>(), nullptr, 200);
  auto revoked = enroll({"--auth-key-file", keyFile(created["key"].get<std::string>())}, stateDir("c"));
  EXPECT_EQ(revoked.exitCode, 1);
  EXPECT_THAT(revoked.err, HasSubstr("revoked"));

  const auto expiring = keyFile(authKey({{"reusable", true}, {"user", "bob@example.com"}}, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto expired = enroll({"--auth-key-file", expiring}, stateDir("d"));
  EXPECT_EQ(expired.exitCode, 1);
  EXPECT_THAT(expired.err, HasSubstr("expired"));
  EXPECT_EQ(deviceCount(), 1u);
}

TEST_F(EnrollAgentTest, ATaggedKeyMakesTaggedDevices) {
  call("POST", "/api/v2/tailnet/-/acl",
       Json{{"tagOwners", {{"tag:ci", Json::array()}, {"tag:build", Json::array()}}},
            {"acls", Json::array({{{"action", "accept"}, {"src", {"*"}}, {"dst", {"*:*"}}}})}},
       200);
  const auto key = keyFile(authKey({{"reusable", true}, {"tags", {"tag:ci", "tag:build"}}}));
  auto all = enroll({"--auth-key-file", key}, stateDir("a"));
  ASSERT_EQ(all.exitCode, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("tagged tag:ci, tag:build"));
  auto d = device(state(stateDir("a"))["deviceId"]);
  EXPECT_EQ(d["tags"], Json({"tag:ci", "tag:build"}));
  EXPECT_FALSE(d.contains("user"));

  auto subset = enroll({"--auth-key-file", key, "--tags", "tag:ci"}, stateDir("b"));
  ASSERT_EQ(subset.exitCode, 0) << subset.err;
  EXPECT_EQ(device(state(stateDir("b"))["deviceId"])["tags"], Json({"tag:ci"}));

  auto other = enroll({"--auth-key-file", key, "--tags", "tag:prod"}, stateDir("c"));
  EXPECT_EQ(other.exitCode, 1);
  EXPECT_THAT(other.err, HasSubstr("403"));
  EXPECT_THAT(other.err, HasSubstr("tag \"tag:prod\" is not allowed by this auth key"));
  EXPECT_EQ(deviceCount(), 2u);
}

TEST_F(EnrollAgentTest, SerialsAreKeptOnlyWhileCollectionIsOnAndTheDeviceReportsThem) {
  const auto key = keyFile(authKey({{"user", "carol@example.com"}}));
  auto first = enroll({"--auth-key-file", key}, stateDir());
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("identity collection off on the server"));
  const auto id = state(stateDir())["deviceId"].get<std::string>();
  EXPECT_EQ(device(id)["postureIdentity"], Json({{"disabled", true}}));

  setCollection(true);
  auto on = enroll({}, stateDir());
  ASSERT_EQ(on.exitCode, 0) << on.err;
  EXPECT_THAT(on.out, HasSubstr("identity collection on, 1 serial number, 1 MAC address"));
  EXPECT_THAT(on.out + on.err, Not(HasSubstr("PF3ABC12"))) << "serial values are not printed";
  EXPECT_THAT(on.err, HasSubstr("not sending 2 placeholder serial numbers"));
  auto d = device(id);
  EXPECT_EQ(d["postureIdentity"], Json({{"disabled", false}, {"serialNumbers", {"PF3ABC12"}}}))
      << "placeholders are not sent";
  EXPECT_EQ(d["macAddresses"], Json({"02:00:00:00:00:01"}));

  auto optedOut = enroll({"--report-posture=false"}, stateDir());
  ASSERT_EQ(optedOut.exitCode, 0) << optedOut.err;
  EXPECT_THAT(optedOut.out, HasSubstr("identity not reported (--report-posture=false)"));
  EXPECT_EQ(device(id)["postureIdentity"], Json({{"disabled", true}}));
  EXPECT_EQ(device(id)["macAddresses"], Json::array());
}

TEST_F(EnrollAgentTest, ReportPostureFalseEnrollsWithIdentityDisabledEvenWhenCollectionIsOn) {
  setCollection(true);
  const auto key = keyFile(authKey({{"user", "carol@example.com"}}));
  auto r = enroll({"--auth-key-file", key, "--report-posture", "false"}, stateDir());
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(device(state(stateDir())["deviceId"])["postureIdentity"], Json({{"disabled", true}}));
}

TEST_F(EnrollAgentTest, ARemovedDeviceEnrollsAgainWithItsKeyPairOnlyWhenGivenAnAuthKey) {
  const auto key = keyFile(authKey({{"reusable", true}, {"user", "dave@example.com"}}));
  ASSERT_EQ(enroll({"--auth-key-file", key}, stateDir()).exitCode, 0);
  const auto before = state(stateDir());
  call("DELETE", "/api/v2/device/" + before["deviceId"].get<std::string>(), nullptr, 200);

  auto stranded = enroll({}, stateDir());
  EXPECT_EQ(stranded.exitCode, 1);
  EXPECT_THAT(stranded.err, HasSubstr("device " + before["deviceId"].get<std::string>() + " was removed from"));
  EXPECT_THAT(stranded.err, HasSubstr("enroll this machine again"));
  EXPECT_THAT(stranded.err, HasSubstr("--auth-key-file"));

  auto again = enroll({"--auth-key-file", key}, stateDir());
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("registering again"));
  const auto after = state(stateDir());
  EXPECT_NE(after["deviceId"], before["deviceId"]);
  EXPECT_EQ(after["nodeKey"], before["nodeKey"]) << "the same key pair";
  EXPECT_EQ(device(after["deviceId"])["nodeKey"], before["nodeKey"]);
  EXPECT_EQ(deviceCount(), 1u);
}

TEST_F(EnrollAgentTest, AStateForAnotherServerIsRefused) {
  const auto key = keyFile(authKey({{"user", "erin@example.com"}}));
  ASSERT_EQ(enroll({"--auth-key-file", key}, stateDir()).exitCode, 0);
  auto r = runProcess({POSTURED_BINARY, "enroll", "--server", "http://127.0.0.1:" + std::to_string(closedPort()),
                       "--state-dir", stateDir(), "--once"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, HasSubstr("is for the server " + server().baseUrl()));
}

TEST_F(EnrollAgentTest, OnceGivesUpOnAServerThatIsDownAfterItsRetries) {
  const auto url = "http://127.0.0.1:" + std::to_string(closedPort());
  auto r = runProcess({POSTURED_BINARY, "enroll", "--server", url, "--state-dir", stateDir(), "--auth-key-file",
                       keyFile("postured-auth-kunused-secret"), "--once", "--retry-for", "2s"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot enroll with " + url + " (no answer: "));
  EXPECT_THAT(r.err, HasSubstr("retrying in"));
  EXPECT_THAT(r.err, HasSubstr("gave up after"));
  EXPECT_THAT(r.err, Not(HasSubstr("postured-auth-kunused-secret")));
}

TEST_F(EnrollAgentTest, TheAgentKeepsRetryingAServerThatIsDownUntilStopped) {
  const auto url = "http://127.0.0.1:" + std::to_string(closedPort());
  AgentProcess agent({POSTURED_BINARY, "enroll", "--server", url, "--state-dir", stateDir(), "--auth-key-file",
                      keyFile("postured-auth-kunused-secret"), "--interval", "10s"});
  ASSERT_TRUE(agent.waitFor("retrying in", 2, true)) << agent.err();
  EXPECT_EQ(agent.stop(SIGTERM), 0) << agent.err();
}

TEST_F(EnrollAgentTest, TheAgentReportsAtOnceThenEveryIntervalUntilStopped) {
  const auto key = keyFile(authKey({{"user", "frank@example.com"}}));
  AgentProcess agent(agentArgs({"--auth-key-file", key, "--interval", "10s"}, stateDir(), false));
  ASSERT_TRUE(agent.waitFor("enrolled with")) << agent.err();
  EXPECT_EQ(deviceCount(), 1u);
  EXPECT_EQ(agent.stop(SIGINT), 0) << agent.err();
  EXPECT_THAT(agent.out(), HasSubstr("stopped"));
}

TEST_F(EnrollAgentTest, AnEnrolledDeviceIsMatchedToASentinelOneAgentBySerial) {
  constexpr const char* kToken = "s1-test-token-0123456789";
  const auto fleet = dir_.file("fleet.json");
  std::ofstream(fleet) << Json::array({fleetAgent(1, "pf3abc12 ")}).dump();  // matched trimmed, case-insensitively
  EmulatorProcess emu({"--token", kToken, "--fleet", fleet});
  ASSERT_TRUE(emu.start()) << emu.logText();
  server_.reset();
  startServer({"--allow-insecure-provider-urls", "true"});

  setCollection(true);
  const auto key = keyFile(authKey({{"user", "grace@example.com"}}));
  auto enrolled = enroll({"--auth-key-file", key}, stateDir());
  ASSERT_EQ(enrolled.exitCode, 0) << enrolled.err;
  const auto id = state(stateDir())["deviceId"].get<std::string>();

  auto created = call("POST", "/api/v2/tailnet/-/posture/integrations",
                      Json{{"provider", "sentinelone"}, {"cloudId", emu.baseUrl()}, {"clientSecret", kToken}}, 200);
  const auto integration = created["id"].get<std::string>();
  Json run;
  for (int i = 0; i < 3000 && (run.is_null() || run["outcome"] == "running"); ++i) {
    auto runs = get("/api/v2/posture/integrations/" + integration + "/runs")["runs"];
    run = runs.empty() ? Json() : runs[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(run["outcome"], "success") << run;
  const auto attributes = get("/api/v2/device/" + id + "/attributes")["attributes"];
  EXPECT_EQ(attributes["sentinelOne:isActive"], true) << attributes;
  EXPECT_EQ(attributes["sentinelOne:agentVersion"], "23.3.2.12");
  EXPECT_EQ(get("/api/v2/posture/integrations/" + integration)["status"]["matchedCount"], 1);
}

}  // namespace
}  // namespace postured::testing
