// Matching provider hosts to devices by hardware serial number (DESIGN §6):
// serials are trimmed and compared case-insensitively; placeholders such as
// "To be filled by O.E.M." are ignored; a serial found on several devices
// matches none of them (and is counted); when several hosts match one device
// (reinstalls), the one active most recently wins; hosts that are not
// matchable (decommissioned, uninstalled) match nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "integrations/provider.h"
#include "integrations/serial_index.h"
#include "store/cached_store.h"

namespace postured::integrations {

using DeviceStates = std::vector<std::shared_ptr<const store::DeviceState>>;

// Passes over every device state call this for index i to have the memory
// of the states a little further on on its way.
void prefetchAhead(const DeviceStates& devices, std::size_t i);

// Upper-cased, trimmed serial, or "" when it is blank or a known placeholder.
std::string normaliseSerial(std::string_view serial);

// What a sync decided for one device.
struct MatchedHost {
  std::string serial;  // the normalised serial that matched
  std::string providerId;
  std::optional<core::Timestamp> lastActive;
  // The device already holds exactly the host's values: they are not kept,
  // since in a sync that changes nothing that is every match of the fleet.
  bool unchanged = false;
  std::vector<core::DeviceAttribute> attributes;  // empty when unchanged
};

// True when `state` holds exactly `attributes` in namespace `ns`: the same
// keys with equal values, and no other key of `ns`.
bool holdsExactly(const store::DeviceState& state, std::string_view ns,
                  const std::vector<core::DeviceAttribute>& attributes);

class SerialMatcher {
 public:
  // Indexes the devices' usable serials. Devices whose identity collection is
  // disabled take no part. `ns` is the provider's attribute namespace, which
  // the devices' current values are compared in.
  SerialMatcher(DeviceStates devices, std::string_view ns);

  // Offers one host; keeps it for every device it matches if it is the
  // newest so far. Only matched hosts are kept, so memory follows the number
  // of matched devices, not the fleet.
  void offer(ProviderHost&& host);

  std::size_t providerHostCount() const { return hosts_; }            // matchable hosts offered
  std::size_t possibleMatchedCount() const { return possible_; }      // devices with a usable serial
  std::size_t duplicateSerials() const { return duplicateSerials_; }  // serials held by several devices
  std::size_t matchedCount() const { return matched_; }

  // The devices matched against, and what each matched: matches()[i] is
  // devices()[i]'s host, if any. Indexes rather than a map keyed by device
  // id: a sync looks up every device of a large fleet.
  const DeviceStates& devices() const { return devices_; }
  const std::vector<std::optional<MatchedHost>>& matches() const { return matches_; }
  const MatchedHost* matchOf(std::string_view deviceId) const;  // a linear scan, for tests and messages

  // Moves onto `devicesNow` (the devices as they are now) and drops matches
  // they would not make: a serial changed, identity turned off, a device
  // removed, or a serial that became shared while the hosts were fetched.
  void rebase(DeviceStates devicesNow);

  // Hands the matches over (by device index, like matches()) and frees the
  // serial index; the counts and devices() stay.
  std::vector<std::optional<MatchedHost>> takeMatches();

 private:
  DeviceStates devices_;
  std::string ns_;
  SerialIndex index_;  // normalised serial -> index in devices_
  std::vector<std::optional<MatchedHost>> matches_;
  std::size_t matched_ = 0;
  std::size_t hosts_ = 0;
  std::size_t possible_ = 0;
  std::size_t duplicateSerials_ = 0;
};

}  // namespace postured::integrations
