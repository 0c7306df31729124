// The addresses each selector stands for, postures aside, resolved once per
// selector text: SelectorResolver's reading (selector_resolver.h), which the
// compiler uses, computed from integer indexes. SelectorResolver builds
// string-keyed indexes of every address, which on a 10,000-node tailnet
// costs more than resolving all the rules; it is made here only for ipsets,
// whose add/remove reading stays in one place.
//
// Node selectors give every address of the matching nodes: a user's
// untagged nodes (a login, or "name@" for a login without domain),
// user:*@domain, a group's users, a tag's nodes, autogroup:member (untagged
// nodes), autogroup:tagged. Addresses and hosts give themselves, plus every
// address of a node holding that exact address; "*" the tailnet ranges;
// autogroup:internet the internet; autogroup:danger-all everything; other
// autogroups (self, shared, ...) nothing.
//
// Not thread-safe (caches). Refers to the policy, nodes and index, which must outlive it.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "enforce/headscale/resolution_addresses.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"
#include "policy/selector_resolver.h"

namespace postured::enforce::headscale {

class SelectorAddresses {
 public:
  SelectorAddresses(const policy::Policy& policy, const std::vector<policy::PolicyNode>& nodes,
                    const AddressIndex& index);
  ~SelectorAddresses();

  const policy::IpSet& addresses(const policy::Selector& selector);
  // The approved subnet routes of every node (exit routes excluded), which "*" admits as a source.
  const policy::IpSet& subnetRoutes() const { return subnetRoutes_; }

 private:
  bool namesNodes(const policy::Selector& s) const;
  std::vector<std::size_t> matchingNodes(const policy::Selector& s) const;
  void addUserNodes(const std::string& name, std::vector<std::size_t>& out) const;
  policy::IpSet withHolders(const policy::IpPrefix& prefix) const;

  const policy::Policy& policy_;
  const std::vector<policy::PolicyNode>& nodes_;
  const AddressIndex& index_;
  policy::IpSet subnetRoutes_;
  std::unordered_map<std::string, std::vector<std::size_t>> byLogin_;  // untagged nodes only
  std::unordered_map<std::string, std::vector<std::size_t>> byTag_;
  std::unordered_map<std::string, policy::IpSet> cache_;  // by selector text
  std::unique_ptr<policy::SelectorResolver> ipsets_;      // made for the first ipset
};

}  // namespace postured::enforce::headscale
