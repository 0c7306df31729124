// The compiled policy of a tailnet, kept current as devices and their posture
// attributes change: every node's packet filter, identical to what
// FilterCompiler produces from scratch on the same inputs (rules, order and
// text).
//
// Compilation resolves each rule's sources once and indexes which node every
// destination concerns; a node's filter is assembled from that index when
// asked for. An attribute change re-evaluates only the postures that read a
// changed key, re-resolves the sources of the rules whose postures the device
// now meets differently, and reports the nodes those rules reach. Changes to
// the policy or to a node's identity (addresses, tags, user, routes) recompile.
//
// Every mutator returns the ids of the nodes whose filter may have changed: a
// superset of the nodes whose filter did change (exact for source changes; a
// node can be listed when only the merge order around it moved). Not
// thread-safe for mutation; const members may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "policy/filter_rule.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::policy {

struct PolicyEngineStats {
  std::uint64_t fullCompiles = 0;
  std::uint64_t attributeUpdates = 0;    // setAttributes calls (a batch counts once)
  std::uint64_t postureEvaluations = 0;  // (node, posture) evaluations in incremental updates
  std::uint64_t sourceRecomputes = 0;    // rules whose sources were resolved again incrementally
  std::uint64_t nodesReported = 0;       // node ids returned as changed
};

class PolicyEngine {
 public:
  PolicyEngine();
  PolicyEngine(Policy policy, std::vector<PolicyNode> nodes);
  ~PolicyEngine();
  PolicyEngine(const PolicyEngine&) = delete;
  PolicyEngine& operator=(const PolicyEngine&) = delete;
  PolicyEngine(PolicyEngine&&) noexcept;
  PolicyEngine& operator=(PolicyEngine&&) noexcept;

  // Each returns the ids of nodes whose filter may have changed, in tailnet order.
  std::vector<std::string> setPolicy(Policy policy);
  std::vector<std::string> upsertNode(PolicyNode node);  // by id
  std::vector<std::string> removeNode(const std::string& nodeId);
  // Replaces the node's posture attributes. Unknown ids change nothing.
  std::vector<std::string> setAttributes(const std::string& nodeId, AttributeSet attributes);
  std::vector<std::string> setAttributes(std::vector<std::pair<std::string, AttributeSet>> batch);

  // The node's filter, by node name as FilterCompiler keys it; empty when unknown.
  std::vector<FilterRule> filterFor(const std::string& nodeName) const;
  std::vector<FilterRule> filterForId(const std::string& nodeId) const;
  std::map<std::string, std::vector<FilterRule>> allFilters() const;  // by node name

  // Whether the filter of node `dstNodeId` accepts a packet from `src` to
  // `dst`:`port` with IP protocol `proto` (6 TCP, 17 UDP, 1 ICMP). Port rules
  // only (CapGrant rules carry no ports). False for an unknown node.
  bool admits(const std::string& dstNodeId, const IpAddress& src, const IpAddress& dst, int proto,
              std::uint16_t port) const;

  const Policy& policy() const;
  const std::vector<PolicyNode>& nodes() const;
  const PolicyNode* node(const std::string& nodeId) const;  // null when unknown
  const PolicyEngineStats& stats() const { return stats_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  PolicyEngineStats stats_;
};

}  // namespace postured::policy
