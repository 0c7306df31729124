// The console URL (cloudId) as operators type it, normalised to the origin
// the agents API hangs off: "https://acme.sentinelone.net[:port]".
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace postured::integrations::sentinelone {

// http::normaliseServiceUrl with SentinelOne's wording: errors name the
// field "cloudId".
core::Result<std::string> normaliseConsoleUrl(std::string_view input, bool allowInsecureUrls);

}  // namespace postured::integrations::sentinelone
