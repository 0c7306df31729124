// hsemu: a headscale API emulator for tests, the demo and benchmarks. See
// options.cpp for the command line, nodes_api.h and policy_api.h for the
// headscale API it serves, control_api.h for its own endpoints.
#include <iostream>

#include "control_api.h"
#include "core/shutdown_signals.h"
#include "emulator.h"
#include "emulator_server.h"  // tools/emu_common
#include "http/router.h"
#include "nodes_api.h"
#include "options.h"
#include "policy_api.h"
#include "seed.h"

namespace postured::hsemu {
namespace {

constexpr int kRuntimeError = 1;

int fail(int code, const std::string& message) {
  std::cerr << "hsemu: " << message << std::endl;
  return code;
}

int serve(const Options& options) {
  Emulator emu;
  if (auto ok = seedEmulator(options, emu); !ok)
    return fail(ok.error().kind == core::ErrorKind::kInvalidArgument ? kUsageError : kRuntimeError, ok.error().message);

  http::Router router;
  registerNodesApi(router, emu);
  registerPolicyApi(router, emu);
  registerControlApi(router, emu);
  std::size_t nodes = 0;
  {
    std::lock_guard lock(emu.mutex);
    nodes = emu.nodes.size();
  }
  return emu::serveUntilSignal("hsemu", router, options.listen, options.threads,
                               {{"nodes", nodes}, {"flavor", flavorName(emu.flavor)}});
}

}  // namespace
}  // namespace postured::hsemu

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and the
  // signals reach only the thread that waits for them.
  postured::core::blockShutdownSignals();
  auto parsed = postured::hsemu::parseOptions(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  return postured::hsemu::serve(std::get<postured::hsemu::Options>(parsed));
}
