// The headscale half of `postured demo`: the demo's fleet as headscale
// nodes, the sample policy whose posture decides who reaches the servers,
// and the calls that put the nodes into the headscale emulator (tools/hsemu).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace postured::app {

// Members reach the servers only from healthy machines; servers reach each
// other; everyone reaches their own devices.
extern const char* const kDemoPolicy;

// The tailnet addresses of the demo's device `index`, as headscale hands
// them out: 100.64.0.0/10 and fd7a:115c:a1e0::/48 from the bottom up.
nlohmann::json demoTailnetAddresses(std::size_t index);

// Gives each device of an import body (`{"devices":[...]}`) its tailnet
// addresses, as the inventory would know them from the agent's reports.
void assignDemoAddresses(nlohmann::json& importBody);

// The hsemu node specs (`{"nodes":[...]}`) for the devices of an import body
// that has addresses: the same hostnames, owners, tags and addresses.
nlohmann::json demoNodes(const nlohmann::json& importBody);

// POSTs `nodes` to the emulator's control API at `baseUrl`.
core::Result<void> addEmulatorNodes(const std::string& baseUrl, const nlohmann::json& nodes);

}  // namespace postured::app
