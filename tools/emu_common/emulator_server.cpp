#include "emulator_server.h"

#include <atomic>
#include <iostream>
#include <thread>

#include "core/shutdown_signals.h"
#include "http/server.h"

namespace postured::emu {

int serveUntilSignal(const std::string& name, http::Router& router, const std::string& listen, int threads,
                     const nlohmann::ordered_json& announce) {
  http::ServerOptions options;
  options.listen = listen;
  options.threads = threads;
  core::Metrics metrics;
  http::Server server(options, router, metrics, {});
  if (auto ok = server.bind(); !ok) {
    std::cerr << name << ": " << ok.error().message << std::endl;
    return 1;
  }
  // The signals are blocked in every thread; this one takes them.
  std::atomic<bool> stopped{false};
  std::thread signalThread([&] {
    if (core::waitForShutdownSignal(stopped)) server.shutdown();
  });
  nlohmann::ordered_json listening = {{"msg", "listening"}, {"address", server.boundAddress()}};
  for (const auto& [key, value] : announce.items()) listening[key] = value;
  std::cerr << listening.dump() << std::endl;
  server.run();
  stopped = true;
  signalThread.join();
  std::cerr << R"({"msg":"stopped"})" << std::endl;
  return 0;
}

}  // namespace postured::emu
