#include "integrations/attribute_diff.h"

#include <algorithm>

namespace postured::integrations {

const core::AttributeValue* DeviceAttributeDiff::held(std::string_view key) const {
  for (const auto& a : state->attributes)
    if (a.key == key) return &a.value;
  return nullptr;
}

std::vector<const core::DeviceAttribute*> DeviceAttributeDiff::puts() const {
  std::vector<const core::DeviceAttribute*> out;
  for (const auto& a : next)
    if (const auto* old = held(a.key); !old || !(*old == a.value)) out.push_back(&a);
  return out;
}

namespace {

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void appendJsonValue(std::string& out, const core::AttributeValue* value) {
  if (!value)
    out += "null";
  else if (value->type() == core::AttributeType::kString)
    appendJsonString(out, value->asString());
  else
    out += value->encode();  // true/false, or the shortest round-trip number
}

using Member = std::pair<std::string_view, const core::AttributeValue*>;

// An object of the members, in key order.
std::string jsonObject(std::vector<Member> members) {
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.first < b.first; });
  std::string out = "{";
  for (const auto& [key, value] : members) {
    if (out.size() > 1) out.push_back(',');
    appendJsonString(out, key);
    out.push_back(':');
    appendJsonValue(out, value);
  }
  out.push_back('}');
  return out;
}

}  // namespace

std::string DeviceAttributeDiff::oldJson() const {
  std::vector<Member> members;
  for (const auto* a : puts()) members.emplace_back(a->key, held(a->key));
  for (const auto& key : removals) members.emplace_back(key, held(key));
  return jsonObject(std::move(members));
}

std::string DeviceAttributeDiff::newJson() const {
  std::vector<Member> members;
  for (const auto* a : puts()) members.emplace_back(a->key, &a->value);
  for (const auto& key : removals) members.emplace_back(key, nullptr);
  return jsonObject(std::move(members));
}

bool inNamespace(std::string_view key, std::string_view ns) {
  return key.size() > ns.size() && key.compare(0, ns.size(), ns) == 0 && key[ns.size()] == ':';
}

std::vector<DeviceAttributeDiff> diffProviderAttributes(
    const std::vector<std::shared_ptr<const store::DeviceState>>& devices, std::string_view ns,
    const std::unordered_map<std::string, MatchedHost>& desired, core::Timestamp now) {
  // Runs for every device on every sync, so it allocates nothing for a device
  // that does not change: a provider writes a handful of keys, and linear
  // scans over them beat building maps.
  std::vector<DeviceAttributeDiff> out;
  for (const auto& state : devices) {
    const auto match = desired.find(state->device.id);
    const auto* wanted = match == desired.end() ? nullptr : &match->second.attributes;
    const auto heldValue = [&](const std::string& key) -> const core::AttributeValue* {
      for (const auto& a : state->attributes)
        if (a.key == key) return &a.value;
      return nullptr;
    };
    const auto updatedOf = [&](const std::string& key) {
      for (const auto& a : state->attributes)
        if (a.key == key) return a.updated;
      return now;
    };
    const auto isWanted = [&](const std::string& key) {
      if (!wanted) return false;
      for (const auto& [k, v] : *wanted)
        if (k == key) return true;
      return false;
    };

    bool changed = false;
    if (wanted)
      for (const auto& [key, value] : *wanted)
        if (const auto* old = heldValue(key); !old || !(*old == value)) changed = true;
    for (const auto& a : state->attributes)
      if (inNamespace(a.key, ns) && !isWanted(a.key)) changed = true;
    if (!changed) continue;

    DeviceAttributeDiff diff;
    for (const auto& a : state->attributes)
      if (inNamespace(a.key, ns) && !isWanted(a.key)) diff.removals.push_back(a.key);
    if (wanted)
      for (const auto& [key, value] : *wanted) {
        const auto* old = heldValue(key);
        // An unchanged value keeps the time it was last set.
        diff.next.push_back(core::DeviceAttribute{key, value, std::nullopt, old && *old == value ? updatedOf(key) : now});
      }
    diff.state = state;
    out.push_back(std::move(diff));
  }
  // In key order the store's B-tree inserts are nearly sequential: a sync that
  // rewrites 100,000 devices touches each page once instead of at random.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.device().id < b.device().id; });
  return out;
}

}  // namespace postured::integrations
