// Loads --fleet FILE: a JSON array of agent objects, or
// {"agents": [...], "defaults": false} to serve them with nothing added
// but a missing id and uuid. Agents keep whatever fields and types they are
// given (string booleans, nulls, a missing serialNumber), so tests can
// reproduce what real consoles send.
#pragma once

#include <string>

#include "core/result.h"
#include "fleet.h"
#include "timestamps.h"

namespace postured::s1emu {

// Errors name the file and the field, e.g. "fleet.json: agents[3].id: ...".
core::Result<void> loadFleetFile(const std::string& path, Fleet& fleet, Micros now);

}  // namespace postured::s1emu
