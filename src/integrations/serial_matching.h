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
#include <utility>
#include <vector>

#include "integrations/provider.h"
#include "integrations/serial_index.h"
#include "store/cached_store.h"

namespace postured::integrations {

using store::DeviceStates;

// Upper-cased, trimmed serial, or "" when it is blank or a known placeholder.
std::string normaliseSerial(std::string_view serial);

// The usable serials of a set of devices (by position), indexed. Building it
// is a pass over the whole fleet, so a sync keeps it for as long as no
// device was added, removed or changed: positions and serials are then the
// same (CachedStore::Snapshot). Devices whose identity collection is
// disabled take no part. Immutable, so syncs may share it.
class FleetSerials {
 public:
  explicit FleetSerials(const DeviceStates& devices);

  const SerialIndex& index() const { return index_; }
  std::size_t possibleMatchedCount() const { return possible_; }         // devices with a usable serial
  std::size_t duplicateSerials() const { return index_.sharedCount(); }  // serials held by several devices

 private:
  SerialIndex index_;  // normalised serial -> position
  std::size_t possible_ = 0;
};

// What a sync decided for one device.
struct MatchedHost {
  // The normalised serial that matched, in the text of the matcher's
  // FleetSerials: valid while the matcher lives, not after takeMatches().
  std::string_view serial;
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
  // Matches against `devices`, comparing the values they hold in `ns`, the
  // provider's attribute namespace. `serials` must index these very
  // positions and serials; it is built when not given.
  SerialMatcher(std::shared_ptr<const DeviceStates> devices, std::string_view ns,
                std::shared_ptr<const FleetSerials> serials = nullptr);
  SerialMatcher(DeviceStates devices, std::string_view ns)
      : SerialMatcher(std::make_shared<const DeviceStates>(std::move(devices)), ns) {}

  // Offers a page of hosts; each is kept for every device it matches if it
  // is the newest so far. Only what matched and changed is kept (moved out of
  // the page), so memory follows the changes, not the fleet.
  void offer(std::vector<ProviderHost>& page);
  void offer(ProviderHost host);  // a page of one

  std::size_t providerHostCount() const { return hosts_; }  // matchable hosts offered
  std::size_t possibleMatchedCount() const { return serials_->possibleMatchedCount(); }
  std::size_t duplicateSerials() const { return serials_->duplicateSerials(); }
  std::size_t matchedCount() const { return matched_; }

  // The devices matched against, and what each matched: matches()[i] is
  // devices()[i]'s host, if any. Positions rather than a map keyed by device
  // id: a sync looks up every device of a large fleet.
  const DeviceStates& devices() const { return *devices_; }
  const std::vector<std::optional<MatchedHost>>& matches() const { return matches_; }
  const MatchedHost* matchOf(std::string_view deviceId) const;  // a linear scan, for tests and messages
  const std::shared_ptr<const FleetSerials>& serials() const { return serials_; }

  // Moves onto `devicesNow` (the devices as they are now) and drops matches
  // they would not make: a serial changed, identity turned off, a device
  // removed, or a serial that became shared while the hosts were fetched.
  void rebase(std::shared_ptr<const DeviceStates> devicesNow, std::shared_ptr<const FleetSerials> serialsNow = nullptr);
  void rebase(DeviceStates devicesNow) { rebase(std::make_shared<const DeviceStates>(std::move(devicesNow))); }

  // Hands the matches over (by position, like matches()); the counts and devices() stay.
  std::vector<std::optional<MatchedHost>> takeMatches() { return std::exchange(matches_, {}); }

 private:
  // One usable serial of a host of the page, normalised into serialText_.
  struct Lookup {
    std::uint32_t host;
    std::uint32_t offset;
    std::uint32_t length;
    std::uint32_t hash;
  };
  // One device a host of the page matches, through one of its serials.
  struct Hit {
    std::uint32_t host;
    std::uint32_t device;
    std::string_view serial;
  };
  void take(ProviderHost& host, const Hit& hit, bool lastOfHost);

  std::shared_ptr<const DeviceStates> devices_;
  std::string ns_;
  std::shared_ptr<const FleetSerials> serials_;
  std::vector<std::optional<MatchedHost>> matches_;
  // The current page's, kept for their capacity.
  std::vector<Lookup> lookups_;
  std::string serialText_;
  std::vector<Hit> hits_;
  std::string buffer_;  // for normalising serials
  std::size_t matched_ = 0;
  std::size_t hosts_ = 0;
};

}  // namespace postured::integrations
