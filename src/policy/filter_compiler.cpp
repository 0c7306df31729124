#include "policy/filter_compiler.h"

#include <algorithm>
#include <utility>

#include "policy/access_rules.h"
#include "policy/filter_reduction.h"
#include "policy/posture_evaluator.h"

namespace postured::policy {

struct FilterCompiler::ResolvedSources {
  IpSet set;                      // addresses of the sources that pass the postures
  std::vector<std::string> text;  // SrcIPs as Tailscale writes them
};

FilterCompiler::FilterCompiler(const Policy& policy, std::vector<PolicyNode> nodes, PostureCheck postureCheck)
    : policy_(policy),
      nodes_(std::move(nodes)),
      postureCheck_(postureCheck ? std::move(postureCheck) : attributePostureCheck(policy)),
      resolver_(policy_, nodes_) {
  accesses_ = planAccesses(policy_);
  for (const auto& access : accesses_) sources_.push_back(resolveSources(access));
  for (std::size_t i = 0; i < accesses_.size(); ++i) {
    auto rules = globalRules(accesses_[i], sources_[i]);
    globalRules_.insert(globalRules_.end(), rules.begin(), rules.end());
  }
}

FilterCompiler::~FilterCompiler() = default;

// Grants first, then ACLs, each ACL destination on its own: that is the unit
// Tailscale compiles, and merging later joins what shares sources and protocols.
FilterCompiler::ResolvedSources FilterCompiler::resolveSources(const Access& access) const {
  ResolvedSources out;
  out.set = resolver_.resolveAll(*access.src);
  IpSet failing;  // addresses of source nodes that meet none of the postures
  if (!access.postures->empty()) {
    for (const auto& node : nodes_) {
      bool passes = false;
      for (const auto& posture : *access.postures) passes = passes || postureCheck_(node, posture.text);
      if (!passes && node.hasAddressIn(out.set)) failing.add(node.addressSet());
    }
    out.set.remove(failing);
  }
  if (hasAutogroup(*access.src, Autogroup::kDangerAll) && failing.empty()) {
    out.text = {"*"};
    return out;
  }
  IpSet withRoutes = out.set;
  if (!hasWildcard(*access.src)) {
    out.text = withRoutes.toFilterStrings();
    return out;
  }
  // A wildcard source also admits traffic that subnet routers forward from their networks.
  withRoutes.add(resolver_.approvedSubnetRoutes());
  out.text = withRoutes.toFilterStrings();
  // Tailscale still lists the other sources' own addresses next to the wildcard ranges.
  for (const auto& selector : *access.src) {
    if (selector.kind == SelectorKind::kWildcard) continue;
    IpSet own = resolver_.resolve(selector);
    own.remove(failing);
    for (auto& text : own.toFilterStrings())
      if (std::find(out.text.begin(), out.text.end(), text) == out.text.end()) out.text.push_back(std::move(text));
  }
  return out;
}

std::vector<FilterRule> FilterCompiler::globalRules(const Access& access, const ResolvedSources& src) const {
  std::vector<FilterRule> rules;
  if (!access.via->empty() || access.src->empty() || access.dst.empty()) return rules;
  std::vector<const Selector*> others;
  for (const auto& d : access.dst)
    if (!d.is(Autogroup::kSelf)) others.push_back(&d);
  if (others.empty()) return rules;

  if (!src.set.empty()) {
    for (const auto& ip : access.ip) {
      FilterRule rule;
      for (const auto* d : others) {
        if (d->kind == SelectorKind::kWildcard) {
          for (const auto& p : ip.ports) rule.dstPorts.push_back({"*", p});
          continue;
        }
        // autogroup:internet is enforced by exit-node routing, not by packet filters.
        if (d->is(Autogroup::kInternet)) continue;
        for (const auto& prefix : resolver_.resolve(*d).prefixes())
          for (const auto& p : ip.ports) rule.dstPorts.push_back({prefix.toShortString(), p});
      }
      if (rule.dstPorts.empty()) continue;
      rule.srcIps = src.text;
      rule.ipProto = ip.ipProto;
      rules.push_back(std::move(rule));
    }
  }

  if (!access.app.empty()) {
    FilterRule rule;
    rule.srcIps = src.set.empty() ? std::vector<std::string>{} : src.text;
    IpSet dstSet;
    for (const auto* d : others) {
      const IpSet resolved = resolver_.resolve(*d);
      rule.capGrant.push_back(CapGrant{prefixStrings(resolved), access.app});
      dstSet.add(resolved);
    }
    rules.push_back(std::move(rule));
    // The reverse rule comes from the destinations, which for "*" include subnet routes.
    std::vector<const Selector*> dstSelectors = others;
    const bool dstWildcard =
        std::any_of(others.begin(), others.end(), [](const Selector* s) { return s->kind == SelectorKind::kWildcard; });
    if (dstWildcard) dstSet.add(resolver_.approvedSubnetRoutes());
    auto companions = companionRules(access.app, dstSet.toFilterStrings(), src.set);
    rules.insert(rules.end(), companions.begin(), companions.end());
  }
  return rules;
}

std::vector<FilterRule> FilterCompiler::filterFor(const PolicyNode& node) const {
  if (policy_.allowAll()) {
    FilterRule all;
    all.srcIps = {"*"};
    all.dstPorts.push_back({"*", kAllPorts});
    return {all};
  }
  std::vector<FilterRule> rules = globalRules_;
  // autogroup:self: a user's own devices, reachable only from that user's
  // devices among the sources. Tagged nodes belong to no user and receive nothing.
  std::vector<const PolicyNode*> sameUser;
  if (!node.isTagged())
    for (const auto& n : nodes_)
      if (!n.isTagged() && n.userLogin == node.userLogin) sameUser.push_back(&n);
  for (std::size_t i = 0; i < accesses_.size(); ++i) {
    const auto& access = accesses_[i];
    if (!sameUser.empty() && access.via->empty() && hasAutogroup(access.dst, Autogroup::kSelf))
      for (auto& r : selfRules(access, sameUser, sources_[i].set)) rules.push_back(std::move(r));
    for (auto& r : viaRules(access, sources_[i].text, sources_[i].set, node, resolver_)) rules.push_back(std::move(r));
  }
  return reduceForNode(mergeRules(std::move(rules)), node);
}

std::vector<FilterRule> FilterCompiler::filterFor(const std::string& nodeName) const {
  for (const auto& n : nodes_)
    if (n.name == nodeName) return filterFor(n);
  return {};
}

std::map<std::string, std::vector<FilterRule>> FilterCompiler::allFilters() const {
  std::map<std::string, std::vector<FilterRule>> out;
  for (const auto& n : nodes_) out[n.name] = filterFor(n);
  return out;
}

}  // namespace postured::policy
