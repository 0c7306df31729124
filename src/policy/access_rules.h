// Filter rules an access gives, the parts the filter compiler and the policy
// engine build alike: the reverse rules of companion capabilities, the
// autogroup:self rules for one user's devices, and the rules a `via` router
// receives.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "policy/access_plan.h"
#include "policy/filter_rule.h"
#include "policy/ip_set.h"
#include "policy/policy_node.h"
#include "policy/selector_resolver.h"

namespace postured::policy {

// Capabilities for which Tailscale adds a reverse rule, so the destination may
// answer (Taildrive shares back, relays reach their targets): {cap, companion}.
const std::vector<std::pair<std::string, std::string>>& companionCaps();

bool hasWildcard(const std::vector<Selector>& selectors);
bool hasAutogroup(const std::vector<Selector>& selectors, Autogroup a);
std::vector<std::string> prefixStrings(const IpSet& set);

// The reverse rules of `app`'s companion capabilities: from the destinations back to the sources.
std::vector<FilterRule> companionRules(const nlohmann::json& app, const std::vector<std::string>& dstText,
                                       const IpSet& src);

// autogroup:self: `sameUser` (one user's untagged nodes) reachable from those
// of them whose addresses are in `sources`.
std::vector<FilterRule> selfRules(const PlannedAccess& access, const std::vector<const PolicyNode*>& sameUser,
                                  const IpSet& sources);

// What `router` receives when `access` routes through it: destinations it
// serves (subnet routes overlapping them, exit routes for autogroup:internet),
// from `srcText`. Empty unless the router carries one of the `via` tags.
std::vector<FilterRule> viaRules(const PlannedAccess& access, const std::vector<std::string>& srcText,
                                 const IpSet& srcSet, const PolicyNode& router, const SelectorResolver& resolver);

}  // namespace postured::policy
