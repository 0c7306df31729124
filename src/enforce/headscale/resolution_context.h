// What resolving a policy's postures computes once and reuses for every rule:
// the addresses each selector stands for (resolution_selectors.h), which
// nodes meet each posture (each (node, posture) evaluated once), the nodes
// failing each srcPosture list, the tailnet's users with their devices, and
// the index that writes addresses back (resolution_addresses.h).
//
// Sources are computed as FilterCompiler::resolveSources does, so the
// resolved policy compiles to the same SrcIPs:
//   set    = the sources' addresses minus every address of a node that meets
//            none of the postures (non-node addresses stay);
//   ranges = set, plus the approved subnet routes when "*" is a source.
//
// Not thread-safe (the caches fill on use). It refers to the policy and
// nodes, which must outlive it; between resolutions the nodes' attributes may
// change in place (attributesChanged), nothing else of them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "enforce/headscale/resolution_addresses.h"
#include "enforce/headscale/resolution_selectors.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::enforce::headscale {

struct RuleSources {
  policy::IpSet set;       // what the compiler keeps of the sources (its ResolvedSources::set)
  policy::IpSet ranges;    // what its SrcIPs stand for: `set`, plus approved subnet routes for "*"
  bool narrowed = false;   // a source node fails the postures (set is smaller than the sources)
  bool wildcard = false;   // "*" is a source
  bool dangerAll = false;  // autogroup:danger-all is a source
};

class ResolutionContext {
 public:
  ResolutionContext(const policy::Policy& policy, const std::vector<policy::PolicyNode>& nodes);

  const policy::Policy& policy() const { return policy_; }
  const std::vector<policy::PolicyNode>& nodes() const { return nodes_; }

  const policy::IpSet& addresses(const policy::Selector& selector) { return selectors_.addresses(selector); }
  // Positions in nodes() of the nodes a selector names: those with an address in addresses().
  const std::vector<std::size_t>& namedNodes(const policy::Selector& selector);
  // Positions of the nodes with an address in `set`, ascending.
  std::vector<std::size_t> nodesIn(const policy::IpSet& set) const { return index_.nodesIn(set); }

  // Whether node `i` meets at least one of `postures` (an empty list admits everyone).
  bool passes(std::size_t i, const std::vector<policy::PolicyString>& postures);
  const RuleSources& sources(const std::vector<policy::Selector>& src,
                             const std::vector<policy::PolicyString>& postures);

  // The attributes of the nodes at these positions changed (nothing else
  // did): brings up to date what postures decide, those nodes' posture
  // results, the lists' failing nodes, and the sources that hold a node that
  // started or stopped passing (the others stay as they were).
  void attributesChanged(const std::vector<std::size_t>& positions);

  // Untagged nodes grouped by login (FilterCompiler's "same user" for
  // autogroup:self), groups in login order, each group in address order.
  const std::vector<std::vector<const policy::PolicyNode*>>& users();
  // The position in users() of node `i`'s group; -1 for a tagged node.
  int userOf(std::size_t i);

  // Sets written back as selector strings (resolution_addresses.h).
  std::vector<std::string> addressSelectors(const policy::IpSet& set, int line, std::vector<std::string>& warnings) {
    return index_.selectors(set, line, warnings);
  }
  std::shared_ptr<const std::string> sourceText(const policy::IpSet& set, int line,
                                                std::vector<std::string>& warnings) {
    return index_.sourceText(set, line, warnings);
  }
  void forgetWritten() { index_.forgetWritten(); }
  std::vector<std::string> addressDestinations(const policy::IpSet& set, int line,
                                               std::vector<std::string>& warnings) {
    return index_.destinations(set, line, warnings);
  }

 private:
  struct PostureList {
    std::vector<std::string> names;
    std::vector<char> passes;  // by node position
    policy::IpSet failing;     // every address of the nodes that pass none
  };
  struct CachedSources {
    RuleSources sources;
    const PostureList* postures = nullptr;  // null without postures
    policy::IpSet all;                      // the sources' addresses, postures aside
  };
  static std::string postureKey(const std::vector<policy::PolicyString>& postures);
  const PostureList& postureList(const std::vector<policy::PolicyString>& postures);
  void fillFailing(PostureList& list) const;
  // Computes entry.sources from entry.all and the postures' failing nodes.
  void narrow(CachedSources& entry);
  const std::vector<char>& postureResults(const std::string& name);

  const policy::Policy& policy_;
  const std::vector<policy::PolicyNode>& nodes_;
  AddressIndex index_;
  SelectorAddresses selectors_;
  std::unordered_map<std::string, std::vector<std::size_t>> namedNodes_;  // by selector text
  std::unordered_map<std::string, std::vector<char>> postureResults_;     // by posture name
  std::map<std::string, PostureList> postureLists_;                       // by the list's names, sorted
  std::unordered_map<std::string, CachedSources> sources_;                // by selector texts and posture names
  std::vector<std::vector<const policy::PolicyNode*>> users_;
  std::vector<int> userOf_;  // by node position
  bool usersBuilt_ = false;
};

}  // namespace postured::enforce::headscale
