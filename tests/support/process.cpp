#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace postured::testing {

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// fork + exec with stdout/stderr redirected to files; stdin from a file.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& stdinPath, const std::string& outPath, const std::string& errPath) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    const int in = stdinPath.empty() ? open("/dev/null", O_RDONLY) : open(stdinPath.c_str(), O_RDONLY);
    const int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Tests must not inherit the runner's server/key settings.
    if (!env.count("POSTURED_SERVER")) unsetenv("POSTURED_SERVER");
    if (!env.count("POSTURED_API_KEY")) unsetenv("POSTURED_API_KEY");
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int waitFor(pid_t pid, std::chrono::seconds timeout, int& signalOut) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  signalOut = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ProcessResult runProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                         const std::string& stdinText, std::chrono::seconds timeout) {
  TempDir io;
  const auto inPath = io.file("stdin"), outPath = io.file("stdout"), errPath = io.file("stderr");
  std::ofstream(inPath, std::ios::binary) << stdinText;
  ProcessResult result;
  const pid_t pid = spawn(args, env, inPath, outPath, errPath);
  result.exitCode = waitFor(pid, timeout, result.signal);
  result.out = readFile(outPath);
  result.err = readFile(errPath);
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
  pid_ = spawn(args, env_, "", dataDir_ + "/stdout.log", dataDir_ + "/stderr.log");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    // The server announces {"msg":"listening","address":"127.0.0.1:PORT",...}.
    const auto log = stderrText();
    const auto at = log.find("\"msg\":\"listening\"");
    if (at != std::string::npos) {
      const auto line = log.substr(log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at));
      const std::string marker = "\"address\":\"";
      const auto a = line.find(marker);
      if (a != std::string::npos) {
        const auto end = line.find('"', a + marker.size());
        baseUrl_ = "http://" + line.substr(a + marker.size(), end - a - marker.size());
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int ServerProcess::stop(int sig, std::chrono::seconds timeout) {
  if (pid_ <= 0) return 0;
  kill(pid_, sig);
  int signal = 0;
  const int code = waitFor(pid_, timeout, signal);
  pid_ = -1;
  return signal ? -signal : code;
}

std::string ServerProcess::adminKey() const {
  auto key = readFile(dataDir_ + "/admin.key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

std::string ServerProcess::stderrText() const { return readFile(dataDir_ + "/stderr.log"); }

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
