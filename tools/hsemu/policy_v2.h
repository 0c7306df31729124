// headscale's policy v2 parser, as unmarshalPolicy runs it
// (hscontrol/policy/v2/types.go): HuJSON, then the json/v2 decoding rules
// of policy_decode.h into the Policy struct, then Policy.validate.
//
// What is emulated: the member set of the policy and of every rule type
// (acls, grants, ssh, nodeAttrs, autoApprovers, tests, sshTests), types,
// the alias grammar and where each alias kind and autogroup may appear,
// hosts holding one IP or CIDR, groups of users, references to undefined
// groups, tags and hosts, protocol/port rules, SSH rule rules, grant rules.
// Not emulated: evaluating `tests`/`sshTests` against nodes, tag-ownership
// cycles, resolving users against headscale's user list.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postured::hsemu::policy {

// nullopt when headscale accepts `text`; else unmarshalPolicy's error text.
std::optional<std::string> checkPolicyV2(std::string_view text);

}  // namespace postured::hsemu::policy
