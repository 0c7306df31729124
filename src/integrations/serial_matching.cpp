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

void prefetchAhead(const DeviceStates& devices, std::size_t i) {
  // Each state, its device and its serials are separate allocations: fetch
  // them a few devices ahead, so that the pass is not one cache miss after
  // another.
  if (i + 16 < devices.size()) __builtin_prefetch(devices[i + 16].get());
  if (i + 8 < devices.size() && devices[i + 8]) __builtin_prefetch(devices[i + 8]->sharedDevice.get());
  if (i + 4 < devices.size() && devices[i + 4]) {
    const auto& d = devices[i + 4]->device;
    __builtin_prefetch(d.serialNumbers.data());
    __builtin_prefetch(devices[i + 4]->attributes.data());
  }
}

}  // namespace

std::string normaliseSerial(std::string_view serial) {
  std::string buffer;
  return std::string(normaliseInto(serial, buffer));
}

bool holdsExactly(const store::DeviceState& state, std::string_view ns,
                  const std::vector<core::DeviceAttribute>& attributes) {
  // Keys are interned, so finding one among the host's is a pointer
  // comparison; only a key the host does not report needs its namespace read.
  std::size_t held = 0;
  for (const auto& a : state.attributes) {
    const auto wanted =
        std::find_if(attributes.begin(), attributes.end(), [&](const auto& w) { return w.key == a.key; });
    if (wanted == attributes.end()) {
      if (inNamespace(a.key, ns)) return false;
      continue;
    }
    ++held;
    if (!(wanted->value == a.value)) return false;
  }
  return held == attributes.size();
}

FleetSerials::FleetSerials(const DeviceStates& devices) : index_(devices.size()) {
  std::string buffer;
  std::vector<std::string> own;  // one device listing a serial twice is not a duplicate
  for (std::uint32_t i = 0; i < devices.size(); ++i) {
    prefetchAhead(devices, i);
    if (!devices[i] || devices[i]->device.postureIdentityDisabled) continue;
    own.clear();
    for (const auto& raw : devices[i]->device.serialNumbers) {
      const auto serial = normaliseInto(raw, buffer);
      if (serial.empty() || std::find(own.begin(), own.end(), serial) != own.end()) continue;
      own.emplace_back(serial);
      index_.add(serial, i);
    }
    if (!own.empty()) ++possible_;
  }
}

SerialMatcher::SerialMatcher(std::shared_ptr<const DeviceStates> devices, std::string_view ns,
                             std::shared_ptr<const FleetSerials> serials)
    : devices_(std::move(devices)),
      ns_(ns),
      serials_(serials ? std::move(serials) : std::make_shared<const FleetSerials>(*devices_)),
      matches_(devices_->size()) {}

void SerialMatcher::offer(std::vector<ProviderHost>& page) {
  // In passes over the page, each starting to load what the next one reads:
  // the index and the device states are far larger than the cache, and a
  // sync's time would otherwise go to waiting for them host after host.
  // 1: normalise every serial and start loading its slot of the index.
  const SerialIndex& index = serials_->index();
  lookups_.clear();
  serialText_.clear();
  for (std::uint32_t h = 0; h < page.size(); ++h) {
    if (!page[h].matchable) continue;
    ++hosts_;
    for (const auto& raw : page[h].serialNumbers) {
      const auto serial = normaliseInto(raw, buffer_);
      if (serial.empty()) continue;
      const auto hash = SerialIndex::hashOf(serial);
      index.prefetch(hash);
      lookups_.push_back(
          Lookup{h, static_cast<std::uint32_t>(serialText_.size()), static_cast<std::uint32_t>(serial.size()), hash});
      serialText_.append(serial);
    }
  }
  // 2: find the devices, each once per host, and start loading their states.
  hits_.clear();
  for (std::size_t l = 0, first = 0; l < lookups_.size(); ++l) {
    const auto& lookup = lookups_[l];
    if (l == 0 || lookup.host != lookups_[l - 1].host) first = hits_.size();
    const auto hit = index.find(std::string_view(serialText_).substr(lookup.offset, lookup.length), lookup.hash);
    if (hit.device == SerialIndex::kNoDevice) continue;
    if (std::any_of(hits_.begin() + static_cast<std::ptrdiff_t>(first), hits_.end(),
                    [&](const Hit& other) { return other.device == hit.device; }))
      continue;
    hits_.push_back(Hit{lookup.host, hit.device, hit.serial});
    __builtin_prefetch((*devices_)[hit.device].get());
  }
  // 3: compare with what each device holds, its attributes loaded a few ahead.
  for (std::size_t k = 0; k < hits_.size(); ++k) {
    if (k + 4 < hits_.size()) __builtin_prefetch((*devices_)[hits_[k + 4].device]->attributes.data());
    const bool lastOfHost = k + 1 == hits_.size() || hits_[k + 1].host != hits_[k].host;
    take(page[hits_[k].host], hits_[k], lastOfHost);
  }
}

void SerialMatcher::offer(ProviderHost host) {
  std::vector<ProviderHost> page;
  page.push_back(std::move(host));
  offer(page);
}

void SerialMatcher::take(ProviderHost& host, const Hit& hit, bool lastOfHost) {
  auto& slot = matches_[hit.device];
  // Newest agent wins; an agent without a last-active time loses to one with it.
  const bool newer = !slot || (host.lastActive && (!slot->lastActive || *host.lastActive > *slot->lastActive));
  if (!newer) return;
  if (!slot) ++matched_;
  const bool unchanged = holdsExactly(*(*devices_)[hit.device], ns_, host.attributes);
  slot = MatchedHost{hit.serial, host.lastActive, unchanged, {}};
  // The host's last device takes its values, the others copy them.
  if (!unchanged) slot->attributes = lastOfHost ? std::move(host.attributes) : host.attributes;
}

const MatchedHost* SerialMatcher::matchOf(std::string_view deviceId) const {
  for (std::size_t i = 0; i < devices_->size(); ++i)
    if ((*devices_)[i] && (*devices_)[i]->device.id == deviceId) return matches_[i] ? &*matches_[i] : nullptr;
  return nullptr;
}

void SerialMatcher::rebase(std::shared_ptr<const DeviceStates> devicesNow,
                           std::shared_ptr<const FleetSerials> serialsNow) {
  SerialMatcher current(std::move(devicesNow), ns_, std::move(serialsNow));
  for (std::size_t i = 0; i < matches_.size(); ++i) {
    auto& slot = matches_[i];
    if (!slot) continue;
    const auto hit = current.serials_->index().find(slot->serial);
    if (hit.device == SerialIndex::kNoDevice) continue;
    // The serial must still belong to the device it matched when the host was offered.
    const auto& was = *(*devices_)[i];
    if ((*current.devices_)[hit.device]->device.id != was.device.id) continue;
    if (slot->unchanged) {  // "unchanged" described the device as it was: spell the values out
      for (const auto& a : was.attributes)
        if (inNamespace(a.key, ns_)) slot->attributes.push_back(a);
      slot->unchanged = false;
    }
    slot->serial = hit.serial;
    current.matches_[hit.device] = std::move(slot);
    ++current.matched_;
  }
  devices_ = std::move(current.devices_);
  serials_ = std::move(current.serials_);
  matches_ = std::move(current.matches_);
  matched_ = current.matched_;
}

}  // namespace postured::integrations
