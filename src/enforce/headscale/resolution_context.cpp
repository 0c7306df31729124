#include "enforce/headscale/resolution_context.h"

#include <algorithm>
#include <set>

#include "policy/access_rules.h"
#include "policy/posture_evaluator.h"

namespace postured::enforce::headscale {
namespace {

using policy::IpAddress;
using policy::IpSet;
using policy::PolicyNode;

// Nodes in an order that does not depend on the order they were given in.
bool nodeLess(const PolicyNode* a, const PolicyNode* b) {
  const auto aa = a->addresses();
  const auto ba = b->addresses();
  if (!aa.empty() && !ba.empty() && !(aa.front() == ba.front())) return addressLess(aa.front(), ba.front());
  if (aa.empty() != ba.empty()) return !aa.empty();
  return a->name < b->name;
}

}  // namespace

ResolutionContext::ResolutionContext(const policy::Policy& policy, const std::vector<PolicyNode>& nodes)
    : policy_(policy), nodes_(nodes), index_(nodes), selectors_(policy, nodes, index_) {}

const std::vector<std::size_t>& ResolutionContext::namedNodes(const policy::Selector& selector) {
  auto found = namedNodes_.find(selector.text);
  if (found != namedNodes_.end()) return found->second;
  return namedNodes_.emplace(selector.text, index_.nodesIn(addresses(selector))).first->second;
}

const std::vector<char>& ResolutionContext::postureResults(const std::string& name) {
  auto [it, inserted] = postureResults_.try_emplace(name);
  if (inserted) {
    it->second.resize(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) it->second[i] = policy::meetsPosture(policy_, nodes_[i], name);
  }
  return it->second;
}

std::string ResolutionContext::postureKey(const std::vector<policy::PolicyString>& postures) {
  std::set<std::string> names;
  for (const auto& p : postures) names.insert(p.text);
  std::string key;
  for (const auto& n : names) key += n + "\n";
  return key;
}

void ResolutionContext::fillFailing(PostureList& list) const {
  // In address order already: no sorting.
  list.failing = index_.addressesOf([&](std::size_t node) { return !list.passes[node]; });
}

const ResolutionContext::PostureList& ResolutionContext::postureList(
    const std::vector<policy::PolicyString>& postures) {
  auto [it, inserted] = postureLists_.try_emplace(postureKey(postures));
  if (!inserted) return it->second;
  PostureList& list = it->second;
  std::set<std::string> names;
  for (const auto& p : postures) names.insert(p.text);
  list.names.assign(names.begin(), names.end());
  list.passes.assign(nodes_.size(), names.empty() ? 1 : 0);
  for (const auto& name : list.names) {
    const auto& results = postureResults(name);
    for (std::size_t i = 0; i < nodes_.size(); ++i) list.passes[i] = list.passes[i] || results[i];
  }
  fillFailing(list);
  return list;
}

bool ResolutionContext::passes(std::size_t i, const std::vector<policy::PolicyString>& postures) {
  return postureList(postures).passes[i] != 0;
}

const RuleSources& ResolutionContext::sources(const std::vector<policy::Selector>& src,
                                              const std::vector<policy::PolicyString>& postures) {
  std::string key;
  for (const auto& s : src) key += s.text + '\n';
  key += '|';
  for (const auto& p : postures) key += p.text + '\n';
  auto [cached, inserted] = sources_.try_emplace(std::move(key));
  CachedSources& entry = cached->second;
  if (!inserted) return entry.sources;
  for (const auto& s : src) entry.all = unite(entry.all, addresses(s));
  entry.sources.wildcard = policy::hasWildcard(src);
  entry.sources.dangerAll = policy::hasAutogroup(src, policy::Autogroup::kDangerAll);
  if (!postures.empty()) entry.postures = &postureList(postures);
  narrow(entry);
  return entry.sources;
}

void ResolutionContext::narrow(CachedSources& entry) {
  RuleSources& out = entry.sources;
  if (!entry.postures) {
    out.set = entry.all;
  } else {
    // Removing every failing node's addresses equals the compiler's removal of
    // those failing nodes that hold a source address: the others hold none.
    out.set = minus(entry.all, entry.postures->failing);
    out.narrowed = !(out.set == entry.all);
  }
  out.ranges = out.wildcard ? unite(out.set, selectors_.subnetRoutes()) : out.set;
}

void ResolutionContext::attributesChanged(const std::vector<std::size_t>& positions) {
  if (positions.empty()) return;
  for (auto& [name, results] : postureResults_)
    for (auto i : positions) results[i] = policy::meetsPosture(policy_, nodes_[i], name);
  // The addresses of the nodes that started or stopped passing, by list.
  std::unordered_map<const PostureList*, IpSet> flipped;
  for (auto& [key, list] : postureLists_) {
    std::vector<IpAddress> turned;
    for (auto i : positions) {
      char passes = list.names.empty() ? 1 : 0;
      for (const auto& name : list.names) passes = passes || postureResults_.at(name)[i];
      if (passes == list.passes[i]) continue;
      list.passes[i] = passes;
      for (const auto& a : nodes_[i].addresses()) turned.push_back(a);
    }
    if (turned.empty()) continue;
    flipped[&list] = setOf(std::move(turned));
    fillFailing(list);
  }
  // Only sources that hold such a node are narrowed differently.
  for (auto& [key, entry] : sources_) {
    if (!entry.postures) continue;
    const auto turned = flipped.find(entry.postures);
    if (turned != flipped.end() && entry.all.overlaps(turned->second)) narrow(entry);
  }
}

const std::vector<std::vector<const PolicyNode*>>& ResolutionContext::users() {
  if (usersBuilt_) return users_;
  usersBuilt_ = true;
  std::map<std::string, std::vector<const PolicyNode*>> byLogin;
  for (const auto& n : nodes_)
    if (!n.isTagged()) byLogin[n.userLogin].push_back(&n);
  userOf_.assign(nodes_.size(), -1);
  for (auto& [login, devices] : byLogin) {
    std::sort(devices.begin(), devices.end(), nodeLess);
    for (const auto* n : devices) userOf_[static_cast<std::size_t>(n - nodes_.data())] = static_cast<int>(users_.size());
    users_.push_back(std::move(devices));
  }
  return users_;
}

int ResolutionContext::userOf(std::size_t i) {
  users();
  return userOf_[i];
}

}  // namespace postured::enforce::headscale
