#include "enforce/policy_nodes.h"

#include <algorithm>

#include "core/attribute.h"

namespace postured::enforce {

policy::PolicyNode policyNodeFrom(const store::DeviceState& state, core::Timestamp now) {
  const auto& d = state.device;
  policy::PolicyNode node;
  node.id = d.id;
  node.name = d.id;
  node.hostname = d.hostname;
  node.userLogin = d.isTagged() ? std::string() : d.user;
  node.tags = d.tags;
  if (!d.ipv4.empty()) node.ipv4 = policy::IpAddress::parse(d.ipv4);
  if (!d.ipv6.empty()) node.ipv6 = policy::IpAddress::parse(d.ipv6);
  for (auto& [key, value] : core::deriveNodeAttributes(d)) node.attributes.set(key, std::move(value));
  for (const auto& a : state.attributes) {
    if (a.expiry && *a.expiry <= now) continue;  // expired: gone for readers even before the sweep
    node.attributes.set(a.key, a.value);
  }
  return node;
}

std::vector<policy::PolicyNode> policyNodesFrom(const std::vector<std::shared_ptr<const store::DeviceState>>& states,
                                                core::Timestamp now) {
  std::vector<const store::DeviceState*> sorted;
  sorted.reserve(states.size());
  for (const auto& s : states)
    if (s) sorted.push_back(s.get());
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->device.id < b->device.id; });
  std::vector<policy::PolicyNode> nodes;
  nodes.reserve(sorted.size());
  for (const auto* s : sorted) nodes.push_back(policyNodeFrom(*s, now));
  return nodes;
}

bool sameIdentity(const policy::PolicyNode& a, const policy::PolicyNode& b) {
  return a.id == b.id && a.name == b.name && a.hostname == b.hostname && a.userLogin == b.userLogin &&
         a.tags == b.tags && a.ipv4 == b.ipv4 && a.ipv6 == b.ipv6 && a.approvedRoutes == b.approvedRoutes;
}

std::optional<core::Timestamp> nextExpiry(const store::DeviceState& state, core::Timestamp now) {
  std::optional<core::Timestamp> next;
  for (const auto& a : state.attributes)
    if (a.expiry && *a.expiry > now && (!next || *a.expiry < *next)) next = a.expiry;
  return next;
}

std::optional<core::Timestamp> nextExpiry(const std::vector<std::shared_ptr<const store::DeviceState>>& states,
                                          core::Timestamp now) {
  std::optional<core::Timestamp> next;
  for (const auto& s : states) {
    if (!s) continue;
    if (auto e = nextExpiry(*s, now); e && (!next || *e < *next)) next = e;
  }
  return next;
}

}  // namespace postured::enforce
