#include "core/shutdown_signals.h"

#include <pthread.h>
#include <signal.h>

namespace postured::core {

namespace {
sigset_t shutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void blockShutdownSignals() {
  const sigset_t set = shutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a peer that hangs up is an error value, not a process kill
}

int waitForShutdownSignal(const std::atomic<bool>& stop, std::chrono::milliseconds timeout) {
  const sigset_t set = shutdownSet();
  const auto deadline = timeout == std::chrono::milliseconds::max()
                            ? std::chrono::steady_clock::time_point::max()
                            : std::chrono::steady_clock::now() + timeout;
  const timespec tick{0, 200'000'000};  // how often `stop` and the deadline are checked
  while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
    const int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) return sig;
  }
  return 0;
}

}  // namespace postured::core
