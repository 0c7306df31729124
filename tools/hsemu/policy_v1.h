// The policy parser of headscale releases before 0.26 (policy v1,
// hscontrol/policy/acls.go LoadACLPolicyFromBytes), used by the v0.25
// flavor: HuJSON, then encoding/json (v1) into ACLPolicy. Unlike v2 it
// ignores unknown members (so `postures` and `srcPosture` pass silently),
// matches names case-insensitively, lets a repeated member win, and
// rejects a policy without groups, hosts, acls or ssh as empty.
// Emulated: syntax, member types, the empty check, and the acl action
// check of filter compilation. Not emulated: alias expansion against nodes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postured::hsemu::policy {

// nullopt when accepted; else the policy manager's error, already wrapped
// in "parsing policy: " or "compiling filter rules: ".
std::optional<std::string> checkPolicyV1(std::string_view text);

}  // namespace postured::hsemu::policy
