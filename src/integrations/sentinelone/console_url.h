// The console URL (cloudId) as operators type it, normalised to the origin
// the agents API hangs off: "https://acme.sentinelone.net[:port]".
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace postured::integrations::sentinelone {

// Accepts "https://host[:port]", with or without trailing slashes, or a bare
// "host[:port]" (https implied). Host names are lower-cased; IPv6 literals
// keep their brackets. Plain http is accepted only when `allowInsecureUrls`
// is set and the host is a loopback address (tests, the emulator, the demo).
// Errors are kInvalidArgument with field "cloudId" and say how to fix it.
core::Result<std::string> normaliseConsoleUrl(std::string_view input, bool allowInsecureUrls);

// localhost, 127.0.0.0/8 or ::1 (host as in a URL: IPv6 in brackets).
bool isLoopbackHost(std::string_view host);

}  // namespace postured::integrations::sentinelone
