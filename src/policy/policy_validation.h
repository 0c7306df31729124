// Cross-reference and placement checks on a parsed policy: every group, tag,
// host, ipset and posture a rule names is defined; autogroups appear only
// where Tailscale allows them; grants have something to grant. The first
// problem is returned, as "line L, column C: <Tailscale's wording>; <what to do>".
#pragma once

#include "core/result.h"
#include "policy/policy_model.h"

namespace postured::policy {

core::Result<void> validatePolicy(const Policy& policy);

}  // namespace postured::policy
