#include "integrations/attribute_diff.h"

#include <algorithm>

namespace postured::integrations {

const core::AttributeValue* DeviceAttributeDiff::held(core::AttributeKey key) const {
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

DeviceAttributeDiff::Audit DeviceAttributeDiff::audit() const {
  std::vector<Member> before;
  std::vector<Member> after;
  for (const auto* a : puts()) {
    before.emplace_back(a->key, held(a->key));
    after.emplace_back(a->key, &a->value);
  }
  for (const auto& key : removals) {
    before.emplace_back(key, held(key));
    after.emplace_back(key, nullptr);
  }
  const std::size_t changed = after.size();
  return Audit{jsonObject(std::move(before)), jsonObject(std::move(after)), changed};
}

std::vector<DeviceAttributeDiff> diffProviderAttributes(const DeviceStates& devices, std::string_view ns,
                                                        std::vector<std::optional<MatchedHost>> desired,
                                                        core::Timestamp now) {
  // Runs for every device on every sync, so it allocates nothing for a device
  // that does not change: a provider writes a handful of keys, and linear
  // scans over them, comparing interned keys, beat building maps. A device
  // whose match found it holding the values already is not even looked at:
  // in a sync that changes nothing that is nearly every device.
  const auto agreed = [&](std::size_t i) { return i < desired.size() && desired[i] && desired[i]->unchanged; };
  std::vector<std::uint32_t> inspect;
  for (std::uint32_t i = 0; i < devices.size(); ++i)
    if (devices[i] && !agreed(i)) inspect.push_back(i);
  std::vector<DeviceAttributeDiff> out;
  for (std::size_t k = 0; k < inspect.size(); ++k) {
    // The states are scattered over the heap: load them a few devices ahead.
    if (k + 8 < inspect.size()) __builtin_prefetch(devices[inspect[k + 8]].get());
    if (k + 4 < inspect.size()) __builtin_prefetch(devices[inspect[k + 4]]->attributes.data());
    const std::size_t i = inspect[k];
    const auto& state = devices[i];
    auto* wanted = i < desired.size() && desired[i] ? &desired[i]->attributes : nullptr;
    const auto held = [&](core::AttributeKey key) -> const core::DeviceAttribute* {
      for (const auto& a : state->attributes)
        if (a.key == key) return &a;
      return nullptr;
    };
    const auto isWanted = [&](core::AttributeKey key) {
      return wanted && std::any_of(wanted->begin(), wanted->end(), [&](const auto& w) { return w.key == key; });
    };
    const auto isRemoved = [&](const core::DeviceAttribute& a) { return inNamespace(a.key, ns) && !isWanted(a.key); };

    bool changed = std::any_of(state->attributes.begin(), state->attributes.end(), isRemoved);
    if (wanted && !changed)
      changed = std::any_of(wanted->begin(), wanted->end(), [&](const auto& w) {
        const auto* old = held(w.key);
        return !old || !(old->value == w.value);
      });
    if (!changed) continue;

    DeviceAttributeDiff diff;
    diff.state = state;
    for (const auto& a : state->attributes)
      if (isRemoved(a)) diff.removals.push_back(a.key);
    if (wanted) {
      for (auto& a : *wanted) {
        const auto* old = held(a.key);
        // An unchanged value keeps the time it was last set.
        a.updated = old && old->value == a.value ? old->updated : now;
        a.expiry.reset();
      }
      diff.next = std::move(*wanted);  // the host's vector becomes the device's
      desired[i].reset();
    }
    out.push_back(std::move(diff));
  }
  // In key order the store's B-tree inserts are nearly sequential: a sync that
  // rewrites 100,000 devices touches each page once instead of at random.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.device().id < b.device().id; });
  return out;
}

}  // namespace postured::integrations
