#include "integrations/serial_matching.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/serial_placeholders.h"

namespace postured::integrations {

std::string normaliseSerial(std::string_view serial) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  auto begin = std::find_if(serial.begin(), serial.end(), notSpace);
  auto end = std::find_if(serial.rbegin(), serial.rend(), notSpace).base();
  if (begin >= end) return {};
  std::string out(begin, end);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return core::isPlaceholderSerial(out) ? std::string() : out;
}

SerialMatcher::SerialMatcher(const std::vector<std::shared_ptr<const store::DeviceState>>& devices) {
  deviceBySerial_.reserve(devices.size());
  matches_.reserve(devices.size());
  std::unordered_set<std::string> duplicated;
  for (const auto& state : devices) {
    const auto& d = state->device;
    if (d.postureIdentityDisabled) continue;
    bool usable = false;
    std::unordered_set<std::string> own;  // one device listing a serial twice is not a duplicate
    for (const auto& raw : d.serialNumbers) {
      auto serial = normaliseSerial(raw);
      if (serial.empty() || !own.insert(serial).second) continue;
      usable = true;
      auto [it, fresh] = deviceBySerial_.try_emplace(serial, d.id);
      if (!fresh && it->second != d.id) duplicated.insert(serial);
    }
    if (usable) ++possible_;
  }
  for (const auto& serial : duplicated) deviceBySerial_.erase(serial);
  duplicateSerials_ = duplicated.size();
}

void SerialMatcher::offer(ProviderHost&& host) {
  if (!host.matchable) return;
  ++hosts_;
  // Almost every host has one serial: collect the matched devices without allocating.
  using Hit = std::pair<const std::string*, const std::string*>;  // device id, serial (map-owned)
  std::optional<Hit> first;
  std::vector<Hit> others;
  for (const auto& raw : host.serialNumbers) {
    const auto serial = normaliseSerial(raw);
    if (serial.empty()) continue;
    const auto it = deviceBySerial_.find(serial);
    if (it == deviceBySerial_.end()) continue;
    const Hit hit{&it->second, &it->first};
    if (!first)
      first = hit;
    else if (*first->first != *hit.first &&
             std::none_of(others.begin(), others.end(), [&](const Hit& o) { return *o.first == *hit.first; }))
      others.push_back(hit);
  }
  if (!first) return;
  auto keep = [&](const Hit& hit, bool last) {
    const std::string& device = *hit.first;
    auto [it, fresh] = matches_.try_emplace(device);
    // Newest agent wins; an agent without a last-active time loses to one with it.
    const bool newer =
        fresh || (host.lastActive && (!it->second.lastActive || *host.lastActive > *it->second.lastActive));
    if (!newer) return;
    it->second.serial = *hit.second;
    it->second.providerId = host.providerId;
    it->second.lastActive = host.lastActive;
    it->second.attributes = last ? std::move(host.attributes) : host.attributes;
  };
  for (const auto& hit : others) keep(hit, false);
  keep(*first, true);
}

void SerialMatcher::keepOnlyStillMatching(const SerialMatcher& current) {
  std::erase_if(matches_, [&](const auto& entry) {
    const auto it = current.deviceBySerial_.find(entry.second.serial);
    return it == current.deviceBySerial_.end() || it->second != entry.first;
  });
}

void SerialMatcher::releaseMatches() {
  std::unordered_map<std::string, MatchedHost>().swap(matches_);
  std::unordered_map<std::string, std::string>().swap(deviceBySerial_);
}

}  // namespace postured::integrations
