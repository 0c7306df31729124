#include "app/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace postured::app {

using core::ErrorKind;
using core::fail;

ChildProcess::~ChildProcess() { stop(SIGTERM); }

core::Result<void> ChildProcess::start(const std::vector<std::string>& args, const std::string& logPath) {
  logPath_ = logPath;
  const int out = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) return fail(ErrorKind::kInternal, "cannot open " + logPath + ": " + std::strerror(errno));
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(out);
    return fail(ErrorKind::kInternal, std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // The child must take SIGINT/SIGTERM itself: undo the parent's mask.
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out);
  return {};
}

core::Result<std::string> ChildProcess::waitListening(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string marker = "\"address\":\"";
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(logPath_);
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"msg\":\"listening\"") == std::string::npos) continue;
      const auto at = line.find(marker);
      if (at == std::string::npos) continue;
      const auto end = line.find('"', at + marker.size());
      return line.substr(at + marker.size(), end - at - marker.size());
    }
    if (exited()) return fail(ErrorKind::kInternal, "the process stopped; see " + logPath_);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fail(ErrorKind::kUnavailable, "the process did not start in time; see " + logPath_);
}

bool ChildProcess::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return true;
  }
  return false;
}

void ChildProcess::stop(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  for (int i = 0; i < 1000 && !exited(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

std::string executableDir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

}  // namespace postured::app
