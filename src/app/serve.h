// `postured serve`: wires the store, the API, the HTTP server and the
// background tasks together, and runs until SIGINT or SIGTERM.
#pragma once

#include "app/config.h"

namespace postured::app {

// Returns the process exit code.
int runServe(const ServeConfig& config);

}  // namespace postured::app
