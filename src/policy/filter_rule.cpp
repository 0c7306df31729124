#include "policy/filter_rule.h"

namespace postured::policy {

nlohmann::ordered_json toJson(const FilterRule& rule) {
  nlohmann::ordered_json out;
  out["SrcIPs"] = rule.srcIps;
  if (!rule.dstPorts.empty()) {
    auto& dsts = out["DstPorts"] = nlohmann::ordered_json::array();
    for (const auto& d : rule.dstPorts)
      dsts.push_back({{"IP", d.ip}, {"Ports", {{"First", d.ports.first}, {"Last", d.ports.last}}}});
  }
  if (!rule.ipProto.empty()) out["IPProto"] = rule.ipProto;
  if (!rule.capGrant.empty()) {
    auto& grants = out["CapGrant"] = nlohmann::ordered_json::array();
    for (const auto& g : rule.capGrant) {
      nlohmann::ordered_json entry;
      entry["Dsts"] = g.dsts;
      entry["CapMap"] = nlohmann::ordered_json::parse(g.capMap.dump());
      grants.push_back(std::move(entry));
    }
  }
  return out;
}

nlohmann::ordered_json toJson(const std::vector<FilterRule>& rules) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& r : rules) out.push_back(toJson(r));
  return out;
}

}  // namespace postured::policy
