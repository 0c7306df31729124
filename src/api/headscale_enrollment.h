// How a machine running `postured enroll` becomes the device of its headscale
// node. headscale collects no serial numbers, so a node's device gets its
// identity (serials, MAC addresses, node: facts) from the agent on the same
// machine: the agent reports the machine's addresses, and the node holding
// one of them is that machine.
//
//  - At registration, a node device without a node key that holds one of the
//    reported addresses takes the registration: no second device is made.
//  - A device that enrolled before its node was known keeps the tailnet
//    addresses it reported (100.64.0.0/10, fd7a:115c:a1e0::/48), so the
//    poller adopts it when the node appears (node_sync.h).
//  - If the node's device was made first anyway (the agent reported its
//    tailnet address only later), the enrolled device takes the node over:
//    it keeps its id (the agent's state names it) and gains the node's
//    fields and custom attributes; the node's own device is deleted.
// Every change is audited in the caller's context.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/change_context.h"
#include "core/device.h"
#include "core/result.h"
#include "store/cached_store.h"

namespace postured::api {

// Canonical addresses from a request's "addresses" list (at most 64, each an
// IPv4 or IPv6 address); errors name "addresses[i]".
core::Result<std::vector<std::string>> parseReportedAddresses(const nlohmann::json& body);

// The node device (headscaleNodeId set, no node key yet, not `except`) that
// holds one of `addresses`, from the committed state.
std::optional<core::Device> nodeDeviceHolding(const store::CachedStore& store, const std::vector<std::string>& addresses,
                                              const std::string& except = {});

// Gives `device` (not a node's) the tailnet addresses among `addresses` that no other device holds.
core::Result<void> keepTailnetAddresses(store::WriteTx& tx, core::Device& device,
                                        const std::vector<std::string>& addresses);

// The enrolled `device` becomes `node`'s (see above); `device` is updated in place, not yet written.
core::Result<void> takeOverNode(store::WriteTx& tx, core::Device& device, const core::Device& node,
                                const core::ChangeContext& context);

}  // namespace postured::api
