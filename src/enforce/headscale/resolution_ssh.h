// SSH rules with postures (their own srcPosture, else defaultSrcPosture),
// narrowed fail closed: headscale's SSH sources name users, groups, tags and
// autogroups, never single devices, so a source stays only when every node it
// names meets one of the rule's postures (a source naming no node stays). A
// rule left without sources is dropped. Each source left out gives a warning
// naming the rule's line and the failing devices. SSH rules never reach
// packet filters (FilterCompiler compiles only ACLs and grants), so this
// changes what Tailscale SSH allows, not the filters.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enforce/headscale/resolution_context.h"
#include "policy/policy_model.h"

namespace postured::enforce::headscale {

struct ResolvedSsh {
  nlohmann::json entry;  // null when dropped
  bool constrained = false;
  bool narrowed = false;  // a source was left out
};

ResolvedSsh resolveSsh(ResolutionContext& context, const policy::SshRule& rule, const nlohmann::json& entry,
                       std::vector<std::string>& warnings);

}  // namespace postured::enforce::headscale
