// The emulator's own endpoints, without auth (loopback test tooling only):
//   GET|POST|DELETE /_emu/faults        show, merge (null resets a field), clear
//   POST /_emu/agents                   add one agent (id, uuid and core fields defaulted) -> 201
//   GET|PATCH|DELETE /_emu/agents/{uuid}
//   GET /_emu/stats                     {"agents": N, "requests": M}
// Errors use SentinelOne's envelope, the detail naming the field.
#pragma once

#include "emulator.h"
#include "http/router.h"

namespace postured::s1emu {

void registerControlApi(http::Router& router, Emulator& emulator);

}  // namespace postured::s1emu
