// The SentinelOne emulator (tools/s1emu) as a real child process on an
// ephemeral loopback port, with helpers for its control endpoints.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/emulator_child.h"
#include "support/temp_dir.h"

namespace postured::testing {

// One agent of an emulator fleet file (s1emu --fleet), healthy unless changed:
// agent n has id 17000...n, uuid "uuid<n>" and computer name "machine<n>".
nlohmann::json fleetAgent(int n, const nlohmann::json& serial,
                          const std::string& lastActive = "2026-11-20T10:00:00.000000Z");

class EmulatorProcess {
 public:
  explicit EmulatorProcess(std::vector<std::string> args);
  ~EmulatorProcess();

  bool start(std::chrono::seconds timeout = std::chrono::seconds(20));
  void stop();

  const std::string& baseUrl() const;  // "http://127.0.0.1:PORT"
  std::string dir() const { return dir_.path().string(); }
  std::string logText() const;

  // POST /_emu/faults with `faults`; DELETE /_emu/faults when null.
  void setFaults(const nlohmann::json& faults);
  nlohmann::json control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr);

 private:
  TempDir dir_;
  std::vector<std::string> args_;
  EmulatorChild child_{"s1emu"};
};

}  // namespace postured::testing
