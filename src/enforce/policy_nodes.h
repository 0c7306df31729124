// Devices as the policy compiler sees them (policy::PolicyNode).
//
// A node's name is the device id (stable and unique, so packet filters and
// access checks can be keyed by it; access checks also accept the hostname or
// an address). Its attributes are the derived node: attributes plus the stored
// ones that have not expired at `now`, as GET .../attributes shows them.
// Devices carry no subnet routes yet: approvedRoutes stays empty.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/time.h"
#include "policy/policy_node.h"
#include "store/cached_store.h"

namespace postured::enforce {

policy::PolicyNode policyNodeFrom(const store::DeviceState& state, core::Timestamp now);

// Every device, ordered by id so that compiled filters do not depend on the
// cache's iteration order.
std::vector<policy::PolicyNode> policyNodesFrom(const std::vector<std::shared_ptr<const store::DeviceState>>& states,
                                                core::Timestamp now);

// Whether two views of a device differ only in their attributes: the policy
// engine then recomputes incrementally instead of compiling again.
bool sameIdentity(const policy::PolicyNode& a, const policy::PolicyNode& b);

// The earliest attribute expiry after `now`: nodes built at `now` are valid until then.
std::optional<core::Timestamp> nextExpiry(const std::vector<std::shared_ptr<const store::DeviceState>>& states,
                                          core::Timestamp now);
std::optional<core::Timestamp> nextExpiry(const store::DeviceState& state, core::Timestamp now);

}  // namespace postured::enforce
