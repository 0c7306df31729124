// The parsed form of a v2 policy: what Policy.validate looks at. Internal
// to the v2 parser (policy_v2_*.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hujson.h"
#include "policy_alias.h"

namespace postured::hsemu::policy {

struct AclRule {
  std::string protocol;
  std::vector<Alias> sources;
  std::vector<Destination> destinations;
};

struct GrantRule {
  std::vector<Alias> sources;
  std::vector<Alias> destinations;
  bool hasIp = false;
  std::vector<std::string> appCapabilities;
  std::vector<std::string> via;
};

struct SshRule {
  std::string action;
  std::vector<Alias> sources;
  std::vector<Alias> destinations;
  std::vector<std::string> users;
  bool hasCheckPeriod = false;
  bool checkAlways = false;
  std::int64_t checkPeriodNanos = 0;
  std::vector<std::string> acceptEnv;
};

struct NodeAttrRule {
  std::vector<Alias> targets;
  std::vector<std::string> attributes;
  std::vector<Alias> ipPool;
};

struct PolicyV2 {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  std::vector<std::pair<std::string, Alias>> hosts;
  std::vector<std::pair<std::string, std::vector<Alias>>> tagOwners;
  std::vector<AclRule> acls;
  std::vector<GrantRule> grants;
  std::vector<SshRule> ssh;
  std::vector<NodeAttrRule> nodeAttrs;
  std::vector<std::vector<Alias>> routeApprovers;
  std::vector<Alias> exitNodeApprovers;

  bool hasGroup(const std::string& name) const;
  bool hasHost(const std::string& name) const;
  bool hasTag(const std::string& name) const;
};

// Decoding (policy_v2_decode.cpp); throws DecodeError.
PolicyV2 decodePolicyV2(const hujson::Value& document);
// Sections with their own unmarshalers (policy_v2_sections.cpp); throw DecodeError.
void decodeGroups(const hujson::Value& value, const std::string& ptr, PolicyV2& policy);
void decodeHosts(const hujson::Value& value, const std::string& ptr, PolicyV2& policy);
void decodeTagOwners(const hujson::Value& value, const std::string& ptr, PolicyV2& policy);
void decodeAutoApprovers(const hujson::Value& value, const std::string& ptr, PolicyV2& policy);
// Aliases.UnmarshalJSON: an array of alias strings, each trimmed and parsed.
std::vector<Alias> decodeAliases(const hujson::Value& value, const std::string& ptr);
// Policy.validate (policy_v2_validate.cpp): every error, in headscale's order.
std::vector<std::string> validatePolicyV2(const PolicyV2& policy);

}  // namespace postured::hsemu::policy
