// The database hsemu starts with: the --state file when it exists, else the
// --nodes file or the --generate'd tailnet and the --policy text (checked
// as the flavor's headscale would check it), saved at once to --state.
// Errors name the flag and, for --nodes, the field ("nodes[2].ipAddresses[0]").
#pragma once

#include "core/result.h"
#include "emulator.h"
#include "options.h"

namespace postured::hsemu {

core::Result<void> seedEmulator(const Options& options, Emulator& emu);
// --nodes FILE: {"nodes": [NodeSpec...]} added in order.
core::Result<void> loadNodesFile(const std::string& path, NodeStore& store, Micros now);

}  // namespace postured::hsemu
