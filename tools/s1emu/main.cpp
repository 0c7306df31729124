// s1emu: a SentinelOne management API emulator for tests, the demo and
// benchmarks. See options.cpp for the command line, agents_api.h and
// control_api.h for what it serves.
#include <malloc.h>
#include <pthread.h>

#include <fstream>
#include <iostream>

#include "core/shutdown_signals.h"
#include "agents_api.h"
#include "control_api.h"
#include "emulator.h"
#include "fleet_file.h"
#include "generator.h"
#include "emulator_server.h"  // tools/emu_common
#include "http/router.h"
#include "options.h"

namespace postured::s1emu {
namespace {

constexpr int kRuntimeError = 1;
constexpr int kInputError = 2;

int fail(int code, const std::string& message) {
  std::cerr << "s1emu: " << message << std::endl;
  return code;
}

bool writeDevices(const std::string& path, const nlohmann::ordered_json& devices) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "{\"devices\":[";
  bool first = true;
  for (const auto& device : devices["devices"]) {
    out << (first ? "\n" : ",\n") << device.dump();
    first = false;
  }
  out << "\n]}\n";
  return static_cast<bool>(out.flush());
}

bool writeFleet(const std::string& path, const Fleet& fleet) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  fleet.writeJson(out);
  return static_cast<bool>(out.flush());
}

int loadAgents(const Options& options, Emulator& emu) {
  if (!options.fleetFile.empty()) {
    if (auto ok = loadFleetFile(options.fleetFile, emu.fleet, nowMicros()); !ok)
      return fail(kInputError, ok.error().message);
    return 0;
  }
  std::optional<core::Error> error;
  const auto devices = generateFleet({*options.generate, options.seed, options.baseTime}, [&](AgentJson agent) {
    if (error) return;
    if (auto ok = emu.fleet.add(std::move(agent), false, options.baseTime); !ok) error = ok.error();
  });
  if (error) return fail(kRuntimeError, "generating the fleet: " + error->field + ": " + error->message);
  if (!options.devicesOut.empty() && !writeDevices(options.devicesOut, devices))
    return fail(kRuntimeError, "--devices-out " + options.devicesOut + ": cannot write the file");
  return 0;
}

int serve(const Options& options) {
  Emulator emu;
  emu.token = options.token;
  emu.faults.set(options.faults);
  if (const int code = loadAgents(options, emu)) return code;
  // Hand the generator's and parser's temporaries back to the system.
  malloc_trim(0);
  if (!options.fleetOut.empty() && !writeFleet(options.fleetOut, emu.fleet))
    return fail(kRuntimeError, "--fleet-out " + options.fleetOut + ": cannot write the file");

  http::Router router;
  registerAgentsApi(router, emu);
  registerControlApi(router, emu);
  return emu::serveUntilSignal("s1emu", router, options.listen, options.threads, {{"agents", emu.fleet.size()}});
}

}  // namespace
}  // namespace postured::s1emu

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and the
  // signals reach only the thread that waits for them.
  postured::core::blockShutdownSignals();
  auto parsed = postured::s1emu::parseOptions(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  return postured::s1emu::serve(std::get<postured::s1emu::Options>(parsed));
}
