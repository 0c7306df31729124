#include "support/emulator_child.h"

#include <unistd.h>

#include <stdexcept>

namespace postured::testing {

bool EmulatorChild::start(const std::vector<std::string>& args, const std::string& logFile,
                          std::chrono::seconds timeout) {
  ::unlink(logFile.c_str());  // a restart must not find the last run's "listening" line
  pid_ = spawnProcess(args, {}, "", logFile, logFile);
  return waitUntilReady(pid_, timeout, [&] {
    const std::string marker = "\"address\":\"";
    const auto text = readTextFile(logFile);
    const auto at = text.find(marker);
    if (at == std::string::npos || text.find("\"listening\"") == std::string::npos) return false;
    const auto end = text.find('"', at + marker.size());
    baseUrl_ = "http://" + text.substr(at + marker.size(), end - at - marker.size());
    return true;
  });
}

void EmulatorChild::stop() {
  if (pid_ <= 0) return;
  stopProcess(pid_, std::chrono::seconds(2));
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
