// Sensible values for the core agent fields a test's fleet file (or a
// POST /_emu/agents body) leaves out, so a two-field agent still looks like
// a real one. Only missing keys are added; given values, even nulls or
// string booleans, are never touched. serialNumber is never defaulted:
// its absence is a real console's shape worth testing.
#pragma once

#include <cstdint>

#include "fleet.h"
#include "timestamps.h"

namespace postured::s1emu {

void applyDefaults(AgentJson& agent, std::uint64_t id, Micros now);

// True for JSON true and for the string "true" in any case, as real
// consoles sometimes send booleans as "True".
bool truthy(const AgentJson& value);

}  // namespace postured::s1emu
