// Real child processes for integration tests: the postured binary started on
// an ephemeral loopback port with a fresh data dir, and one-shot CLI runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/client.h"
#include "support/temp_dir.h"

namespace postured::testing {

// The child processes of every test suite (CLI runs, servers, emulators,
// proxies) start, wait and stop through these, so that all of them keep the
// same rules: nothing allocated after fork, output in files, no zombies.

// Starts args[0] (a path, not searched in PATH) with the inherited environment
// minus `unset` plus `env`, stdin from `stdinPath` ("" for /dev/null), stdout
// and stderr truncated into `outPath` and `errPath` (one file when equal);
// throws std::runtime_error when fork fails.
pid_t spawnProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& stdinPath, const std::string& outPath, const std::string& errPath,
                   const std::vector<std::string>& unset = {});

// Sends `sig`, waits up to `grace` and SIGKILLs after it; reaps the child and
// returns its exit code, or -signal when a signal ended it.
int stopProcess(pid_t pid, std::chrono::milliseconds grace, int sig = 15);

// Polls `ready` every 10 ms until it holds (true), the child exits (false; it
// is reaped and `pid` set to -1) or `timeout` passes (false; still running).
bool waitUntilReady(pid_t& pid, std::chrono::milliseconds timeout, const std::function<bool()>& ready);

// The whole file as it is now ("" when it does not exist).
std::string readTextFile(const std::string& path);

struct ProcessResult {
  int exitCode = -1;   // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program) to completion with extra environment
// variables and optional stdin text.
ProcessResult runProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {}, const std::string& stdinText = {},
                         std::chrono::seconds timeout = std::chrono::seconds(60));

// `postured serve` on 127.0.0.1:0 with its own data dir. Output goes to
// files in the data dir (never a pipe that could fill up and stall it).
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> extraArgs = {}, std::map<std::string, std::string> env = {});
  // Starts a second server on an existing data dir (restart tests).
  ServerProcess(const std::string& dataDir, std::vector<std::string> extraArgs,
                std::map<std::string, std::string> env = {});
  ~ServerProcess();

  // Starts the process and waits until it logs that it listens. Returns false
  // (with the log available through stderrText()) when it exited instead.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(20));
  // Sends `sig` and waits for exit; returns the exit code (or -signal).
  int stop(int sig = 15, std::chrono::seconds timeout = std::chrono::seconds(20));
  bool running() const { return pid_ > 0; }

  const std::string& baseUrl() const { return baseUrl_; }  // "http://127.0.0.1:PORT"
  const std::string& dataDir() const { return dataDir_; }
  std::string adminKey() const;  // contents of admin.key
  std::string stderrText() const;

  // Convenience request with the admin key unless `key` is given ("" for none).
  http::ClientResponse request(const std::string& method, const std::string& path,
                               const std::string& body = {}, std::optional<std::string> key = std::nullopt,
                               std::vector<std::pair<std::string, std::string>> headers = {});

 private:
  std::optional<TempDir> ownedDir_;
  std::string dataDir_;
  std::vector<std::string> extraArgs_;
  std::map<std::string, std::string> env_;
  pid_t pid_ = -1;
  std::string baseUrl_;
  http::HttpClient client_;
};

}  // namespace postured::testing
