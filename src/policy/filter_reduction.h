// The last two steps of compiling a node's filter, as Tailscale does them:
// merging rules that share sources and protocols, and keeping only what
// concerns one node.
#pragma once

#include <vector>

#include "policy/filter_rule.h"
#include "policy/policy_node.h"

namespace postured::policy {

// Joins the DstPorts of port rules with identical SrcIPs and IPProto into the
// first such rule (DstPorts are not deduplicated). CapGrant rules pass as they are.
std::vector<FilterRule> mergeRules(std::vector<FilterRule> rules);

// Keeps the DstPorts entries that contain one of the node's addresses, overlap
// one of its approved subnet routes, or, on an exit node, lie on the public
// internet; rules left without destinations are dropped. CapGrant
// destinations are narrowed to the node's own addresses (/32, /128), except
// prefixes overlapping its subnet routes, which are kept whole.
std::vector<FilterRule> reduceForNode(const std::vector<FilterRule>& rules, const PolicyNode& node);

}  // namespace postured::policy
