// The compiler's view of a device: who owns it, its tags, its addresses, the
// subnet routes it is approved to serve, and its posture attributes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "policy/ip_set.h"
#include "policy/posture_condition.h"

namespace postured::policy {

struct PolicyNode {
  std::string id;
  std::string name;         // the node's name in the tailnet (filters are keyed by it)
  std::string hostname;
  std::string userLogin;    // "alice@example.com"; empty for a tagged node
  std::vector<std::string> tags;
  std::optional<IpAddress> ipv4;
  std::optional<IpAddress> ipv6;
  std::vector<IpPrefix> approvedRoutes;  // subnet and exit routes the node may serve
  AttributeSet attributes;  // posture attributes: "node:os" -> 'linux', "sentinelOne:infected" -> false, ...

  bool isTagged() const { return !tags.empty(); }
  bool hasTag(const std::string& tag) const;
  std::vector<IpAddress> addresses() const;  // IPv4 first
  IpSet addressSet() const;
  bool hasAddressIn(const IpSet& set) const;
  // Approved routes other than the exit routes 0.0.0.0/0 and ::/0.
  std::vector<IpPrefix> subnetRoutes() const;
  // Approved 0.0.0.0/0 or ::/0 routes.
  std::vector<IpPrefix> exitRoutes() const;
};

// Whether `node` meets the posture named `postureName` ("posture:trusted").
// The compiler calls it once per (source node, posture) while compiling.
using PostureCheck = std::function<bool(const PolicyNode& node, const std::string& postureName)>;

}  // namespace postured::policy
