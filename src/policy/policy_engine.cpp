#include "policy/policy_engine.h"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "policy/access_plan.h"
#include "policy/access_rules.h"
#include "policy/filter_reduction.h"
#include "policy/posture_evaluator.h"
#include "policy/selector_resolver.h"

namespace postured::policy {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// mergeRules' key: rules with equal keys merge.
std::string mergeKey(const std::vector<std::string>& srcIps, const std::vector<int>& ipProto) {
  std::string key;
  for (const auto& s : srcIps) key += s + ",";
  key += "|";
  for (int p : ipProto) key += std::to_string(p) + ",";
  return key;
}
using AddrKey = std::pair<bool, Uint128>;
struct AddrKeyHash {
  std::size_t operator()(const AddrKey& k) const {
    return std::hash<std::uint64_t>()(static_cast<std::uint64_t>(k.second) ^
                                      static_cast<std::uint64_t>(k.second >> 64) * 31 ^ k.first);
  }
};
bool protoMatches(const std::vector<int>& ipProto, int proto) {
  if (ipProto.empty()) return proto == 6 || proto == 17 || proto == 1 || proto == 58;
  return std::find(ipProto.begin(), ipProto.end(), proto) != ipProto.end();
}
bool entryAdmits(const FilterRule& rule, const IpAddress& src, const IpAddress& dst, int proto, std::uint16_t port) {
  if (!rule.capGrant.empty() || !protoMatches(rule.ipProto, proto)) return false;
  bool srcOk = false;
  for (const auto& s : rule.srcIps) {
    auto set = IpSet::parseFilterEntry(s);
    if (set && set->contains(src)) srcOk = true;
  }
  if (!srcOk) return false;
  for (const auto& d : rule.dstPorts) {
    auto set = IpSet::parseFilterEntry(d.ip);
    if (set && set->contains(dst) && port >= d.ports.first && port <= d.ports.last) return true;
  }
  return false;
}

}  // namespace

struct PolicyEngine::State {
  struct Access : PlannedAccess {
    std::size_t postureList = kNone;  // index into postureLists; kNone: no postures
    std::size_t firstRule = 0, ruleCount = 0;
    bool self = false;
  };
  struct Sources {
    IpSet raw;  // before postures
    IpSet set;  // sources that pass
    std::vector<std::string> text;
    IpSet admit;  // the addresses `text` covers
  };
  struct Rule {  // one global rule, before merging and reduction
    std::size_t access = 0;
    bool cap = false;
    std::vector<int> ipProto;
    std::vector<NetPortRange> dstPorts;
    std::vector<IpSet> dstSets;  // parallel to dstPorts
    FilterRule capRule;          // cap rules: the whole rule
    bool active = false;         // port rules exist only while the access has sources
    std::string key;
    std::size_t hash = 0;
    std::size_t slot = kNone;          // position after merging
    std::vector<std::uint32_t> nodes;  // nodes that receive one of its destinations
  };
  using Reach = std::vector<std::pair<std::uint32_t, std::uint32_t>>;  // (rule, destination), sorted

  Policy policy;
  std::vector<PolicyNode> nodes;
  std::unique_ptr<SelectorResolver> resolver;
  std::unordered_map<std::string, std::size_t> byId, byName;
  std::unordered_map<std::string, std::vector<std::size_t>> userNodes;  // untagged nodes by login
  std::unordered_map<AddrKey, std::vector<std::size_t>, AddrKeyHash> byAddress;
  std::vector<std::string> postureNames;
  std::vector<std::vector<std::string>> postureKeys;   // folded keys each posture reads
  std::vector<std::vector<char>> passes;               // [posture][node]
  std::vector<std::vector<std::size_t>> postureLists;  // posture indexes, kNone for undefined names
  std::vector<IpSet> failing;                          // per list: addresses of nodes meeting none
  std::vector<Access> accesses;
  std::vector<Sources> sources;
  std::vector<Rule> rules;
  std::vector<std::size_t> capRules, extraAccesses;
  std::vector<Reach> reach;
  std::size_t slotCount = 0;
  std::unordered_multimap<std::size_t, std::size_t> slotByHash;  // key hash -> slot
  std::vector<std::size_t> slotRule;                             // slot -> first rule

  void build();
  void planAccesses();
  bool nodeMeetsList(std::size_t node, std::size_t list) const {
    for (auto p : postureLists[list])
      if (p != kNone && passes[p][node]) return true;
    return false;
  }
  void computeFailing(std::size_t list) {
    IpSet f;
    for (std::size_t n = 0; n < nodes.size(); ++n)
      if (!nodeMeetsList(n, list)) f.add(nodes[n].addressSet());
    failing[list] = std::move(f);
  }
  Sources resolveSources(const Access& a, IpSet raw) const;
  void makeRules(std::size_t accessIndex);
  void refreshRules(std::size_t accessIndex);
  void regroup();
  std::size_t findSlot(const std::string& key, std::size_t hash) const {
    auto [b, e] = slotByHash.equal_range(hash);
    for (auto it = b; it != e; ++it)
      if (rules[slotRule[it->second]].key == key) return it->second;
    return kNone;
  }
  Reach computeReach(const PolicyNode& node) const;
  std::vector<FilterRule> extraRules(std::size_t accessIndex, const PolicyNode& node) const;
  std::vector<FilterRule> filter(std::size_t node) const;
  bool admits(std::size_t node, const IpAddress& src, const IpAddress& dst, int proto, std::uint16_t port) const;
};

void PolicyEngine::State::planAccesses() {
  std::map<std::vector<std::string>, std::size_t> listIndex;
  auto list = [&](const std::vector<PolicyString>& ps) -> std::size_t {
    if (ps.empty()) return kNone;
    std::vector<std::string> names;
    for (const auto& p : ps) names.push_back(p.text);
    auto [it, inserted] = listIndex.emplace(names, postureLists.size());
    if (inserted) {
      std::vector<std::size_t> idx;
      for (const auto& n : names) {
        auto f = std::find(postureNames.begin(), postureNames.end(), n);
        idx.push_back(f == postureNames.end() ? kNone : static_cast<std::size_t>(f - postureNames.begin()));
      }
      postureLists.push_back(std::move(idx));
    }
    return it->second;
  };
  for (auto& planned : policy::planAccesses(policy)) {
    Access a{std::move(planned)};
    a.postureList = list(*a.postures);
    accesses.push_back(std::move(a));
  }
  for (auto& a : accesses) a.self = a.via->empty() && hasAutogroup(a.dst, Autogroup::kSelf);
}

PolicyEngine::State::Sources PolicyEngine::State::resolveSources(const Access& a, IpSet raw) const {
  Sources out;
  out.raw = std::move(raw);
  out.set = out.raw;
  const IpSet* fail = a.postureList == kNone ? nullptr : &failing[a.postureList];
  bool anyFailing = false;
  if (fail) {
    anyFailing = out.raw.overlaps(*fail);
    if (anyFailing) out.set.remove(*fail);
  }
  if (hasAutogroup(*a.src, Autogroup::kDangerAll) && !anyFailing) {
    out.text = {"*"};
    out.admit = IpSet::all();
    return out;
  }
  if (!hasWildcard(*a.src)) {
    out.text = out.set.toFilterStrings();
    out.admit = out.set;
    return out;
  }
  IpSet withRoutes = out.set;
  withRoutes.add(resolver->approvedSubnetRoutes());
  out.text = withRoutes.toFilterStrings();
  for (const auto& selector : *a.src) {
    if (selector.kind == SelectorKind::kWildcard) continue;
    IpSet own = resolver->resolve(selector);
    if (anyFailing) own.remove(*fail);
    for (auto& text : own.toFilterStrings())
      if (std::find(out.text.begin(), out.text.end(), text) == out.text.end()) out.text.push_back(std::move(text));
    withRoutes.add(own);
  }
  out.admit = std::move(withRoutes);
  return out;
}

// The global rules of one access, as FilterCompiler::globalRules makes them;
// port rules are kept (inactive) while the access has no sources, so the rule
// list and every node's reach stay put when postures change.
void PolicyEngine::State::makeRules(std::size_t ai) {
  const Access& a = accesses[ai];
  accesses[ai].firstRule = rules.size();
  if (a.via->empty() && !a.src->empty() && !a.dst.empty()) {
    std::vector<const Selector*> others;
    for (const auto& d : a.dst)
      if (!d.is(Autogroup::kSelf)) others.push_back(&d);
    if (!others.empty()) {
      for (const auto& ip : a.ip) {
        Rule rule;
        rule.access = ai;
        rule.ipProto = ip.ipProto;
        for (const auto* d : others) {
          if (d->kind == SelectorKind::kWildcard) {
            for (const auto& p : ip.ports) {
              rule.dstPorts.push_back({"*", p});
              rule.dstSets.push_back(IpSet::all());
            }
            continue;
          }
          if (d->is(Autogroup::kInternet)) continue;
          for (const auto& prefix : resolver->resolve(*d).prefixes()) {
            IpSet one;
            one.add(prefix);
            for (const auto& p : ip.ports) {
              rule.dstPorts.push_back({prefix.toShortString(), p});
              rule.dstSets.push_back(one);
            }
          }
        }
        if (!rule.dstPorts.empty()) rules.push_back(std::move(rule));
      }
      if (!a.app.empty()) {
        std::size_t count = 1;
        for (const auto& [cap, companion] : companionCaps()) count += a.app.contains(cap) ? 1 : 0;
        for (std::size_t i = 0; i < count; ++i) {
          Rule rule;
          rule.access = ai;
          rule.cap = true;
          rules.push_back(std::move(rule));
        }
      }
    }
  }
  accesses[ai].ruleCount = rules.size() - accesses[ai].firstRule;
}

// Brings an access's rules in line with its current sources: texts, keys, activity, cap rules.
void PolicyEngine::State::refreshRules(std::size_t ai) {
  const Access& a = accesses[ai];
  const Sources& src = sources[ai];
  std::size_t r = a.firstRule;
  const std::size_t end = a.firstRule + a.ruleCount;
  for (; r < end && !rules[r].cap; ++r) {
    rules[r].active = !src.set.empty();
    rules[r].key = mergeKey(src.text, rules[r].ipProto);
    rules[r].hash = std::hash<std::string>()(rules[r].key);
  }
  if (r == end) return;
  // The app rule and its companions, exactly as FilterCompiler builds them.
  std::vector<const Selector*> others;
  for (const auto& d : a.dst)
    if (!d.is(Autogroup::kSelf)) others.push_back(&d);
  FilterRule rule;
  rule.srcIps = src.set.empty() ? std::vector<std::string>{} : src.text;
  IpSet dstSet;
  for (const auto* d : others) {
    const IpSet resolved = resolver->resolve(*d);
    rule.capGrant.push_back(CapGrant{prefixStrings(resolved), a.app});
    dstSet.add(resolved);
  }
  std::vector<FilterRule> all{std::move(rule)};
  if (std::any_of(others.begin(), others.end(), [](const Selector* s) { return s->kind == SelectorKind::kWildcard; }))
    dstSet.add(resolver->approvedSubnetRoutes());
  for (auto& c : companionRules(a.app, dstSet.toFilterStrings(), src.set)) all.push_back(std::move(c));
  for (std::size_t i = 0; r < end && i < all.size(); ++r, ++i) {
    rules[r].capRule = std::move(all[i]);
    rules[r].active = true;
  }
}

void PolicyEngine::State::regroup() {
  slotCount = 0;
  slotByHash.clear();
  slotRule.clear();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    auto& rule = rules[r];
    rule.slot = kNone;
    if (rule.cap) {
      rule.slot = slotCount++;
      slotRule.push_back(r);
      continue;
    }
    if (!rule.active) continue;
    rule.slot = findSlot(rule.key, rule.hash);
    if (rule.slot != kNone) continue;
    rule.slot = slotCount++;
    slotRule.push_back(r);
    slotByHash.emplace(rule.hash, rule.slot);
  }
}

PolicyEngine::State::Reach PolicyEngine::State::computeReach(const PolicyNode& node) const {
  Reach out;
  const auto subnets = node.subnetRoutes();
  const bool exitNode = !node.exitRoutes().empty();
  const auto addrs = node.addresses();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const auto& rule = rules[r];
    for (std::size_t d = 0; d < rule.dstSets.size(); ++d) {
      const IpSet& set = rule.dstSets[d];
      bool keep = std::any_of(addrs.begin(), addrs.end(), [&](const IpAddress& a) { return set.contains(a); });
      if (!keep) keep = std::any_of(subnets.begin(), subnets.end(), [&](const IpPrefix& p) { return set.overlaps(p); });
      if (!keep) keep = exitNode && internetAddresses().containsAll(set);
      if (keep) out.emplace_back(static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(d));
    }
  }
  return out;
}

void PolicyEngine::State::build() {
  byId.clear();
  byName.clear();
  userNodes.clear();
  byAddress.clear();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    byId[nodes[i].id] = i;
    byName.emplace(nodes[i].name, i);
    if (!nodes[i].isTagged()) userNodes[nodes[i].userLogin].push_back(i);
    for (const auto& a : nodes[i].addresses()) byAddress[{a.v6, a.value}].push_back(i);
  }
  resolver = std::make_unique<SelectorResolver>(policy, nodes);
  postureNames.clear();
  postureKeys.clear();
  passes.clear();
  for (const auto& [name, posture] : policy.postures) {
    postureNames.push_back(name);
    std::vector<std::string> keys;
    for (const auto& c : posture.parsed) keys.push_back(c.foldedKey);
    postureKeys.push_back(std::move(keys));
    std::vector<char> p(nodes.size());
    for (std::size_t n = 0; n < nodes.size(); ++n) p[n] = meetsPosture(policy, nodes[n], name);
    passes.push_back(std::move(p));
  }
  postureLists.clear();
  accesses.clear();
  planAccesses();
  failing.assign(postureLists.size(), IpSet());
  for (std::size_t l = 0; l < postureLists.size(); ++l) computeFailing(l);
  sources.clear();
  rules.clear();
  capRules.clear();
  extraAccesses.clear();
  for (std::size_t ai = 0; ai < accesses.size(); ++ai) {
    sources.push_back(resolveSources(accesses[ai], resolver->resolveAll(*accesses[ai].src)));
    makeRules(ai);
    refreshRules(ai);
    if (accesses[ai].self || !accesses[ai].via->empty()) extraAccesses.push_back(ai);
  }
  for (std::size_t r = 0; r < rules.size(); ++r)
    if (rules[r].cap) capRules.push_back(r);
  regroup();

  // Which node each destination concerns: single addresses through an index,
  // wider destinations by scan; nodes with routes check every destination.
  std::unordered_map<AddrKey, Reach, AddrKeyHash> single;
  Reach wide;
  for (std::size_t r = 0; r < rules.size(); ++r)
    for (std::size_t d = 0; d < rules[r].dstSets.size(); ++d) {
      const IpSet& set = rules[r].dstSets[d];
      const auto& ranges = set.v4Ranges().empty() ? set.v6Ranges() : set.v4Ranges();
      const bool one = set.v4Ranges().size() + set.v6Ranges().size() == 1 && ranges[0].first == ranges[0].last;
      auto entry = std::make_pair(static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(d));
      if (one) {
        single[{!set.v6Ranges().empty(), ranges[0].first}].push_back(entry);
      } else {
        wide.push_back(entry);
      }
    }
  reach.assign(nodes.size(), {});
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    const auto& node = nodes[n];
    if (!node.approvedRoutes.empty()) {
      reach[n] = computeReach(node);
    } else {
      Reach& out = reach[n];
      for (const auto& a : node.addresses()) {
        auto it = single.find({a.v6, a.value});
        if (it != single.end()) out.insert(out.end(), it->second.begin(), it->second.end());
        for (const auto& e : wide)
          if (rules[e.first].dstSets[e.second].contains(a)) out.push_back(e);
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
    for (const auto& e : reach[n])
      if (rules[e.first].nodes.empty() || rules[e.first].nodes.back() != n)
        rules[e.first].nodes.push_back(static_cast<std::uint32_t>(n));
  }
}

std::vector<FilterRule> PolicyEngine::State::extraRules(std::size_t ai, const PolicyNode& node) const {
  const Access& a = accesses[ai];
  const Sources& src = sources[ai];
  if (a.self) {
    if (node.isTagged()) return {};
    std::vector<const PolicyNode*> sameUser;
    auto it = userNodes.find(node.userLogin);
    if (it != userNodes.end())
      for (auto i : it->second) sameUser.push_back(&nodes[i]);
    return selfRules(a, sameUser, src.set);
  }
  return viaRules(a, src.text, src.set, node, *resolver);
}

// reduceForNode(mergeRules(global rules + this node's self and via rules)),
// computed from the merged slots and the node's reach.
std::vector<FilterRule> PolicyEngine::State::filter(std::size_t n) const {
  if (policy.allowAll()) {
    FilterRule all;
    all.srcIps = {"*"};
    all.dstPorts.push_back({"*", kAllPorts});
    return {all};
  }
  const PolicyNode& node = nodes[n];
  std::map<std::size_t, FilterRule> out;
  for (const auto& [r, d] : reach[n]) {
    const Rule& rule = rules[r];
    if (!rule.active) continue;
    auto [it, inserted] = out.try_emplace(rule.slot);
    if (inserted) {
      it->second.srcIps = sources[rule.access].text;
      it->second.ipProto = rule.ipProto;
    }
    it->second.dstPorts.push_back(rule.dstPorts[d]);
  }
  for (auto r : capRules) {
    auto reduced = reduceForNode({rules[r].capRule}, node);
    if (!reduced.empty()) out[rules[r].slot] = std::move(reduced[0]);
  }
  std::size_t next = slotCount;
  std::unordered_map<std::string, std::size_t> extraSlots;
  for (auto ai : extraAccesses) {
    for (auto& e : extraRules(ai, node)) {
      std::size_t slot;
      if (!e.capGrant.empty()) {
        slot = next++;
      } else {
        auto key = mergeKey(e.srcIps, e.ipProto);
        slot = findSlot(key, std::hash<std::string>()(key));
        if (slot == kNone) {
          auto [it, inserted] = extraSlots.emplace(key, next);
          if (inserted) ++next;
          slot = it->second;
        }
      }
      auto reduced = reduceForNode({e}, node);
      if (reduced.empty()) continue;
      auto [it, inserted] = out.try_emplace(slot);
      if (inserted || !reduced[0].capGrant.empty()) {
        it->second = std::move(reduced[0]);
      } else {
        it->second.dstPorts.insert(it->second.dstPorts.end(), reduced[0].dstPorts.begin(), reduced[0].dstPorts.end());
      }
    }
  }
  std::vector<FilterRule> result;
  result.reserve(out.size());
  for (auto& [slot, rule] : out) result.push_back(std::move(rule));
  return result;
}

bool PolicyEngine::State::admits(std::size_t n, const IpAddress& src, const IpAddress& dst, int proto,
                                 std::uint16_t port) const {
  if (policy.allowAll()) return true;
  for (const auto& [r, d] : reach[n]) {
    const Rule& rule = rules[r];
    const auto& ports = rule.dstPorts[d].ports;
    if (rule.active && port >= ports.first && port <= ports.last && protoMatches(rule.ipProto, proto) &&
        rule.dstSets[d].contains(dst) && sources[rule.access].admit.contains(src))
      return true;
  }
  const PolicyNode& node = nodes[n];
  for (auto ai : extraAccesses) {
    if (accesses[ai].self && node.approvedRoutes.empty()) {
      // Self rules admit the user's own passing devices to the node's own addresses.
      if (node.isTagged() || !sources[ai].set.contains(src) || !node.addressSet().contains(dst)) continue;
      auto holder = byAddress.find({src.v6, src.value});
      if (holder == byAddress.end()) continue;
      const bool sameUser = std::any_of(holder->second.begin(), holder->second.end(), [&](std::size_t h) {
        return !nodes[h].isTagged() && nodes[h].userLogin == node.userLogin;
      });
      if (!sameUser) continue;
      for (const auto& [protos, portList] : accesses[ai].ip)
        if (protoMatches(protos, proto))
          for (const auto& p : portList)
            if (port >= p.first && port <= p.last) return true;
      continue;
    }
    for (const auto& rule : reduceForNode(extraRules(ai, node), node))
      if (entryAdmits(rule, src, dst, proto, port)) return true;
  }
  return false;
}

PolicyEngine::PolicyEngine() : PolicyEngine(Policy{}, {}) {}

PolicyEngine::PolicyEngine(Policy policy, std::vector<PolicyNode> nodes) : state_(std::make_unique<State>()) {
  state_->policy = std::move(policy);
  state_->nodes = std::move(nodes);
  state_->build();
  ++stats_.fullCompiles;
}

PolicyEngine::~PolicyEngine() = default;
PolicyEngine::PolicyEngine(PolicyEngine&&) noexcept = default;
PolicyEngine& PolicyEngine::operator=(PolicyEngine&&) noexcept = default;

const Policy& PolicyEngine::policy() const { return state_->policy; }
const std::vector<PolicyNode>& PolicyEngine::nodes() const { return state_->nodes; }

const PolicyNode* PolicyEngine::node(const std::string& nodeId) const {
  auto it = state_->byId.find(nodeId);
  return it == state_->byId.end() ? nullptr : &state_->nodes[it->second];
}

std::vector<std::string> PolicyEngine::setPolicy(Policy policy) {
  // The old state refers to the old policy: rebuild keeps the previous filters first.
  std::map<std::string, std::vector<FilterRule>> before;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n) before[state_->nodes[n].id] = state_->filter(n);
  state_->policy = std::move(policy);
  state_->build();
  ++stats_.fullCompiles;
  std::vector<std::string> changed;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n)
    if (before[state_->nodes[n].id] != state_->filter(n)) changed.push_back(state_->nodes[n].id);
  stats_.nodesReported += changed.size();
  return changed;
}

std::vector<std::string> PolicyEngine::upsertNode(PolicyNode node) {
  // Rebuild compares against filters computed before the node list changes.
  std::map<std::string, std::vector<FilterRule>> before;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n) before[state_->nodes[n].id] = state_->filter(n);
  auto it = state_->byId.find(node.id);
  if (it != state_->byId.end()) {
    state_->nodes[it->second] = std::move(node);
  } else {
    state_->nodes.push_back(std::move(node));
  }
  state_->build();
  ++stats_.fullCompiles;
  std::vector<std::string> changed;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n) {
    auto b = before.find(state_->nodes[n].id);
    if (b == before.end() || b->second != state_->filter(n)) changed.push_back(state_->nodes[n].id);
  }
  stats_.nodesReported += changed.size();
  return changed;
}

std::vector<std::string> PolicyEngine::removeNode(const std::string& nodeId) {
  auto it = state_->byId.find(nodeId);
  if (it == state_->byId.end()) return {};
  std::map<std::string, std::vector<FilterRule>> before;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n) before[state_->nodes[n].id] = state_->filter(n);
  state_->nodes.erase(state_->nodes.begin() + static_cast<std::ptrdiff_t>(it->second));
  state_->build();
  ++stats_.fullCompiles;
  std::vector<std::string> changed;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n)
    if (before[state_->nodes[n].id] != state_->filter(n)) changed.push_back(state_->nodes[n].id);
  changed.push_back(nodeId);
  stats_.nodesReported += changed.size();
  return changed;
}

std::vector<std::string> PolicyEngine::setAttributes(const std::string& nodeId, AttributeSet attributes) {
  std::vector<std::pair<std::string, AttributeSet>> batch;
  batch.emplace_back(nodeId, std::move(attributes));
  return setAttributes(std::move(batch));
}

std::vector<std::string> PolicyEngine::setAttributes(std::vector<std::pair<std::string, AttributeSet>> batch) {
  State& s = *state_;
  ++stats_.attributeUpdates;
  std::set<std::size_t> changedLists;
  std::vector<std::size_t> touched;  // nodes whose pass of some list changed
  for (auto& [id, attrs] : batch) {
    auto it = s.byId.find(id);
    if (it == s.byId.end()) continue;
    const std::size_t n = it->second;
    std::vector<std::size_t> postures;  // postures reading a key whose value changed
    for (std::size_t p = 0; p < s.postureKeys.size(); ++p)
      for (const auto& key : s.postureKeys[p]) {
        const auto* before = s.nodes[n].attributes.find(key);
        const auto* after = attrs.find(key);
        if ((before == nullptr) != (after == nullptr) || (before && !(*before == *after))) {
          postures.push_back(p);
          break;
        }
      }
    s.nodes[n].attributes = std::move(attrs);
    if (postures.empty()) continue;
    std::vector<char> listBefore(s.postureLists.size());
    for (std::size_t l = 0; l < s.postureLists.size(); ++l) listBefore[l] = s.nodeMeetsList(n, l);
    for (auto p : postures) {
      s.passes[p][n] = meetsPosture(s.policy, s.nodes[n], s.postureNames[p]);
      ++stats_.postureEvaluations;
    }
    bool any = false;
    for (std::size_t l = 0; l < s.postureLists.size(); ++l) {
      const bool now = s.nodeMeetsList(n, l);
      if (now == static_cast<bool>(listBefore[l])) continue;
      any = true;
      changedLists.insert(l);
      if (!now) {
        s.failing[l].add(s.nodes[n].addressSet());
        continue;
      }
      // Keep an address another failing node still holds.
      for (const auto& a : s.nodes[n].addresses()) {
        const auto& holders = s.byAddress[{a.v6, a.value}];
        if (std::none_of(holders.begin(), holders.end(),
                         [&](std::size_t h) { return h != n && !s.nodeMeetsList(h, l); }))
          s.failing[l].remove(IpPrefix::single(a));
      }
    }
    if (any) touched.push_back(n);
  }
  if (changedLists.empty()) return {};

  std::vector<std::size_t> changedAccesses;
  for (std::size_t ai = 0; ai < s.accesses.size(); ++ai) {
    const auto& a = s.accesses[ai];
    if (a.postureList == kNone || !changedLists.count(a.postureList)) continue;
    if (std::none_of(touched.begin(), touched.end(),
                     [&](std::size_t n) { return s.nodes[n].hasAddressIn(s.sources[ai].raw); }))
      continue;
    ++stats_.sourceRecomputes;
    auto fresh = s.resolveSources(a, std::move(s.sources[ai].raw));
    const bool same = fresh.text == s.sources[ai].text && fresh.set == s.sources[ai].set;
    s.sources[ai] = std::move(fresh);
    if (same) continue;
    changedAccesses.push_back(ai);
  }
  if (changedAccesses.empty()) return {};

  std::vector<std::size_t> oldSlot(s.rules.size());
  for (std::size_t r = 0; r < s.rules.size(); ++r) oldSlot[r] = s.rules[r].slot;
  std::unordered_set<std::string> changedKeys;
  for (auto ai : changedAccesses)
    for (std::size_t r = s.accesses[ai].firstRule; r < s.accesses[ai].firstRule + s.accesses[ai].ruleCount; ++r)
      if (!s.rules[r].cap && s.rules[r].active) changedKeys.insert(s.rules[r].key);
  for (auto ai : changedAccesses) s.refreshRules(ai);
  for (auto ai : changedAccesses)
    for (std::size_t r = s.accesses[ai].firstRule; r < s.accesses[ai].firstRule + s.accesses[ai].ruleCount; ++r)
      if (!s.rules[r].cap && s.rules[r].active) changedKeys.insert(s.rules[r].key);
  s.regroup();

  // Candidates: nodes reached by a changed rule or by any rule sharing its old or new merge group.
  std::vector<char> mark(s.nodes.size());
  std::vector<char> oldGroups(s.slotCount + s.rules.size() + 1), newGroups(s.slotCount + 1);
  bool everyone = false;
  for (auto ai : changedAccesses) {
    const auto& a = s.accesses[ai];
    if (!a.app.empty()) everyone = true;
    for (std::size_t r = a.firstRule; r < a.firstRule + a.ruleCount; ++r) {
      if (oldSlot[r] != kNone) oldGroups[oldSlot[r]] = 1;
      if (s.rules[r].slot != kNone) newGroups[s.rules[r].slot] = 1;
    }
    if (a.self)
      for (auto n : touched)
        if (!s.nodes[n].isTagged())
          for (auto u : s.userNodes[s.nodes[n].userLogin]) mark[u] = 1;
  }
  for (std::size_t r = 0; r < s.rules.size(); ++r)
    if ((oldSlot[r] != kNone && oldGroups[oldSlot[r]]) || (s.rules[r].slot != kNone && newGroups[s.rules[r].slot]))
      for (auto n : s.rules[r].nodes) mark[n] = 1;
  // Self and via rules merge into global groups with the same key: nodes whose extra rules carry a changed key.
  if (!s.extraAccesses.empty()) {
    for (auto ai : s.extraAccesses) {
      if (!s.accesses[ai].self) {
        for (std::size_t n = 0; n < s.nodes.size(); ++n)
          if (std::any_of(s.accesses[ai].via->begin(), s.accesses[ai].via->end(),
                          [&](const Selector& t) { return s.nodes[n].hasTag(t.name); }))
            mark[n] = 1;
        continue;
      }
    }
    for (const auto& key : changedKeys) {
      // A self rule's sources are one user's devices: the key's first address names that user.
      auto comma = key.find(',');
      auto addr = IpAddress::parse(key.substr(0, comma == std::string::npos ? 0 : comma));
      if (!addr) continue;
      auto holder = s.byAddress.find({addr->v6, addr->value});
      if (holder == s.byAddress.end()) continue;
      for (auto h : holder->second)
        if (!s.nodes[h].isTagged())
          for (auto u : s.userNodes[s.nodes[h].userLogin]) mark[u] = 1;
    }
  }
  std::vector<std::string> changed;
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    if (everyone || mark[n]) changed.push_back(s.nodes[n].id);
  stats_.nodesReported += changed.size();
  return changed;
}

std::vector<FilterRule> PolicyEngine::filterFor(const std::string& nodeName) const {
  auto it = state_->byName.find(nodeName);
  return it == state_->byName.end() ? std::vector<FilterRule>{} : state_->filter(it->second);
}

std::vector<FilterRule> PolicyEngine::filterForId(const std::string& nodeId) const {
  auto it = state_->byId.find(nodeId);
  return it == state_->byId.end() ? std::vector<FilterRule>{} : state_->filter(it->second);
}

std::map<std::string, std::vector<FilterRule>> PolicyEngine::allFilters() const {
  std::map<std::string, std::vector<FilterRule>> out;
  for (std::size_t n = 0; n < state_->nodes.size(); ++n) out[state_->nodes[n].name] = state_->filter(n);
  return out;
}

bool PolicyEngine::admits(const std::string& dstNodeId, const IpAddress& src, const IpAddress& dst, int proto,
                          std::uint16_t port) const {
  auto it = state_->byId.find(dstNodeId);
  return it != state_->byId.end() && state_->admits(it->second, src, dst, proto, port);
}

}  // namespace postured::policy
