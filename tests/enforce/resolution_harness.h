// Compares what a node enforces under the posture-aware policy (compiled with
// the nodes' attributes) with what it enforces under the resolved policy
// (ResolvedPolicy::text compiled with no attributes), at three strengths:
//
//  exact      the FilterRule JSON is byte for byte the same;
//  sameRules  the same after two rewrites that cannot change what a packet
//             meets: rules with an empty SrcIPs are left out (they match no
//             source; the compiler still emits one for an app grant nobody
//             passes, which the resolution drops as the contract says) and
//             each SrcIPs list is written in its canonical form (the
//             compiler appends the other sources' own addresses after a "*"
//             source's ranges, a text no explicit source list reproduces);
//             rule order, DstPorts order, IPProto and CapGrant stay exact;
//  sameAccess the same access: per (SrcIPs set, IPProto set), the union of
//             destinations per port range, and per SrcIPs set, the union of
//             CapGrant destinations per capability map. Insensitive to how
//             rules are split, merged and ordered.
//  sameAccessBesidesRoutedCaps
//             sameAccess once the approved subnet routes are taken out of
//             the sources of CapGrant rules: subnet-routed addresses are no
//             nodes and use no app capability, and a drive/relay grant from
//             "*" cannot keep them (resolution_rules.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/ip_set.h"

namespace postured::testing {

struct NodeComparison {
  std::string node;
  bool exact = false;
  bool sameRules = false;
  bool sameAccess = false;
  bool sameAccessBesidesRoutedCaps = false;
  std::string diff;  // when !sameAccess: the differing rules, both sides
};

struct ResolutionComparison {
  std::string error;  // the posture policy, the topology or the resolved text failed; empty otherwise
  std::string resolvedText;
  std::vector<std::string> warnings;
  std::vector<NodeComparison> nodes;
  nlohmann::json postureFilters;   // node name -> FilterRule JSON (posture-aware, with attributes)
};

// `topology` is a compat-corpus topology whose nodes may carry `attributes`.
ResolutionComparison compareResolution(const std::string& policyText, const nlohmann::json& topology);

// The semantic form used by sameAccess (exposed to test the comparison
// itself); `capSourcesIgnored` is taken out of CapGrant rules' sources.
std::string accessForm(const nlohmann::json& filter, const policy::IpSet& capSourcesIgnored = {});
// The form used by sameRules.
nlohmann::json sameRulesForm(const nlohmann::json& filter);

}  // namespace postured::testing
