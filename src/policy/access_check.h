// "May A reach B on this port, and why (not)?" for one policy and a set of
// nodes, with the semantics of the filter compiler: a request is allowed
// exactly when the destination node's compiled filter admits the source's
// address on that protocol and port (tests/policy/access_check_test.cpp checks
// this against FilterCompiler on corpus policies).
//
// Each ACL and grant is compiled on its own, once ignoring postures (does it
// match src, dst, port, proto?) and once with them (does the source pass?), so
// the decision names the rule that allowed it, or the rules that matched but
// whose postures the source failed, with every condition's actual value.
// Pure functions; thread-safe on const inputs. Costs two compilations per rule:
// meant for explanations, not for the data path.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "policy/filter_rule.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::policy {

enum class AccessProto { kTcp, kUdp, kIcmp };

// "tcp" (also ""), "udp", "icmp"; case-insensitive.
core::Result<AccessProto> parseAccessProto(std::string_view text);
std::string_view accessProtoName(AccessProto proto);

struct ConditionCheck {
  std::string condition;  // as written in the policy
  bool passed = false;
  std::optional<core::AttributeValue> actual;  // nullopt: the device does not have the attribute
  std::string reason;                          // from explain()
};

struct PostureCheckResult {
  std::string name;  // "posture:trusted"
  bool passed = false;
  std::vector<ConditionCheck> conditions;
};

// Every condition of the posture named `name` ("posture:trusted") evaluated
// on `node`, with the reasons; an undefined posture is never met.
PostureCheckResult checkPosture(const Policy& policy, const PolicyNode& node, const std::string& name);

enum class RuleKind { kAcl, kGrant };

struct RuleMatch {
  RuleKind kind = RuleKind::kAcl;
  int line = 0;
  bool defaultPosture = false;               // the postures are the policy's defaultSrcPosture
  bool postureOk = true;                     // no postures, or the source meets one of them
  std::vector<PostureCheckResult> postures;  // the rule's postures, evaluated on the source
};

struct AccessDecision {
  bool allowed = false;
  std::string src, dst;  // as requested
  AccessProto proto = AccessProto::kTcp;
  std::optional<RuleMatch> rule;       // the first rule that allows it
  std::vector<RuleMatch> failedRules;  // denied: rules that matched, but not the source's postures
  std::string reason;                  // one sentence
};

struct AccessRequest {
  std::string src;  // a node name (or hostname, or one of its addresses)
  std::string dst;  // "node", "node:443", "100.64.0.1:22", "[fd7a:115c:a1e0::1]:22", "10.0.0.5:80"
  std::string proto = "tcp";
};

// Errors (kInvalidArgument, field "src"/"dst"/"proto") for an unknown node,
// an unreadable destination or protocol. A destination without a port asks
// whether any port is reachable (for icmp ports do not apply).
core::Result<AccessDecision> checkAccess(const Policy& policy, const std::vector<PolicyNode>& nodes,
                                         const AccessRequest& request);

// The decision for resolved endpoints: nodes[srcIndex] sending to `dstIp`,
// which nodes[dstIndex] holds or routes. Used by the policy tests runner.
// `dstLabel` names the destination in the decision (default: dstIp[:port]).
AccessDecision decideAccess(const Policy& policy, const std::vector<PolicyNode>& nodes, std::size_t srcIndex,
                            std::size_t dstIndex, const IpAddress& dstIp, std::optional<std::uint16_t> port,
                            AccessProto proto, const std::string& dstLabel = {});

// Whether a compiled filter lets a packet from `src` to `dst` through
// (empty IPProto means TCP, UDP and ICMP; ICMP ignores ports; no port: any).
bool filterAdmits(const std::vector<FilterRule>& filter, const IpAddress& src, const IpAddress& dst, int ipProto,
                  std::optional<std::uint16_t> port);

// {"allowed", "src", "dst", "proto", "rule": {"line", "kind"}, "postures": [...],
//  "failedRules": [{"line", "kind", "postures": [...]}], "reason"}.
nlohmann::json toJson(const AccessDecision& decision);
// Several lines of readable text, ending in a newline.
std::string formatDecision(const AccessDecision& decision);

}  // namespace postured::policy
