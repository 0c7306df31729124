#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace postured::testing {

namespace {

// Waits up to `timeout` for the child and SIGKILLs it after that; returns its
// exit code, or -signal when a signal ended it.
int waitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Tests must not inherit the runner's server/key settings.
const std::vector<std::string> kRunnerSettings = {"POSTURED_SERVER", "POSTURED_API_KEY"};

}  // namespace

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawnProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& stdinPath, const std::string& outPath, const std::string& errPath,
                   const std::vector<std::string>& unset) {
  if (args.empty()) throw std::invalid_argument("spawnProcess: no program");
  // The parent may have other threads (an HTTP client, a server under test)
  // holding the allocator's lock at fork time: argv, envp and the paths are
  // all built here, and the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string name(entry.substr(0, entry.find('=')));
    if (env.count(name) || std::find(unset.begin(), unset.end(), name) != unset.end()) continue;
    entries.emplace_back(entry);
  }
  for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* inPath = stdinPath.empty() ? "/dev/null" : stdinPath.c_str();
  // Two descriptors on one file would each write from offset 0 over the other.
  const bool oneOutput = outPath == errPath;
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = open(inPath, O_RDONLY);
    const int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = oneOutput ? out : open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int stopProcess(pid_t pid, std::chrono::milliseconds grace, int sig) {
  kill(pid, sig);
  return waitFor(pid, grace);
}

bool waitUntilReady(pid_t& pid, std::chrono::milliseconds timeout, const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return false;
    }
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

ProcessResult runProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                         const std::string& stdinText, std::chrono::seconds timeout) {
  TempDir io;
  const auto inPath = io.file("stdin"), outPath = io.file("stdout"), errPath = io.file("stderr");
  std::ofstream(inPath, std::ios::binary) << stdinText;
  ProcessResult result;
  const pid_t pid = spawnProcess(args, env, inPath, outPath, errPath, kRunnerSettings);
  const int code = waitFor(pid, timeout);
  result.exitCode = code < 0 ? -1 : code;
  result.signal = code < 0 ? -code : 0;
  result.out = readTextFile(outPath);
  result.err = readTextFile(errPath);
  return result;
}

ServerProcess::ServerProcess(std::vector<std::string> extraArgs, std::map<std::string, std::string> env)
    : ownedDir_(std::in_place), extraArgs_(std::move(extraArgs)), env_(std::move(env)) {
  dataDir_ = ownedDir_->path().string();
}

ServerProcess::ServerProcess(const std::string& dataDir, std::vector<std::string> extraArgs,
                             std::map<std::string, std::string> env)
    : dataDir_(dataDir), extraArgs_(std::move(extraArgs)), env_(std::move(env)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

bool ServerProcess::start(std::chrono::seconds timeout) {
  std::filesystem::create_directories(dataDir_);  // it holds the output files
  // A previous server's log must not be mistaken for this one's announcement.
  std::filesystem::remove(dataDir_ + "/stderr.log");
  std::filesystem::remove(dataDir_ + "/stdout.log");
  std::vector<std::string> args = {POSTURED_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir_};
  args.insert(args.end(), extraArgs_.begin(), extraArgs_.end());
  pid_ = spawnProcess(args, env_, "", dataDir_ + "/stdout.log", dataDir_ + "/stderr.log", kRunnerSettings);
  return waitUntilReady(pid_, timeout, [this] {
    // The server announces {"msg":"listening","address":"127.0.0.1:PORT",...}.
    const auto log = stderrText();
    const auto at = log.find("\"msg\":\"listening\"");
    if (at == std::string::npos) return false;
    const auto line = log.substr(log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at));
    const std::string marker = "\"address\":\"";
    const auto a = line.find(marker);
    if (a == std::string::npos) return false;
    const auto end = line.find('"', a + marker.size());
    baseUrl_ = "http://" + line.substr(a + marker.size(), end - a - marker.size());
    return true;
  });
}

int ServerProcess::stop(int sig, std::chrono::seconds timeout) {
  if (pid_ <= 0) return 0;
  const int code = stopProcess(pid_, timeout, sig);
  pid_ = -1;
  return code;
}

std::string ServerProcess::adminKey() const {
  auto key = readTextFile(dataDir_ + "/admin.key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

std::string ServerProcess::stderrText() const { return readTextFile(dataDir_ + "/stderr.log"); }

http::ClientResponse ServerProcess::request(const std::string& method, const std::string& path,
                                            const std::string& body, std::optional<std::string> key,
                                            std::vector<std::pair<std::string, std::string>> headers) {
  http::ClientRequest req;
  req.method = method;
  req.url = baseUrl_ + path;
  req.body = body;
  req.headers = std::move(headers);
  const std::string k = key ? *key : adminKey();
  if (!k.empty()) req.headers.emplace_back("Authorization", "Bearer " + k);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto res = client_.send(req);
  if (!res) throw std::runtime_error("request " + method + " " + path + " failed: " + res.error().message);
  return *res;
}

}  // namespace postured::testing
