#include "integrations/serial_matching.h"

#include <algorithm>
#include <unordered_set>

#include "core/serial_placeholders.h"

namespace postured::integrations {

namespace {
bool isSpace(unsigned char c) { return std::isspace(c) != 0; }
}  // namespace

std::string normaliseSerial(std::string_view serial) {
  while (!serial.empty() && isSpace(serial.front())) serial.remove_prefix(1);
  while (!serial.empty() && isSpace(serial.back())) serial.remove_suffix(1);
  std::string out(serial);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out.empty() || core::isPlaceholderSerial(out) ? std::string() : out;
}

SerialMatcher::SerialMatcher(DeviceStates devices) : devices_(std::move(devices)), matches_(devices_.size()) {
  deviceBySerial_.reserve(devices_.size());
  std::unordered_set<std::string> duplicated;
  std::vector<std::string> own;  // one device listing a serial twice is not a duplicate
  for (std::uint32_t i = 0; i < devices_.size(); ++i) {
    const auto& d = devices_[i]->device;
    if (d.postureIdentityDisabled) continue;
    own.clear();
    for (const auto& raw : d.serialNumbers) {
      auto serial = normaliseSerial(raw);
      if (serial.empty() || std::find(own.begin(), own.end(), serial) != own.end()) continue;
      own.push_back(serial);
      auto [it, fresh] = deviceBySerial_.try_emplace(std::move(serial), i);
      if (!fresh && it->second != i) duplicated.insert(it->first);
    }
    if (!own.empty()) ++possible_;
  }
  for (const auto& serial : duplicated) deviceBySerial_.erase(serial);
  duplicateSerials_ = duplicated.size();
}

void SerialMatcher::offer(ProviderHost&& host) {
  if (!host.matchable) return;
  ++hosts_;
  // The devices this host matches, each once, with the serial that matched it.
  std::vector<std::pair<std::uint32_t, const std::string*>> hits;
  for (const auto& raw : host.serialNumbers) {
    const auto it = deviceBySerial_.find(normaliseSerial(raw));
    if (it == deviceBySerial_.end()) continue;  // "" (unusable) is never in the index
    if (std::none_of(hits.begin(), hits.end(), [&](const auto& h) { return h.first == it->second; }))
      hits.emplace_back(it->second, &it->first);
  }
  for (std::size_t h = 0; h < hits.size(); ++h) {
    auto& slot = matches_[hits[h].first];
    // Newest agent wins; an agent without a last-active time loses to one with it.
    const bool newer = !slot || (host.lastActive && (!slot->lastActive || *host.lastActive > *slot->lastActive));
    if (!newer) continue;
    if (!slot) ++matched_;
    const bool last = h + 1 == hits.size();  // the last device takes the host's values, the others copy them
    slot = MatchedHost{*hits[h].second, last ? std::move(host.providerId) : host.providerId, host.lastActive,
                       last ? std::move(host.attributes) : host.attributes};
  }
}

const MatchedHost* SerialMatcher::matchOf(std::string_view deviceId) const {
  for (std::size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i]->device.id == deviceId) return matches_[i] ? &*matches_[i] : nullptr;
  return nullptr;
}

void SerialMatcher::rebase(DeviceStates devicesNow) {
  SerialMatcher current(std::move(devicesNow));
  for (auto& slot : matches_) {
    if (!slot) continue;
    const auto it = current.deviceBySerial_.find(slot->serial);
    if (it == current.deviceBySerial_.end()) continue;
    // The serial must still belong to the device it matched when the host was offered.
    const auto& was = devices_[static_cast<std::size_t>(&slot - matches_.data())]->device.id;
    if (current.devices_[it->second]->device.id != was) continue;
    current.matches_[it->second] = std::move(slot);
    ++current.matched_;
  }
  devices_ = std::move(current.devices_);
  deviceBySerial_ = std::move(current.deviceBySerial_);
  matches_ = std::move(current.matches_);
  matched_ = current.matched_;
  possible_ = current.possible_;
  duplicateSerials_ = current.duplicateSerials_;
}

void SerialMatcher::releaseMatches() {
  std::vector<std::optional<MatchedHost>>().swap(matches_);
  std::unordered_map<std::string, std::uint32_t>().swap(deviceBySerial_);
}

}  // namespace postured::integrations
