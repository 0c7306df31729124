#include "integrations/attribute_diff.h"

#include <map>

namespace postured::integrations {

bool inNamespace(std::string_view key, std::string_view ns) {
  return key.size() > ns.size() && key.compare(0, ns.size(), ns) == 0 && key[ns.size()] == ':';
}

std::vector<DeviceAttributeDiff> diffProviderAttributes(
    const std::vector<std::shared_ptr<const store::DeviceState>>& devices, std::string_view ns,
    const std::unordered_map<std::string, MatchedHost>& desired, core::Timestamp now) {
  std::vector<DeviceAttributeDiff> out;
  for (const auto& state : devices) {
    std::map<std::string, const core::AttributeValue*> held;  // ordered: stable audit output
    for (const auto& a : state->attributes)
      if (inNamespace(a.key, ns)) held.emplace(a.key, &a.value);
    const auto match = desired.find(state->device.id);
    if (held.empty() && match == desired.end()) continue;

    DeviceAttributeDiff diff;
    std::map<std::string, const core::AttributeValue*> wanted;
    if (match != desired.end())
      for (const auto& [key, value] : match->second.attributes) wanted.emplace(key, &value);
    for (const auto& [key, value] : wanted) {
      auto it = held.find(key);
      if (it != held.end() && *it->second == *value) continue;
      diff.puts.push_back(core::DeviceAttribute{key, *value, std::nullopt, now});
      diff.before.emplace_back(key, it == held.end() ? std::nullopt : std::optional(*it->second));
      diff.after.emplace_back(key, *value);
    }
    for (const auto& [key, value] : held) {
      if (wanted.count(key)) continue;
      diff.removals.push_back(key);
      diff.before.emplace_back(key, *value);
      diff.after.emplace_back(key, std::nullopt);
    }
    if (diff.puts.empty() && diff.removals.empty()) continue;
    diff.device = state->device;
    out.push_back(std::move(diff));
  }
  return out;
}

}  // namespace postured::integrations
