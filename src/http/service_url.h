// The base URL of an outside service (a provider's console, a headscale
// server) as operators type it, normalised to an origin:
// "https://host[:port]".
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace postured::http {

// What the messages say about the URL, so each caller's errors name its own
// field and product.
struct ServiceUrlRules {
  std::string_view field;           // "cloudId", "headscale_url"
  std::string_view what;            // "a SentinelOne console URL"
  std::string_view example;         // "https://acme.sentinelone.net"
  std::string_view apiPath;         // what postured appends: "/web/api/v2.1/agents"
  std::string_view credentialHint;  // where the secret goes instead: "the API token goes in clientSecret"
};

// Accepts "https://host[:port]", with or without trailing slashes, or a bare
// "host[:port]" (https implied). Host names are lower-cased; IPv6 literals
// keep their brackets. Plain http is accepted only when `allowInsecureUrls`
// is set and the host is a loopback address (tests, emulators, the demo).
// Errors are kInvalidArgument with field `rules.field` and say how to fix it.
core::Result<std::string> normaliseServiceUrl(std::string_view input, bool allowInsecureUrls,
                                              const ServiceUrlRules& rules);

// localhost, 127.0.0.0/8 or ::1 (host as in a URL: IPv6 in brackets).
bool isLoopbackHost(std::string_view host);

}  // namespace postured::http
