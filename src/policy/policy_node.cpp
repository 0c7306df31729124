#include "policy/policy_node.h"

#include <algorithm>

namespace postured::policy {

bool PolicyNode::hasTag(const std::string& tag) const { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }

std::vector<IpAddress> PolicyNode::addresses() const {
  std::vector<IpAddress> out;
  if (ipv4) out.push_back(*ipv4);
  if (ipv6) out.push_back(*ipv6);
  return out;
}

IpSet PolicyNode::addressSet() const {
  IpSet s;
  for (const auto& a : addresses()) s.add(a);
  return s;
}

bool PolicyNode::hasAddressIn(const IpSet& set) const {
  return (ipv4 && set.contains(*ipv4)) || (ipv6 && set.contains(*ipv6));
}

std::vector<IpPrefix> PolicyNode::subnetRoutes() const {
  std::vector<IpPrefix> out;
  for (const auto& r : approvedRoutes)
    if (r.bits != 0) out.push_back(r);
  return out;
}

std::vector<IpPrefix> PolicyNode::exitRoutes() const {
  std::vector<IpPrefix> out;
  for (const auto& r : approvedRoutes)
    if (r.bits == 0) out.push_back(r);
  return out;
}

}  // namespace postured::policy
