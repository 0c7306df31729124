#include "support/emulator_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace postured::testing {

std::string readTextFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool EmulatorChild::start(const std::vector<std::string>& args, const std::string& logFile,
                          std::chrono::seconds timeout) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::unlink(logFile.c_str());  // a restart must not find the last run's "listening" line
  pid_ = fork();
  if (pid_ == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string marker = "\"address\":\"";
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    const auto text = readTextFile(logFile);
    if (const auto at = text.find(marker); at != std::string::npos && text.find("\"listening\"") != std::string::npos) {
      const auto end = text.find('"', at + marker.size());
      baseUrl_ = "http://" + text.substr(at + marker.size(), end - at - marker.size());
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void EmulatorChild::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) != pid_; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, WNOHANG);
  pid_ = -1;
}

nlohmann::json EmulatorChild::control(const std::string& method, const std::string& path, const nlohmann::json& body) {
  http::ClientRequest req{
      method, baseUrl_ + path, {{"Content-Type", "application/json"}}, body.is_null() ? std::string() : body.dump()};
  auto res = client_.send(req);
  if (!res) throw std::runtime_error(name_ + " " + path + ": " + res.error().message);
  if (res->status >= 300)
    throw std::runtime_error(name_ + " " + path + " answered " + std::to_string(res->status) + ": " + res->body);
  if (res->body.empty()) return nullptr;
  return nlohmann::json::parse(res->body, nullptr, false);
}

}  // namespace postured::testing
