#include "integrations/attribute_diff.h"

#include <algorithm>
#include <map>

namespace postured::integrations {

const core::AttributeValue* DeviceAttributeDiff::held(std::string_view key) const {
  for (const auto& a : state->attributes)
    if (a.key == key) return &a.value;
  return nullptr;
}

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
    diff.state = state;
    std::map<std::string, const core::AttributeValue*> wanted;
    if (match != desired.end())
      for (const auto& [key, value] : match->second.attributes) wanted.emplace(key, &value);
    for (const auto& [key, value] : wanted) {
      auto it = held.find(key);
      if (it != held.end() && *it->second == *value) continue;
      diff.puts.push_back(core::DeviceAttribute{key, *value, std::nullopt, now});
    }
    for (const auto& [key, value] : held)
      if (!wanted.count(key)) diff.removals.push_back(key);
    if (diff.puts.empty() && diff.removals.empty()) continue;
    out.push_back(std::move(diff));
  }
  // In key order the store's B-tree inserts are nearly sequential: a sync that
  // rewrites 100,000 devices touches each page once instead of at random.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.device().id < b.device().id; });
  return out;
}

}  // namespace postured::integrations
