#include "integrations/serial_matching.h"

#include <algorithm>
#include <utility>

#include "core/serial_placeholders.h"
#include "integrations/attribute_diff.h"

namespace postured::integrations {

namespace {

bool isSpace(unsigned char c) { return std::isspace(c) != 0; }

// normaliseSerial into a caller's buffer: a sync normalises every device's
// serials and every host's, and most fit no small-string buffer. "" when unusable.
std::string_view normaliseInto(std::string_view serial, std::string& buffer) {
  while (!serial.empty() && isSpace(serial.front())) serial.remove_prefix(1);
  while (!serial.empty() && isSpace(serial.back())) serial.remove_suffix(1);
  buffer.assign(serial);
  for (auto& c : buffer) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (buffer.empty() || core::isPlaceholderSerial(buffer)) return {};
  return buffer;
}

}  // namespace

void prefetchAhead(const DeviceStates& devices, std::size_t i) {
  // Each state, its device and its serials are separate allocations: fetch
  // them a few devices ahead, so that the pass is not one cache miss after
  // another.
  if (i + 16 < devices.size()) __builtin_prefetch(devices[i + 16].get());
  if (i + 8 < devices.size()) __builtin_prefetch(devices[i + 8]->sharedDevice.get());
  if (i + 4 < devices.size()) {
    const auto& d = devices[i + 4]->device;
    __builtin_prefetch(d.serialNumbers.data());
    __builtin_prefetch(devices[i + 4]->attributes.data());
  }
}

std::string normaliseSerial(std::string_view serial) {
  std::string buffer;
  return std::string(normaliseInto(serial, buffer));
}

bool holdsExactly(const store::DeviceState& state, std::string_view ns,
                  const std::vector<core::DeviceAttribute>& attributes) {
  std::size_t held = 0;
  for (const auto& a : state.attributes) {
    if (!inNamespace(a.key, ns)) continue;
    ++held;
    const auto wanted =
        std::find_if(attributes.begin(), attributes.end(), [&](const auto& w) { return w.key == a.key; });
    if (wanted == attributes.end() || !(wanted->value == a.value)) return false;
  }
  return held == attributes.size();
}

SerialMatcher::SerialMatcher(DeviceStates devices, std::string_view ns)
    : devices_(std::move(devices)), ns_(ns), index_(devices_.size()), matches_(devices_.size()) {
  std::string buffer;
  std::vector<std::string> own;  // one device listing a serial twice is not a duplicate
  for (std::uint32_t i = 0; i < devices_.size(); ++i) {
    prefetchAhead(devices_, i);
    const auto& d = devices_[i]->device;
    if (d.postureIdentityDisabled) continue;
    own.clear();
    for (const auto& raw : d.serialNumbers) {
      const auto serial = normaliseInto(raw, buffer);
      if (serial.empty() || std::find(own.begin(), own.end(), serial) != own.end()) continue;
      own.emplace_back(serial);
      index_.add(serial, i);
    }
    if (!own.empty()) ++possible_;
  }
  duplicateSerials_ = index_.sharedCount();
}

void SerialMatcher::offer(ProviderHost&& host) {
  if (!host.matchable) return;
  ++hosts_;
  // The devices this host matches, each once, with the serial that matched it.
  std::vector<SerialIndex::Hit> hits;
  std::string buffer;
  for (const auto& raw : host.serialNumbers) {
    const auto serial = normaliseInto(raw, buffer);
    if (serial.empty()) continue;
    const auto hit = index_.find(serial);
    if (hit.device == SerialIndex::kNoDevice) continue;
    if (std::none_of(hits.begin(), hits.end(), [&](const auto& h) { return h.device == hit.device; }))
      hits.push_back(hit);
  }
  for (std::size_t h = 0; h < hits.size(); ++h) {
    auto& slot = matches_[hits[h].device];
    // Newest agent wins; an agent without a last-active time loses to one with it.
    const bool newer = !slot || (host.lastActive && (!slot->lastActive || *host.lastActive > *slot->lastActive));
    if (!newer) continue;
    if (!slot) ++matched_;
    const bool last = h + 1 == hits.size();  // the last device takes the host's values, the others copy them
    const bool unchanged = holdsExactly(*devices_[hits[h].device], ns_, host.attributes);
    slot = MatchedHost{std::string(hits[h].serial),
                       last ? std::move(host.providerId) : host.providerId,
                       host.lastActive,
                       unchanged,
                       {}};
    if (!unchanged) slot->attributes = last ? std::move(host.attributes) : host.attributes;
  }
}

const MatchedHost* SerialMatcher::matchOf(std::string_view deviceId) const {
  for (std::size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i]->device.id == deviceId) return matches_[i] ? &*matches_[i] : nullptr;
  return nullptr;
}

void SerialMatcher::rebase(DeviceStates devicesNow) {
  SerialMatcher current(std::move(devicesNow), ns_);
  for (auto& slot : matches_) {
    if (!slot) continue;
    const auto hit = current.index_.find(slot->serial);
    if (hit.device == SerialIndex::kNoDevice) continue;
    // The serial must still belong to the device it matched when the host was offered.
    const auto& was = *devices_[static_cast<std::size_t>(&slot - matches_.data())];
    if (current.devices_[hit.device]->device.id != was.device.id) continue;
    if (slot->unchanged) {  // "unchanged" described the device as it was: spell the values out
      for (const auto& a : was.attributes)
        if (inNamespace(a.key, ns_)) slot->attributes.push_back(a);
      slot->unchanged = false;
    }
    current.matches_[hit.device] = std::move(slot);
    ++current.matched_;
  }
  devices_ = std::move(current.devices_);
  index_ = std::move(current.index_);
  matches_ = std::move(current.matches_);
  matched_ = current.matched_;
  possible_ = current.possible_;
  duplicateSerials_ = current.duplicateSerials_;
}

std::vector<std::optional<MatchedHost>> SerialMatcher::takeMatches() {
  index_ = SerialIndex();
  return std::exchange(matches_, {});
}

}  // namespace postured::integrations
