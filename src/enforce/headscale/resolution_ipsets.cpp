#include "enforce/headscale/resolution_ipsets.h"

namespace postured::enforce::headscale {

using nlohmann::json;
using policy::SelectorKind;

json expandIpsets(ResolutionContext& context, const json& list, const std::vector<policy::Selector>& selectors,
                  ListRole role, int line, std::vector<std::string>& warnings) {
  json out = json::array();
  for (std::size_t i = 0; i < selectors.size() && i < list.size(); ++i) {
    if (selectors[i].kind != SelectorKind::kIpSet) {
      out.push_back(list[i]);
      continue;
    }
    const auto& set = context.addresses(selectors[i]);
    if (role == ListRole::kSources) {
      for (auto& a : context.addressSelectors(set, line, warnings)) out.push_back(std::move(a));
    } else {
      for (auto& a : context.addressDestinations(set, line, warnings)) out.push_back(std::move(a));
    }
  }
  return out;
}

json expandIpsetDestinations(ResolutionContext& context, const json& list,
                             const std::vector<policy::DstSelector>& destinations, int line,
                             std::vector<std::string>& warnings) {
  json out = json::array();
  for (std::size_t i = 0; i < destinations.size() && i < list.size(); ++i) {
    const auto& d = destinations[i];
    if (d.target.kind != SelectorKind::kIpSet) {
      out.push_back(list[i]);
      continue;
    }
    // "ipset:name:ports": the ports as written follow the name and its colon.
    const std::string ports = d.text.substr(d.target.text.size() + 1);
    for (const auto& a : context.addressDestinations(context.addresses(d.target), line, warnings))
      out.push_back(a + ":" + ports);
  }
  return out;
}

}  // namespace postured::enforce::headscale
