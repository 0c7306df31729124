// Resolves selectors to the addresses they stand for on a given set of nodes.
//
// Node selectors (users, groups, tags, autogroup:member/tagged) give every
// address of every matching node. Addresses, prefixes and hosts give
// themselves, plus every address of a node that holds that exact address (so
// "100.64.0.1" also covers that node's IPv6 address). "*" gives the tailnet
// ranges (tailnetAddresses()); the approved subnet routes that Tailscale adds
// to a wildcard *source* are available separately. autogroup:self depends on
// the node a filter is compiled for and resolves to nothing here;
// autogroup:internet resolves to internetAddresses().
//
// The resolver keeps references to the policy and nodes: both must outlive it.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "policy/ip_set.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"
#include "policy/selectors.h"

namespace postured::policy {

class SelectorResolver {
 public:
  SelectorResolver(const Policy& policy, const std::vector<PolicyNode>& nodes);

  IpSet resolve(const Selector& selector) const;
  IpSet resolveAll(const std::vector<Selector>& selectors) const;
  // Nodes a node selector (user, group, tag, autogroup) names; empty for address selectors.
  std::vector<const PolicyNode*> matchingNodes(const Selector& selector) const;
  // Approved subnet routes of every node (exit routes excluded).
  const IpSet& approvedSubnetRoutes() const { return subnetRoutes_; }
  const std::vector<PolicyNode>& nodes() const { return nodes_; }

 private:
  bool userMatches(const std::string& name, const PolicyNode& node) const;
  void addNodesHolding(const IpPrefix& prefix, IpSet& out) const;
  IpSet resolveIpSet(const std::string& name, int depth) const;
  void addUserNodes(const std::string& name, std::vector<std::size_t>& out) const;

  const Policy& policy_;
  const std::vector<PolicyNode>& nodes_;
  IpSet subnetRoutes_;
  // Indexes so a selector costs what it matches, not the whole tailnet (node positions in nodes_).
  std::unordered_map<std::string, std::vector<std::size_t>> byLogin_;  // untagged nodes only
  std::unordered_map<std::string, std::vector<std::size_t>> byTag_;
  std::unordered_map<std::string, std::vector<std::size_t>> byAddress_;  // IpAddress::toString()
};

}  // namespace postured::policy
