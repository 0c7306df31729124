// The IP addresses of this machine's interfaces, loopback and link-local
// left out: what the agent reports so that the server can tell which
// headscale node it runs on (the node's tailnet address is on tailscale0).
#pragma once

#include <string>
#include <vector>

namespace postured::identity {

// Canonical text, IPv4 first, sorted and deduplicated; empty when the
// interface list cannot be read.
std::vector<std::string> interfaceAddresses();

}  // namespace postured::identity
