// Decides whether nodes meet the policy's postures, from their attributes.
//
// A node meets a posture when every condition of it holds on the node's
// attributes (AND); a rule admits a source that meets any of its postures (OR,
// applied by the compiler). A condition on an unset attribute fails, except
// NOT SET (posture_condition.h).
#pragma once

#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::policy {

// False for a posture the policy does not define.
bool meetsPosture(const Policy& policy, const PolicyNode& node, const std::string& postureName);

// meetsPosture as a PostureCheck; refers to `policy`, which must outlive it.
PostureCheck attributePostureCheck(const Policy& policy);

}  // namespace postured::policy
