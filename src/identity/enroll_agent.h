// The enrollment agent, `postured enroll`: registers this machine with a
// server once (with an auth key), then reports its facts and identity at once
// and every interval, authenticated by the device key in its state directory
// (enroll_state.h), never by the auth key again.
//
// Failures, and what the agent does about them:
//   server unreachable, 5xx, 429  retried with exponential backoff and jitter,
//                                 1 s doubling up to the interval; with --once
//                                 until the retry budget is spent, then exit 1
//   404 on a report               the device was removed: register again with
//                                 the same key pair when an auth key is given,
//                                 else exit 1 saying so
//   401 or another 4xx at         exit 1 with the server's message (a refused
//   registration                  auth key needs an operator)
//   401 or another 4xx on a       logged; the next report comes at the next
//   report                        interval (with --once: exit 1)
// Every line it writes is plain words; the auth key and the serial numbers are
// never written.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "identity/enroll_state.h"

namespace postured::identity {

inline constexpr std::chrono::milliseconds kMinReportInterval = std::chrono::seconds(10);
inline constexpr std::chrono::milliseconds kFirstRetryDelay = std::chrono::seconds(1);

inline constexpr int kAgentOk = 0;
inline constexpr int kAgentFailed = 1;  // refused, removed, unreachable with --once, state errors
inline constexpr int kAgentUsage = 2;   // options: no auth key when one is needed, a bad interval, ...

// Where the auth key comes from: at most one of the two. Read only when a
// registration is needed.
struct AuthKeySource {
  std::string file;    // --auth-key-file
  std::string envVar;  // --auth-key-env
};

struct AgentOptions {
  std::string server;
  AuthKeySource authKey;
  std::vector<std::string> tags;  // at registration only: a subset of the auth key's tags
  bool reportPosture = true;
  std::chrono::milliseconds interval = std::chrono::minutes(10);
  std::filesystem::path stateDir{std::string(kDefaultStateDir)};
  std::filesystem::path sysfsRoot{"/sys"};
  // Reported instead of the interfaces' addresses when given (--address;
  // a container that does not see tailscale0, tests).
  std::vector<std::string> addresses;
  bool once = false;
  std::chrono::milliseconds retryFor = std::chrono::minutes(1);  // with --once: how long a failing server is retried
};

// Usage errors in the options, one message naming the flag.
core::Result<void> checkAgentOptions(const AgentOptions& options);

// The auth key: the file's content or the variable's value, surrounding
// whitespace removed. The file must not be accessible to other users (it is
// refused); one readable by its group is accepted with a warning. Fails,
// naming both flags, when neither is given.
core::Result<std::string> readAuthKey(const AuthKeySource& source, std::vector<std::string>& warnings);

// How long to wait after the `failures`-th failure in a row (1, 2, ...):
// 1 s doubling, at most `cap`, of which a random half (`unitRandom` in [0, 1)) is jitter.
std::chrono::milliseconds retryDelay(int failures, std::chrono::milliseconds cap, double unitRandom);

// A stop request that wakes a sleeping agent and cancels its request in flight.
class StopSignal {
 public:
  void request();
  bool requested() const { return flag_.load(); }
  const std::atomic<bool>& flag() const { return flag_; }
  // Sleeps for `d` unless a stop is requested; false when it was.
  bool sleepFor(std::chrono::milliseconds d);

 private:
  std::atomic<bool> flag_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

struct AgentOutput {
  std::function<void(const std::string&)> info;   // one line per registration or report
  std::function<void(const std::string&)> error;  // failures and warnings
};

// Runs until --once is done or `stop` is requested. Returns an exit code:
// kAgentOk (also when stopped, except during --once), kAgentFailed or kAgentUsage.
int runEnrollAgent(const AgentOptions& options, StopSignal& stop, const AgentOutput& out);

}  // namespace postured::identity
