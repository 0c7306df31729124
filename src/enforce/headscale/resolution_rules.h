// One ACL rule or grant with its postures resolved into explicit sources.
//
// A rule without postures (no srcPosture, no defaultSrcPosture) stays as
// written (ipsets expanded). A posture-constrained rule:
//  - whose sources nobody passes and that names no other address is dropped;
//  - whose sources hold "*" or autogroup:danger-all and lose no node keeps
//    its sources as written: they stand for address ranges that include every
//    node, so addresses would change nothing but the text;
//  - otherwise gets as `src` the addresses the compiler keeps: the passing
//    nodes' addresses, the non-node addresses the sources name, and for "*"
//    the tailnet ranges without the failing nodes plus the approved subnet
//    routes (SrcIPs of a "*" source include them).
// Destinations stay as written, except autogroup:self, which needs user
// sources: it becomes, for each user with passing source devices, a rule from
// those devices to all of that user's devices (the filter each of them gets
// from autogroup:self). Those rules come after every other rule (`selfAcls`,
// `selfGrants`), where the compiler puts the autogroup:self rules; port rules
// become ACLs so that they also follow the other ACLs' rules.
//
// Drive and relay grants from "*": the compiler gives the companion rule
// (destinations back to sources) the sources without the subnet routes while
// the grant's own rule has them, which one `src` cannot say; the app part is
// then a grant of its own from the sources without the routes (fail closed:
// subnet-routed addresses, which cannot use app capabilities, lose the grant
// rather than routers gaining a companion capability).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enforce/headscale/resolution_context.h"
#include "enforce/headscale/resolution_text.h"
#include "policy/policy_model.h"

namespace postured::enforce::headscale {

struct ResolvedRule {
  std::vector<RuleEntry> entries;     // in place of the rule
  std::vector<RuleEntry> selfAcls;    // to append after every ACL
  std::vector<RuleEntry> selfGrants;  // to append after every grant
  bool constrained = false;  // a posture applies to the rule
  bool dropped = false;      // the rule grants nothing now and was left out
};

// The output is a function of the rule, the nodes' identities and the
// rule's RuleSources::set alone (attributes act only through it), which lets
// a resolution keep a rule's output while its set stays (policy_resolution.h).
ResolvedRule resolveAcl(ResolutionContext& context, const policy::AclRule& rule, const nlohmann::json& entry,
                        std::vector<std::string>& warnings);
ResolvedRule resolveGrant(ResolutionContext& context, const policy::Grant& grant, const nlohmann::json& entry,
                          std::vector<std::string>& warnings);
// The postures that constrain a rule: its own, else the policy's default.
const std::vector<policy::PolicyString>& posturesOf(const policy::Policy& policy,
                                                    const std::vector<policy::PolicyString>& own);

// The fields headscale reads of each kind of rule (hscontrol/policy/v2/types.go).
nlohmann::json keepFields(const nlohmann::json& entry, const std::vector<std::string>& fields);

}  // namespace postured::enforce::headscale
