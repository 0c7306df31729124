// Compiles a policy into the packet filter each node enforces, as Tailscale's
// control plane does.
//
// Every ACL destination and every grant becomes "access rules": sources,
// destinations, protocol and ports, or app capabilities. A node receives the
// rules whose destinations include one of its addresses, overlap one of its
// approved subnet routes, or (for an exit node) lie on the public internet;
// each received rule keeps only the destinations that concern that node.
// Rules with the same sources and protocols are merged, as Tailscale does.
//
// Posture: a source node that meets none of a rule's postures (its own
// srcPosture, else the policy's defaultSrcPosture) is left out of that rule's
// SrcIPs. By default postures are evaluated on the nodes' attributes
// (posture_evaluator.h); a PostureCheck can replace that (tests, explanations).
//
// Not thread-safe while constructing; filterFor() is const and may be called
// from several threads once constructed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/access_plan.h"
#include "policy/filter_rule.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"
#include "policy/selector_resolver.h"

namespace postured::policy {

class FilterCompiler {
 public:
  FilterCompiler(const Policy& policy, std::vector<PolicyNode> nodes, PostureCheck postureCheck = {});
  ~FilterCompiler();
  FilterCompiler(const FilterCompiler&) = delete;
  FilterCompiler& operator=(const FilterCompiler&) = delete;

  // The filter of the node with this name; empty when the node is unknown or receives nothing.
  std::vector<FilterRule> filterFor(const std::string& nodeName) const;
  // Every node's filter, keyed by node name.
  std::map<std::string, std::vector<FilterRule>> allFilters() const;

  const std::vector<PolicyNode>& nodes() const { return nodes_; }

 private:
  using Access = PlannedAccess;  // one grant or one ACL destination, normalised
  struct ResolvedSources;

  ResolvedSources resolveSources(const Access& access) const;
  std::vector<FilterRule> globalRules(const Access& access, const ResolvedSources& src) const;
  std::vector<FilterRule> filterFor(const PolicyNode& node) const;

  const Policy& policy_;
  std::vector<PolicyNode> nodes_;
  PostureCheck postureCheck_;
  SelectorResolver resolver_;
  std::vector<Access> accesses_;
  std::vector<ResolvedSources> sources_;  // parallel to accesses_
  std::vector<FilterRule> globalRules_;   // before per-node reduction
};

}  // namespace postured::policy
