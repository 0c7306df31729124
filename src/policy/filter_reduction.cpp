#include "policy/filter_reduction.h"

#include <algorithm>
#include <optional>
#include <map>
#include <string>

#include "policy/ip_set.h"

namespace postured::policy {
namespace {

std::string mergeKey(const FilterRule& rule) {
  std::string key;
  for (const auto& s : rule.srcIps) key += s + ",";
  key += "|";
  for (int p : rule.ipProto) key += std::to_string(p) + ",";
  return key;
}

bool keepsDestination(const NetPortRange& dst, const PolicyNode& node, const std::vector<IpPrefix>& subnets,
                      bool exitNode) {
  auto set = IpSet::parseFilterEntry(dst.ip);
  if (!set) return false;  // fail closed on anything we cannot read
  if (node.hasAddressIn(*set)) return true;
  for (const auto& r : subnets)
    if (set->overlaps(r)) return true;
  return exitNode && internetAddresses().containsAll(*set);
}

std::optional<CapGrant> narrowCapGrant(const CapGrant& grant, const PolicyNode& node,
                                       const std::vector<IpPrefix>& subnets) {
  std::vector<IpPrefix> kept;
  for (const auto& text : grant.dsts) {
    auto prefix = IpPrefix::parse(text);
    if (!prefix) continue;
    for (const auto& a : node.addresses())
      if (prefix->contains(a)) kept.push_back(IpPrefix::single(a));
    for (const auto& r : subnets)
      if (prefix->overlaps(r)) kept.push_back(*prefix);
  }
  if (kept.empty()) return std::nullopt;
  std::sort(kept.begin(), kept.end(), [](const IpPrefix& a, const IpPrefix& b) {
    if (a.addr.v6 != b.addr.v6) return !a.addr.v6;
    if (a.addr.value != b.addr.value) return a.addr.value < b.addr.value;
    return a.bits < b.bits;
  });
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  CapGrant out{{}, grant.capMap};
  for (const auto& p : kept) out.dsts.push_back(p.toString());
  return out;
}

}  // namespace

std::vector<FilterRule> mergeRules(std::vector<FilterRule> rules) {
  std::vector<FilterRule> out;
  std::map<std::string, std::size_t> byKey;
  for (auto& rule : rules) {
    if (!rule.capGrant.empty()) {
      out.push_back(std::move(rule));
      continue;
    }
    const auto key = mergeKey(rule);
    auto [it, inserted] = byKey.emplace(key, out.size());
    if (inserted) {
      out.push_back(std::move(rule));
    } else {
      auto& target = out[it->second].dstPorts;
      target.insert(target.end(), rule.dstPorts.begin(), rule.dstPorts.end());
    }
  }
  return out;
}

std::vector<FilterRule> reduceForNode(const std::vector<FilterRule>& rules, const PolicyNode& node) {
  const auto subnets = node.subnetRoutes();
  const bool exitNode = !node.exitRoutes().empty();
  std::vector<FilterRule> out;
  for (const auto& rule : rules) {
    FilterRule reduced;
    reduced.srcIps = rule.srcIps;
    reduced.ipProto = rule.ipProto;
    if (!rule.capGrant.empty()) {
      for (const auto& g : rule.capGrant)
        if (auto narrowed = narrowCapGrant(g, node, subnets)) reduced.capGrant.push_back(std::move(*narrowed));
      if (!reduced.capGrant.empty()) out.push_back(std::move(reduced));
      continue;
    }
    for (const auto& d : rule.dstPorts)
      if (keepsDestination(d, node, subnets, exitNode)) reduced.dstPorts.push_back(d);
    if (!reduced.dstPorts.empty()) out.push_back(std::move(reduced));
  }
  return out;
}

}  // namespace postured::policy
