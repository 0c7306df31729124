#include "support/s1emu_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace postured::testing {

nlohmann::json fleetAgent(int n, const nlohmann::json& serial, const std::string& lastActive) {
  return nlohmann::json{{"id", "17" + std::string(16, '0') + std::to_string(n)},
                        {"uuid", "uuid" + std::to_string(n)},
                        {"computerName", "machine" + std::to_string(n)},
                        {"serialNumber", serial},
                        {"isActive", true},
                        {"agentVersion", "23.3.2.12"},
                        {"activeThreats", 0},
                        {"infected", false},
                        {"firewallEnabled", true},
                        {"encryptedApplications", true},
                        {"operationalState", "na"},
                        {"isDecommissioned", false},
                        {"isUninstalled", false},
                        {"lastActiveDate", lastActive},
                        {"networkInterfaces", nlohmann::json::array()}};
}

EmulatorProcess::EmulatorProcess(std::vector<std::string> args) : args_(std::move(args)) {}

EmulatorProcess::~EmulatorProcess() { stop(); }

std::string EmulatorProcess::logText() const {
  std::ifstream in(dir_.file("s1emu.log"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool EmulatorProcess::start(std::chrono::seconds timeout) {
  std::vector<std::string> args = {S1EMU_BINARY, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto log = dir_.file("s1emu.log");
  pid_ = fork();
  if (pid_ == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
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
    const auto text = logText();
    if (const auto at = text.find(marker); at != std::string::npos && text.find("\"listening\"") != std::string::npos) {
      const auto end = text.find('"', at + marker.size());
      baseUrl_ = "http://" + text.substr(at + marker.size(), end - at - marker.size());
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void EmulatorProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) != pid_; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, WNOHANG);
  pid_ = -1;
}

nlohmann::json EmulatorProcess::control(const std::string& method, const std::string& path,
                                        const nlohmann::json& body) {
  http::ClientRequest req{
      method, baseUrl_ + path, {{"Content-Type", "application/json"}}, body.is_null() ? std::string() : body.dump()};
  auto res = client_.send(req);
  if (!res) throw std::runtime_error("s1emu " + path + ": " + res.error().message);
  if (res->status >= 300)
    throw std::runtime_error("s1emu " + path + " answered " + std::to_string(res->status) + ": " + res->body);
  return nlohmann::json::parse(res->body, nullptr, false);
}

void EmulatorProcess::setFaults(const nlohmann::json& faults) {
  if (faults.is_null())
    control("DELETE", "/_emu/faults");
  else
    control("POST", "/_emu/faults", faults);
}

}  // namespace postured::testing
