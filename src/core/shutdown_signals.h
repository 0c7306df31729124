// Graceful shutdown on SIGINT/SIGTERM for multi-threaded programs: the
// signals are blocked in every thread and taken by one waiting thread, so
// they never interrupt a worker in the middle of a write.
#pragma once

#include <atomic>
#include <chrono>

namespace postured::core {

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
// afterwards; call before starting any thread.
void blockShutdownSignals();

// Waits until SIGINT or SIGTERM arrives (returns it), `stop` becomes true, or
// `timeout` passes (returns 0 for both). The signals must be blocked.
int waitForShutdownSignal(const std::atomic<bool>& stop,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

}  // namespace postured::core
