// The policy benchmark's Cedar side: the same policy, devices and access
// checks written as Cedar input for bench/policy/cedar_bench.mjs.
//
// Model: entity types User (parents: its Groups), Group, Tag, Device (parents:
// its Tags, or its owner User when untagged: tags replace the user identity)
// and Action::"connect"; context.port carries the destination port. Each ACL
// destination of each source selector becomes one `permit` whose scope holds
// the source and destination selectors and whose `when` holds the port and the
// srcPosture (the rule's own, else defaultSrcPosture).
//
// Only what the benchmark uses is translated (user, group, tag and * selectors,
// posture conditions with ==, !=, orderings, IN, NOT IN, IS SET, NOT SET, no
// protocol restriction); anything else throws std::runtime_error, as do
// devices whose attributes the translation does not model (unset, or of
// another type than the conditions' literals).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::bench {

struct CedarQuery {
  std::size_t src = 0;  // index into the nodes
  std::size_t dst = 0;
  std::uint16_t port = 0;
  bool allowed = false;  // postured's decision
};

// Writes dir/policy.cedar, dir/entities.json and dir/queries.tsv (src id,
// dst id, port, 1 or 0 for postured's decision), creating dir.
void writeCedarFiles(const std::string& dir, const policy::Policy& policy, const std::vector<policy::PolicyNode>& nodes,
                     const std::vector<CedarQuery>& queries);

}  // namespace postured::bench
