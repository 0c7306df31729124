// The policy file (Tailscale's format, with postures) as a typed model.
//
// parsePolicy reads HuJSON text, rejects unknown keys and wrong types, parses
// every selector, port list and protocol, and validates cross references
// (groups, tags, hosts, postures, autogroup placement). Errors are
// kInvalidArgument values whose message starts with "line L, column C: "; for
// the checks Tailscale also makes, the message contains Tailscale's own text.
//
// Every rule keeps the position of its opening brace, so explanations can cite
// "the rule on line 12". A Policy is an immutable value after parsing.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "policy/hujson.h"
#include "policy/ip_set.h"
#include "policy/posture_condition.h"
#include "policy/selectors.h"

namespace postured::policy {

// A string from the policy together with where it was written.
struct PolicyString {
  std::string text;
  SourcePos pos;
};

struct AclRule {
  std::string action;  // always "accept"
  std::vector<Selector> src;
  std::vector<DstSelector> dst;
  std::string proto;        // as written; "" when absent
  std::vector<int> ipProto;  // empty: not restricted
  std::vector<PolicyString> srcPosture;  // empty: defaultSrcPosture applies
  SourcePos pos;
};

struct Grant {
  std::vector<Selector> src;
  std::vector<Selector> dst;
  std::vector<ProtoPorts> ip;
  nlohmann::json app = nlohmann::json::object();  // capability name -> array of values
  std::vector<Selector> via;                      // tags
  std::vector<PolicyString> srcPosture;
  SourcePos pos;
};

struct Posture {
  std::string name;  // "posture:trusted"
  std::vector<PolicyString> conditions;  // "node:os == 'macos'", AND-ed
  std::vector<PostureCondition> parsed;  // parallel to conditions
  SourcePos pos;
};

struct PolicyTest {
  PolicyString src;
  nlohmann::json srcPostureAttrs = nlohmann::json::object();
  std::string proto;
  std::vector<PolicyString> accept;  // "host:port"
  std::vector<PolicyString> deny;
  SourcePos pos;
};

struct SshTest {
  PolicyString src;
  std::vector<PolicyString> dst;
  std::vector<PolicyString> accept;  // local users
  std::vector<PolicyString> check;
  std::vector<PolicyString> deny;
  SourcePos pos;
};

struct SshRule {
  std::string action;  // "accept" or "check"
  std::vector<Selector> src;
  std::vector<Selector> dst;
  std::vector<PolicyString> users;
  std::string checkPeriod;
  std::vector<PolicyString> acceptEnv;
  std::vector<PolicyString> srcPosture;
  SourcePos pos;
};

struct NodeAttr {
  std::vector<Selector> target;
  std::vector<PolicyString> attr;
  nlohmann::json app = nlohmann::json::object();
  SourcePos pos;
};

struct AutoApprovers {
  std::vector<std::pair<IpPrefix, std::vector<PolicyString>>> routes;
  std::vector<PolicyString> exitNode;
};

struct AttrConfig {
  std::string type;  // "string", "bool" or "number"
  bool allowSetByNode = false;
  std::vector<PolicyString> broadcastToPeers;
  SourcePos pos;
};

// A field added here is also copied by withoutRules() in access_check.cpp.
struct Policy {
  std::map<std::string, std::vector<PolicyString>> groups;     // "group:x" -> user logins
  std::map<std::string, std::vector<PolicyString>> tagOwners;  // "tag:x" -> users, groups, tags
  std::map<std::string, IpPrefix> hosts;
  std::map<std::string, std::vector<PolicyString>> ipsets;  // "ipset:x" -> entries ("add "/"remove " prefixes allowed)
  std::map<std::string, Posture> postures;
  std::vector<PolicyString> defaultSrcPosture;
  std::vector<AclRule> acls;
  std::vector<Grant> grants;
  std::vector<PolicyTest> tests;
  std::vector<SshTest> sshTests;
  std::vector<SshRule> ssh;
  std::vector<NodeAttr> nodeAttrs;
  AutoApprovers autoApprovers;
  std::map<std::string, AttrConfig> attrConfig;
  nlohmann::json derpMap;  // passed through to nodes; null when absent
  bool randomizeClientPort = false;
  bool disableIpv4 = false;
  std::string oneCgnatRoute;
  // True when the file has neither `acls` nor `grants`: Tailscale then allows
  // everything, as its default policy does.
  bool allowAll() const { return !hasAcls && !hasGrants; }
  bool hasAcls = false;
  bool hasGrants = false;
};

core::Result<Policy> parsePolicy(std::string_view text);

}  // namespace postured::policy
