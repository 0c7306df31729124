// hsemu's own endpoints, without auth (loopback test tooling only). Bodies
// are JSON; errors are {"error":"<field>: <message>"} with 400 (404 for an
// unknown node id).
//   GET    /_emu/nodes               {"nodes":[node...]} (main's node shape)
//   POST   /_emu/nodes               one NodeSpec or {"nodes":[NodeSpec...]}, all or none -> 201 {"nodes":[created]}
//   PATCH  /_emu/nodes/{id}          NodePatch -> {"node":...}
//   DELETE /_emu/nodes/{id}          204
//   GET    /_emu/pushes              {"pushes":[...]} (?withoutPolicy=1 leaves the texts out)
//   DELETE /_emu/pushes              204
//   GET|PUT /_emu/mode               {"mode":"database"|"file"}
//   GET|POST|DELETE /_emu/faults     show, merge, clear
//   GET    /_emu/stats               request counters of the headscale API
#pragma once

#include <nlohmann/json.hpp>

#include "emulator.h"
#include "http/router.h"

namespace postured::hsemu {

void registerControlApi(http::Router& router, Emulator& emu);
void registerControlNodes(http::Router& router, Emulator& emu);

// Shared by the control handlers.
http::Response controlJson(int status, const nlohmann::ordered_json& body);
http::Response controlError(const core::Error& error);
core::Result<nlohmann::json> parseControlBody(const http::Request& request);

}  // namespace postured::hsemu
