#include "support/s1emu_process.h"

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

std::string EmulatorProcess::logText() const { return readTextFile(dir_.file("s1emu.log")); }

bool EmulatorProcess::start(std::chrono::seconds timeout) {
  std::vector<std::string> args = {S1EMU_BINARY, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), args_.begin(), args_.end());
  return child_.start(args, dir_.file("s1emu.log"), timeout);
}

void EmulatorProcess::stop() { child_.stop(); }

const std::string& EmulatorProcess::baseUrl() const { return child_.baseUrl(); }

nlohmann::json EmulatorProcess::control(const std::string& method, const std::string& path,
                                        const nlohmann::json& body) {
  return child_.control(method, path, body);
}

void EmulatorProcess::setFaults(const nlohmann::json& faults) {
  if (faults.is_null())
    control("DELETE", "/_emu/faults");
  else
    control("POST", "/_emu/faults", faults);
}

}  // namespace postured::testing
