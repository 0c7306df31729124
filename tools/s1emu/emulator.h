// State shared by the emulator's routes: the fleet, the faults, the token
// and the counters behind /_emu/stats. Every member is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "faults.h"
#include "fleet.h"
#include "page_tracker.h"

namespace postured::s1emu {

struct Emulator {
  Fleet fleet;
  FaultState faults;
  PageTracker pages;
  std::string token;
  std::atomic<std::uint64_t> agentRequests{0};  // agents-list requests served, errors included
};

}  // namespace postured::s1emu
