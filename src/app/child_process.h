// A child process whose output goes to a file, for the demo: started with
// fork/exec, waited for by a line it logs, stopped with a signal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace postured::app {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `args` (args[0] is the program) with stdout and stderr appended to `logPath`.
  core::Result<void> start(const std::vector<std::string>& args, const std::string& logPath);
  // Waits until the log holds a JSON line with "msg":"listening" and returns
  // its "address"; fails when the process exits first or time runs out.
  core::Result<std::string> waitListening(std::chrono::seconds timeout);
  // Sends `signal` and waits for the exit (SIGKILL after 10 s).
  void stop(int signal);
  bool exited();  // true once the process has ended
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string logPath_;
};

// Directory of the running executable.
std::string executableDir();

}  // namespace postured::app
