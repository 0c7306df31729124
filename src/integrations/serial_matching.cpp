#include "integrations/serial_matching.h"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace postured::integrations {

std::string normaliseSerial(std::string_view serial) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  auto begin = std::find_if(serial.begin(), serial.end(), notSpace);
  auto end = std::find_if(serial.rbegin(), serial.rend(), notSpace).base();
  if (begin >= end) return {};
  std::string out(begin, end);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return isPlaceholderSerial(out) ? std::string() : out;
}

bool isPlaceholderSerial(std::string_view s) {
  // Values firmware vendors leave in SMBIOS when nobody set a serial.
  static constexpr std::array<std::string_view, 16> kPlaceholders = {
      "TO BE FILLED BY O.E.M.", "TO BE FILLED BY OEM", "DEFAULT STRING", "SYSTEM SERIAL NUMBER",
      "NOT SPECIFIED",          "NOT APPLICABLE",      "NONE",           "N/A",
      "NA",                     "0",                   "0123456789",     "123456789",
      "SERIAL NUMBER",          "CHASSIS SERIAL NUMBER", "UNKNOWN",      "INVALID"};
  if (std::find(kPlaceholders.begin(), kPlaceholders.end(), s) != kPlaceholders.end()) return true;
  const bool allZero = std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
  const bool allF = std::all_of(s.begin(), s.end(), [](char c) { return c == 'F'; });
  return allZero || allF;
}

SerialMatcher::SerialMatcher(const std::vector<std::shared_ptr<const store::DeviceState>>& devices) {
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
  std::vector<std::string> devices;
  for (const auto& raw : host.serialNumbers) {
    const auto serial = normaliseSerial(raw);
    if (serial.empty()) continue;
    if (auto it = deviceBySerial_.find(serial); it != deviceBySerial_.end())
      if (std::find(devices.begin(), devices.end(), it->second) == devices.end()) devices.push_back(it->second);
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    auto [it, fresh] = matches_.try_emplace(devices[i]);
    // Newest agent wins; an agent without a last-active time loses to one with it.
    const bool newer = fresh || (host.lastActive && (!it->second.lastActive || *host.lastActive > *it->second.lastActive));
    if (!newer) continue;
    it->second.providerId = host.providerId;
    it->second.lastActive = host.lastActive;
    it->second.attributes = i + 1 == devices.size() ? std::move(host.attributes) : host.attributes;
  }
}

}  // namespace postured::integrations
