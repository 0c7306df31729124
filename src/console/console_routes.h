// Serves the console: GET / is index.html, GET /console/<path> each embedded
// file. The API stays under /api/. Every file goes out with a strict Content
// Security Policy (same origin only, no inline script), so a compromised
// value shown by the console cannot run as code.
#pragma once

#include "http/router.h"

namespace postured::console {

void registerConsoleRoutes(http::Router& router);

}  // namespace postured::console
