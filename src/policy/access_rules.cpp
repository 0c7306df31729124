#include "policy/access_rules.h"

#include <algorithm>

namespace postured::policy {

const std::vector<std::pair<std::string, std::string>>& companionCaps() {
  static const std::vector<std::pair<std::string, std::string>> caps = {
      {"tailscale.com/cap/drive", "tailscale.com/cap/drive-sharer"},
      {"tailscale.com/cap/relay", "tailscale.com/cap/relay-target"},
  };
  return caps;
}

bool hasWildcard(const std::vector<Selector>& selectors) {
  return std::any_of(selectors.begin(), selectors.end(),
                     [](const Selector& s) { return s.kind == SelectorKind::kWildcard; });
}

bool hasAutogroup(const std::vector<Selector>& selectors, Autogroup a) {
  return std::any_of(selectors.begin(), selectors.end(), [a](const Selector& s) { return s.is(a); });
}

std::vector<std::string> prefixStrings(const IpSet& set) {
  std::vector<std::string> out;
  for (const auto& p : set.prefixes()) out.push_back(p.toString());
  return out;
}

std::vector<FilterRule> companionRules(const nlohmann::json& app, const std::vector<std::string>& dstText,
                                       const IpSet& src) {
  std::vector<FilterRule> out;
  for (const auto& [cap, companion] : companionCaps()) {
    if (!app.contains(cap)) continue;
    FilterRule rule;
    rule.srcIps = dstText;
    rule.capGrant.push_back(CapGrant{prefixStrings(src), nlohmann::json{{companion, nullptr}}});
    out.push_back(std::move(rule));
  }
  return out;
}

std::vector<FilterRule> selfRules(const PlannedAccess& access, const std::vector<const PolicyNode*>& sameUser,
                                  const IpSet& sources) {
  std::vector<FilterRule> rules;
  IpSet selfSources;
  for (const auto* n : sameUser)
    if (n->hasAddressIn(sources)) selfSources.add(n->addressSet());
  if (selfSources.empty()) return rules;
  for (const auto& ip : access.ip) {
    FilterRule rule;
    rule.srcIps = selfSources.toFilterStrings();
    rule.ipProto = ip.ipProto;
    for (const auto* n : sameUser)
      for (const auto& p : ip.ports)
        for (const auto& a : n->addresses()) rule.dstPorts.push_back({a.toString(), p});
    rules.push_back(std::move(rule));
  }
  if (!access.app.empty()) {
    FilterRule rule;
    rule.srcIps = selfSources.toFilterStrings();
    IpSet dstSet;
    for (const auto* n : sameUser) {
      rule.capGrant.push_back(CapGrant{prefixStrings(n->addressSet()), access.app});
      dstSet.add(n->addressSet());
    }
    rules.push_back(std::move(rule));
    for (auto& c : companionRules(access.app, dstSet.toFilterStrings(), selfSources)) rules.push_back(std::move(c));
  }
  return rules;
}

std::vector<FilterRule> viaRules(const PlannedAccess& access, const std::vector<std::string>& srcText,
                                 const IpSet& srcSet, const PolicyNode& router, const SelectorResolver& resolver) {
  std::vector<FilterRule> rules;
  if (access.via->empty() || access.ip.empty() || srcSet.empty()) return rules;
  const bool viaMatches =
      std::any_of(access.via->begin(), access.via->end(), [&](const Selector& tag) { return router.hasTag(tag.name); });
  if (!viaMatches) return rules;
  const auto subnets = router.subnetRoutes();
  const auto exits = router.exitRoutes();
  std::vector<IpPrefix> served;
  for (const auto& d : access.dst) {
    if (d.is(Autogroup::kInternet)) {
      served.insert(served.end(), exits.begin(), exits.end());
      continue;
    }
    // A destination network is served when it overlaps one of the router's routes;
    // the rule names the destination as written, not the route.
    for (const auto& prefix : resolver.resolve(d).prefixes())
      if (std::any_of(subnets.begin(), subnets.end(), [&](const IpPrefix& r) { return r.overlaps(prefix); }))
        served.push_back(prefix);
  }
  if (served.empty()) return rules;
  for (const auto& ip : access.ip) {
    FilterRule rule;
    rule.srcIps = srcText;
    rule.ipProto = ip.ipProto;
    for (const auto& prefix : served)
      for (const auto& p : ip.ports) rule.dstPorts.push_back({prefix.toString(), p});
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace postured::policy
