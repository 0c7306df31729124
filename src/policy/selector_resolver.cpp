#include "policy/selector_resolver.h"

#include <algorithm>

namespace postured::policy {
namespace {

// ipsets may include other ipsets; validation does not look for cycles, so cap the depth.
constexpr int kMaxIpSetDepth = 16;

}  // namespace

SelectorResolver::SelectorResolver(const Policy& policy, const std::vector<PolicyNode>& nodes)
    : policy_(policy), nodes_(nodes) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& n = nodes_[i];
    for (const auto& r : n.subnetRoutes()) subnetRoutes_.add(r);
    if (!n.isTagged() && !n.userLogin.empty()) byLogin_[n.userLogin].push_back(i);
    for (const auto& t : n.tags) byTag_[t].push_back(i);
    for (const auto& a : n.addresses()) byAddress_[a.toString()].push_back(i);
  }
}

void SelectorResolver::addUserNodes(const std::string& name, std::vector<std::size_t>& out) const {
  auto add = [&](const std::string& login) {
    auto it = byLogin_.find(login);
    if (it != byLogin_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  if (name.empty()) return;
  add(name);
  // "alice@" names a login without a domain (GitHub-style identities).
  if (name.back() == '@') add(name.substr(0, name.size() - 1));
}

bool SelectorResolver::userMatches(const std::string& name, const PolicyNode& node) const {
  if (node.isTagged() || node.userLogin.empty()) return false;
  if (node.userLogin == name) return true;
  // "alice@" names a login without a domain (GitHub-style identities).
  return !name.empty() && name.back() == '@' && node.userLogin == name.substr(0, name.size() - 1);
}

std::vector<const PolicyNode*> SelectorResolver::matchingNodes(const Selector& s) const {
  std::vector<std::size_t> idx;
  auto add = [&](auto&& pred) {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (pred(nodes_[i])) idx.push_back(i);
  };
  switch (s.kind) {
    case SelectorKind::kUser:
      addUserNodes(s.name, idx);
      break;
    case SelectorKind::kUserDomain:
      add([&](const PolicyNode& n) {
        const auto& login = n.userLogin;
        return !n.isTagged() && login.size() > s.name.size() &&
               login.compare(login.size() - s.name.size() - 1, std::string::npos, "@" + s.name) == 0;
      });
      break;
    case SelectorKind::kGroup: {
      auto group = policy_.groups.find(s.name);
      if (group == policy_.groups.end()) break;
      for (const auto& member : group->second) addUserNodes(member.text, idx);
      break;
    }
    case SelectorKind::kTag: {
      auto it = byTag_.find(s.name);
      if (it != byTag_.end()) idx = it->second;
      break;
    }
    case SelectorKind::kAutogroup:
      if (s.is(Autogroup::kMember)) add([](const PolicyNode& n) { return !n.isTagged(); });
      if (s.is(Autogroup::kTagged)) add([](const PolicyNode& n) { return n.isTagged(); });
      if (s.is(Autogroup::kDangerAll)) add([](const PolicyNode&) { return true; });
      break;
    default:
      break;
  }
  // In tailnet order, each node once, whichever indexes found it.
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  std::vector<const PolicyNode*> out;
  out.reserve(idx.size());
  for (auto i : idx) out.push_back(&nodes_[i]);
  return out;
}

void SelectorResolver::addNodesHolding(const IpPrefix& prefix, IpSet& out) const {
  if (!prefix.isSingleIp()) return;
  auto it = byAddress_.find(prefix.addr.toString());
  if (it == byAddress_.end()) return;
  for (auto i : it->second) out.add(nodes_[i].addressSet());
}

IpSet SelectorResolver::resolveIpSet(const std::string& name, int depth) const {
  IpSet out;
  auto entries = policy_.ipsets.find(name);
  if (entries == policy_.ipsets.end() || depth > kMaxIpSetDepth) return out;
  for (const auto& e : entries->second) {
    std::string_view text = e.text;
    bool remove = false;
    if (text.rfind("add ", 0) == 0) text.remove_prefix(4);
    if (text.rfind("remove ", 0) == 0) {
      text.remove_prefix(7);
      remove = true;
    }
    auto sel = parseSelector(text, e.pos);
    if (!sel) continue;
    IpSet part = sel->kind == SelectorKind::kIpSet ? resolveIpSet(sel->name, depth + 1) : resolve(*sel);
    if (remove) {
      out.remove(part);
    } else {
      out.add(part);
    }
  }
  return out;
}

IpSet SelectorResolver::resolve(const Selector& s) const {
  IpSet out;
  switch (s.kind) {
    case SelectorKind::kWildcard:
      return tailnetAddresses();
    case SelectorKind::kPrefix:
      out.add(s.prefix);
      addNodesHolding(s.prefix, out);
      return out;
    case SelectorKind::kHost: {
      auto host = policy_.hosts.find(s.name);
      if (host == policy_.hosts.end()) return out;
      out.add(host->second);
      addNodesHolding(host->second, out);
      return out;
    }
    case SelectorKind::kIpSet:
      return resolveIpSet(s.name, 0);
    case SelectorKind::kAutogroup:
      if (s.is(Autogroup::kInternet)) return internetAddresses();
      if (s.is(Autogroup::kDangerAll)) return IpSet::all();
      break;
    default:
      break;
  }
  for (const auto* n : matchingNodes(s)) out.add(n->addressSet());
  return out;
}

IpSet SelectorResolver::resolveAll(const std::vector<Selector>& selectors) const {
  IpSet out;
  for (const auto& s : selectors) out.add(resolve(s));
  return out;
}

}  // namespace postured::policy
