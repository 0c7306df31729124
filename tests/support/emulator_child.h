// An emulator (s1emu, hsemu) as a child process: started with its output in
// a log file, ready once it logs {"msg":"listening","address":...}, stopped
// with SIGTERM (SIGKILL after 2 s); and its control API called with JSON.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/client.h"
#include "support/process.h"

namespace postured::testing {

class EmulatorChild {
 public:
  explicit EmulatorChild(std::string name) : name_(std::move(name)) {}
  ~EmulatorChild() { stop(); }

  // args[0] is the program; false when it exits or does not listen in time.
  bool start(const std::vector<std::string>& args, const std::string& logFile, std::chrono::seconds timeout);
  void stop();
  bool running() const { return pid_ > 0; }

  const std::string& baseUrl() const { return baseUrl_; }  // "http://127.0.0.1:PORT"
  std::string address() const { return baseUrl_.substr(7); }

  // The parsed JSON answer (null for an empty body); throws std::runtime_error on a non-2xx.
  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json& body);

 private:
  std::string name_;
  pid_t pid_ = -1;
  std::string baseUrl_;
  http::HttpClient client_;
};

}  // namespace postured::testing
