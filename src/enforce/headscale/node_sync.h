// Makes the devices that mirror headscale nodes match what headscale listed,
// in one transaction: the headscale poller is the one writer of these
// devices' hostname, owner, tags, addresses, last seen and online state.
//
//  - A node with no device yet becomes one. If a device that mirrors no node
//    holds one of the node's addresses (a machine that enrolled with
//    `postured enroll` before headscale was polled, or an imported device),
//    that device becomes the node's instead, keeping its id, identity and
//    attributes: no second device is made.
//  - A node whose name, owner, tags or addresses changed updates its device.
//  - A device whose node is gone is deleted with its attributes.
// Each of these is audited with the actor `headscale` (old and new values).
// `online` flips and last-seen moves are written without an audit event,
// and last seen only when it moved by a minute or more: headscale refreshes
// it constantly, and neither changes a decision.
//
// Address swaps between nodes in one poll are fine: changed addresses are
// released before any is claimed. A failure leaves the store as it was.
#pragma once

#include <cstddef>
#include <vector>

#include "core/audit.h"
#include "core/result.h"
#include "core/time.h"
#include "enforce/headscale/headscale_node.h"
#include "store/cached_store.h"

namespace postured::enforce::headscale {

struct NodeSyncOutcome {
  std::size_t created = 0;
  std::size_t adopted = 0;  // existing devices that became a node's
  std::size_t updated = 0;  // audited changes (name, owner, tags, addresses)
  std::size_t removed = 0;
  std::size_t statusOnly = 0;  // online / last seen refreshed
  bool changed() const { return created + adopted + updated + removed + statusOnly > 0; }
};

// The actor of every change the poller makes.
core::AuditActor headscaleActor();

core::Result<NodeSyncOutcome> syncNodes(store::CachedStore& store, const std::vector<HeadscaleNode>& nodes,
                                        core::Timestamp now);

}  // namespace postured::enforce::headscale
