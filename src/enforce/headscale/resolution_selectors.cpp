#include "enforce/headscale/resolution_selectors.h"

#include <algorithm>

namespace postured::enforce::headscale {

using policy::Autogroup;
using policy::IpAddress;
using policy::IpSet;
using policy::PolicyNode;
using policy::Selector;
using policy::SelectorKind;

SelectorAddresses::SelectorAddresses(const policy::Policy& policy, const std::vector<PolicyNode>& nodes,
                                     const AddressIndex& index)
    : policy_(policy), nodes_(nodes), index_(index) {
  std::vector<policy::IpPrefix> routes;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& n = nodes_[i];
    for (const auto& r : n.approvedRoutes)
      if (r.bits != 0) routes.push_back(r);
    if (!n.isTagged() && !n.userLogin.empty()) byLogin_[n.userLogin].push_back(i);
    for (const auto& t : n.tags) byTag_[t].push_back(i);
  }
  std::sort(routes.begin(), routes.end(), [](const auto& a, const auto& b) { return addressLess(a.addr, b.addr); });
  for (const auto& r : routes) subnetRoutes_.addRange(r.first(), r.last());
}

SelectorAddresses::~SelectorAddresses() = default;

void SelectorAddresses::addUserNodes(const std::string& name, std::vector<std::size_t>& out) const {
  auto add = [&](const std::string& login) {
    auto it = byLogin_.find(login);
    if (it != byLogin_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  if (name.empty()) return;
  add(name);
  if (name.back() == '@') add(name.substr(0, name.size() - 1));  // a login without a domain
}

bool SelectorAddresses::namesNodes(const Selector& s) const {
  switch (s.kind) {
    case SelectorKind::kUser:
    case SelectorKind::kUserDomain:
    case SelectorKind::kGroup:
    case SelectorKind::kTag:
      return true;
    case SelectorKind::kAutogroup:
      return s.is(Autogroup::kMember) || s.is(Autogroup::kTagged);
    default:
      return false;
  }
}

std::vector<std::size_t> SelectorAddresses::matchingNodes(const Selector& s) const {
  std::vector<std::size_t> out;
  auto scan = [&](auto&& pred) {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (pred(nodes_[i])) out.push_back(i);
  };
  switch (s.kind) {
    case SelectorKind::kUser:
      addUserNodes(s.name, out);
      break;
    case SelectorKind::kUserDomain: {
      const std::string suffix = "@" + s.name;
      scan([&](const PolicyNode& n) {
        const auto& login = n.userLogin;
        return !n.isTagged() && login.size() > s.name.size() &&
               login.compare(login.size() - suffix.size(), std::string::npos, suffix) == 0;
      });
      break;
    }
    case SelectorKind::kGroup:
      if (auto group = policy_.groups.find(s.name); group != policy_.groups.end())
        for (const auto& member : group->second) addUserNodes(member.text, out);
      break;
    case SelectorKind::kTag:
      if (auto it = byTag_.find(s.name); it != byTag_.end()) out = it->second;
      break;
    default:
      if (s.is(Autogroup::kMember)) scan([](const PolicyNode& n) { return !n.isTagged(); });
      if (s.is(Autogroup::kTagged)) scan([](const PolicyNode& n) { return n.isTagged(); });
      break;
  }
  return out;
}

IpSet SelectorAddresses::withHolders(const policy::IpPrefix& prefix) const {
  IpSet out;
  out.add(prefix);
  if (!prefix.isSingleIp()) return out;
  for (auto i : index_.holders(prefix.addr)) out = unite(out, nodes_[i].addressSet());
  return out;
}

const IpSet& SelectorAddresses::addresses(const Selector& s) {
  auto [it, inserted] = cache_.try_emplace(s.text);
  if (!inserted) return it->second;
  IpSet& out = it->second;
  if (namesNodes(s)) {
    std::vector<IpAddress> all;
    for (auto i : matchingNodes(s)) {
      if (nodes_[i].ipv4) all.push_back(*nodes_[i].ipv4);
      if (nodes_[i].ipv6) all.push_back(*nodes_[i].ipv6);
    }
    out = setOf(std::move(all));
    return out;
  }
  switch (s.kind) {
    case SelectorKind::kWildcard:
      out = policy::tailnetAddresses();
      break;
    case SelectorKind::kPrefix:
      out = withHolders(s.prefix);
      break;
    case SelectorKind::kHost:
      if (auto host = policy_.hosts.find(s.name); host != policy_.hosts.end()) out = withHolders(host->second);
      break;
    case SelectorKind::kIpSet:
      if (!ipsets_) ipsets_ = std::make_unique<policy::SelectorResolver>(policy_, nodes_);
      out = ipsets_->resolve(s);
      break;
    default:
      if (s.is(Autogroup::kInternet)) out = policy::internetAddresses();
      if (s.is(Autogroup::kDangerAll)) out = IpSet::all();
      break;
  }
  return out;
}

}  // namespace postured::enforce::headscale
