// What every emulator's main does once its routes are set up: serve them on
// postured's own HTTP server until SIGTERM or SIGINT, announcing itself on
// stderr the way tests, the demo and benchmarks wait for it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/router.h"

namespace postured::emu {

// Prints {"msg":"listening","address":...,<announce's members>} once bound and
// {"msg":"stopped"} at the end; returns 0, or 1 after "<name>: <why>" when
// it cannot listen. core::blockShutdownSignals() must have run before any thread.
int serveUntilSignal(const std::string& name, http::Router& router, const std::string& listen, int threads,
                     const nlohmann::ordered_json& announce);

}  // namespace postured::emu
