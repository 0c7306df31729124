#include "enforce/resolution_harness.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "enforce/headscale/policy_resolution.h"
#include "policy/devices_file.h"
#include "policy/filter_compiler.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"

namespace postured::testing {
namespace {

using nlohmann::json;
using policy::IpSet;

IpSet setOf(const json& entries) {
  IpSet set;
  if (!entries.is_array()) return set;
  for (const auto& e : entries) {
    auto parsed = IpSet::parseFilterEntry(e.get<std::string>());
    // An unreadable entry must not compare equal to anything: keep it visible.
    if (!parsed) throw std::runtime_error("unreadable filter address " + e.dump());
    set.add(*parsed);
  }
  return set;
}

std::string joined(const IpSet& set) {
  std::string out;
  for (const auto& s : set.toFilterStrings()) out += (out.empty() ? "" : " ") + s;
  return "[" + out + "]";
}

json filterJson(const policy::FilterCompiler& compiler, const std::string& node) {
  return json::parse(policy::toJson(compiler.filterFor(node)).dump());
}

IpSet routesOf(const std::vector<policy::PolicyNode>& nodes) {
  IpSet out;
  for (const auto& n : nodes)
    for (const auto& r : n.subnetRoutes()) out.add(r);
  return out;
}

}  // namespace

std::string accessForm(const json& filter, const IpSet& capSourcesIgnored) {
  std::map<std::string, std::map<std::string, std::map<std::pair<int, int>, IpSet>>> ports;
  std::map<std::string, std::map<std::string, IpSet>> caps;
  for (const auto& rule : filter) {
    const IpSet src = setOf(rule.value("SrcIPs", json::array()));
    if (src.empty()) continue;  // matches no packet
    const std::string srcKey = joined(src);
    std::vector<int> protos;
    for (const auto& p : rule.value("IPProto", json::array())) protos.push_back(p.get<int>());
    std::sort(protos.begin(), protos.end());
    protos.erase(std::unique(protos.begin(), protos.end()), protos.end());
    std::string protoKey;
    for (int p : protos) protoKey += std::to_string(p) + ",";
    for (const auto& d : rule.value("DstPorts", json::array())) {
      auto& set = ports[srcKey][protoKey][{d["Ports"]["First"].get<int>(), d["Ports"]["Last"].get<int>()}];
      set.add(setOf(json::array({d["IP"]})));
    }
    if (!rule.contains("CapGrant")) continue;
    IpSet capSrc = src;
    capSrc.remove(capSourcesIgnored);
    if (capSrc.empty()) continue;
    for (const auto& g : rule["CapGrant"]) caps[joined(capSrc)][g["CapMap"].dump()].add(setOf(g["Dsts"]));
  }
  std::ostringstream out;
  for (const auto& [src, byProto] : ports)
    for (const auto& [proto, byPorts] : byProto)
      for (const auto& [range, dst] : byPorts)
        out << "src=" << src << " proto=[" << proto << "] ports=" << range.first << "-" << range.second
            << " dst=" << joined(dst) << "\n";
  for (const auto& [src, byCap] : caps)
    for (const auto& [cap, dst] : byCap) out << "src=" << src << " cap=" << cap << " dst=" << joined(dst) << "\n";
  return out.str();
}

json sameRulesForm(const json& filter) {
  json out = json::array();
  for (json rule : filter) {
    const IpSet src = setOf(rule.value("SrcIPs", json::array()));
    if (src.empty()) continue;
    rule["SrcIPs"] = src.toFilterStrings();
    out.push_back(std::move(rule));
  }
  return out;
}

ResolutionComparison compareResolution(const std::string& policyText, const json& topology) {
  ResolutionComparison out;
  auto parsed = policy::parsePolicy(policyText);
  if (!parsed) {
    out.error = "posture policy rejected: " + parsed.error().message;
    return out;
  }
  auto nodes = policy::nodesFromDevicesJson(topology);
  if (!nodes) {
    out.error = "topology rejected: " + nodes.error().message;
    return out;
  }
  auto resolved = enforce::headscale::resolvePostures(policyText, *parsed, *nodes);
  if (!resolved) {
    out.error = "resolution failed: " + resolved.error().message;
    return out;
  }
  out.resolvedText = resolved->text;
  out.warnings = resolved->warnings;
  auto resolvedPolicy = policy::parsePolicy(resolved->text);
  if (!resolvedPolicy) {
    out.error = "resolved text rejected: " + resolvedPolicy.error().message + "\n" + resolved->text;
    return out;
  }
  // The resolved policy is compiled as headscale would see the tailnet: no attributes at all.
  json plain = topology;
  for (auto& [name, node] : plain["nodes"].items()) node.erase("attributes");
  auto plainNodes = policy::nodesFromDevicesJson(plain);
  if (!plainNodes) {
    out.error = "topology rejected: " + plainNodes.error().message;
    return out;
  }
  policy::FilterCompiler withPostures(*parsed, *nodes);
  policy::FilterCompiler withoutPostures(*resolvedPolicy, *plainNodes);
  out.postureFilters = json::object();
  const IpSet routes = routesOf(withPostures.nodes());
  for (const auto& node : withPostures.nodes()) {
    NodeComparison c;
    c.node = node.name;
    const json want = filterJson(withPostures, node.name);
    const json got = filterJson(withoutPostures, node.name);
    out.postureFilters[node.name] = want;
    c.exact = policy::toJson(withPostures.filterFor(node.name)).dump() ==
              policy::toJson(withoutPostures.filterFor(node.name)).dump();
    c.sameRules = sameRulesForm(want) == sameRulesForm(got);
    const std::string wantAccess = accessForm(want);
    const std::string gotAccess = accessForm(got);
    c.sameAccess = wantAccess == gotAccess;
    c.sameAccessBesidesRoutedCaps = accessForm(want, routes) == accessForm(got, routes);
    if (!c.exact)
      c.diff = "  posture-aware: " + want.dump() + "\n  resolved:      " + got.dump() + "\n  access wanted:\n" +
               wantAccess + "  access got:\n" + gotAccess;
    out.nodes.push_back(std::move(c));
  }
  return out;
}

}  // namespace postured::testing
