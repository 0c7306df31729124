// hsemu's --state file: the emulated database (users, nodes, the stored
// policy) and the policy mode as one JSON document, replaced atomically
// (temporary file, fsync, rename) after every change, so an emulator
// restarted on the same file keeps what headscale would keep in its
// database. The push log, faults and counters are not part of it.
#pragma once

#include <string>

#include "core/result.h"
#include "emulator.h"

namespace postured::hsemu {

// The document for the current state. Call with emu.mutex held.
std::string stateDocument(const Emulator& emu);
// Loads `path` into `emu`; errors name the file and the field.
core::Result<void> loadStateFile(const std::string& path, Emulator& emu);

}  // namespace postured::hsemu
