// The headscale emulator (tools/hsemu) as a real child process on a loopback
// port, with the API key it accepts in a private file (as postured's
// headscale_api_key_file wants it) and helpers for its control endpoints.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/emulator_child.h"
#include "support/temp_dir.h"

namespace postured::testing {

class HsEmulatorProcess {
 public:
  // Extra command-line arguments; --listen and --api-key-file are added here.
  explicit HsEmulatorProcess(std::vector<std::string> args = {});
  ~HsEmulatorProcess();
  HsEmulatorProcess(const HsEmulatorProcess&) = delete;
  HsEmulatorProcess& operator=(const HsEmulatorProcess&) = delete;

  // After stop(), start() listens on the same port again (give --state to keep the database).
  bool start(std::chrono::seconds timeout = std::chrono::seconds(20));
  void stop();  // SIGTERM and wait

  const std::string& baseUrl() const { return child_.baseUrl(); }  // "http://127.0.0.1:PORT"
  const std::string& apiKey() const { return apiKey_; }
  std::string apiKeyFile() const { return dir_.file("headscale.key"); }
  std::string dir() const { return dir_.path().string(); }
  std::string logText() const;

  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) {
    return child_.control(method, path, body);
  }
  nlohmann::json addNode(const nlohmann::json& spec) { return control("POST", "/_emu/nodes", spec)["nodes"][0]; }
  nlohmann::json pushes() { return control("GET", "/_emu/pushes")["pushes"]; }

 private:
  TempDir dir_;
  std::vector<std::string> args_;
  std::string apiKey_ = "hskey-api-test-0123456789abcdef";
  std::string listen_ = "127.0.0.1:0";
  EmulatorChild child_{"hsemu"};
};

}  // namespace postured::testing
