// A posture-aware policy with its postures evaluated now, as a policy that
// headscale accepts (headscale has no device posture and rejects `postures`,
// `srcPosture` and the fields it does not know).
//
// The result is the policy with:
//  - the `src` of every ACL rule and grant that a posture constrains (its own
//    `srcPosture`, else `defaultSrcPosture`) replaced by the addresses its
//    sources stand for once the source nodes that pass none of its postures
//    are left out: the tailnet addresses of exactly the matching nodes that
//    pass, plus whatever non-node addresses the sources named (posture does
//    not constrain them), plus for "*" the approved subnet routes; a rule
//    that no source passes is dropped, never left with an empty `src`.
//    autogroup:self destinations become one rule per user, and "*" or
//    autogroup:danger-all sources that lose no node stay as written
//    (resolution_rules.h has the details);
//  - SSH rules narrowed in the same spirit, fail closed (headscale's SSH
//    sources cannot name single devices: resolution_ssh.h);
//  - every `ipset:` reference written out as its addresses (resolution_ipsets.h);
//  - only the top-level fields headscale accepts (groups, hosts, tagOwners,
//    acls, grants, nodeAttrs, autoApprovers, ssh, randomizeClientPort) and of
//    each rule only the fields headscale reads. `postures`, `defaultSrcPosture`,
//    `tests`, `sshTests` and `ipsets` go silently; any other field left out
//    (derpMap, attrConfig, disableIPv4, OneCGNATRoute) is named in `warnings`.
// Rules without postures stay as written. Compiling the result with no
// attributes gives every node the packet filter that compiling `policy` with
// the nodes' attributes gives (tests/enforce/resolution_exactness_test.cpp
// proves it on every case). Two things one policy text cannot say are left
// as close as it can, each with a warning or a documented direction:
//  - a single address that names only part of a node (a CIDR source covering
//    a passing node's IPv4 address but not its IPv6 one, cut apart by failing
//    neighbours) must be written alone, and a lone address names the whole
//    node: its other addresses are admitted too (a warning names the node);
//  - the drive/relay companion of an app grant from "*" (resolution_rules.h).
// Each (node, posture) is evaluated once and each selector resolved once.
//
// The text is plain JSON, deterministic (the same inputs give the same
// bytes, whatever the order of `nodes`), indented for people to read.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::enforce::headscale {

struct ResolvedPolicy {
  std::string text;                   // the JSON to PUT to headscale
  std::vector<std::string> warnings;  // "line 3: derpMap is not accepted by headscale and was left out", ...
  std::size_t rulesResolved = 0;      // posture-constrained rules (ACL, grant, SSH) kept with resolved sources
  std::size_t rulesDropped = 0;       // posture-constrained rules that grant nothing now and were left out
};

// `text` is the policy file as saved (HuJSON) and `policy` its parsed model;
// `nodes` every device with its current attributes (expired ones already
// left out). Fails only on a text that does not parse (or does not match the
// model), which a saved policy never does.
// Pure function; thread-safe.
core::Result<ResolvedPolicy> resolvePostures(std::string_view text, const policy::Policy& policy,
                                             const std::vector<policy::PolicyNode>& nodes);

// resolvePostures for a caller that resolves again and again as attributes
// change (the headscale push): it keeps what the last resolution computed
// and, when told which nodes may have changed since, evaluates only those
// nodes' postures again and rewrites only the rules whose sources' set
// (RuleSources::set) changed; every other rule keeps its text (a rule's
// output depends on attributes only through that set: resolution_rules.h).
// The result is byte for byte what resolvePostures gives on the same inputs
// (tests/enforce/policy_resolver_test.cpp). Not thread-safe.
class PolicyResolver {
 public:
  PolicyResolver();
  ~PolicyResolver();
  PolicyResolver(const PolicyResolver&) = delete;
  PolicyResolver& operator=(const PolicyResolver&) = delete;

  // As resolvePostures. `changedIds`, when given, is the caller's promise
  // that of the nodes only those with these ids may differ from the last
  // call's; without it (or when the text, the node ids or a changed node's
  // identity differ) everything is resolved again. `nodes` is taken when
  // everything is, else only the changed nodes' attributes are (the caller
  // then drops the rest when it suits it: after the push). A failure forgets
  // the past.
  core::Result<ResolvedPolicy> resolve(std::string_view text, std::shared_ptr<const policy::Policy> policy,
                                       std::vector<policy::PolicyNode>&& nodes,
                                       const std::vector<std::string>* changedIds = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace postured::enforce::headscale
