// What a successful sync changes: for every device, the provider's attributes
// it should hold (from the matches) against those it holds now. Devices no
// longer matched lose every attribute of the provider's namespace.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "integrations/serial_matching.h"
#include "store/cached_store.h"

namespace postured::integrations {

struct DeviceAttributeDiff {
  std::shared_ptr<const store::DeviceState> state;  // the device as it was: old values for the audit
  std::vector<core::DeviceAttribute> next;          // the namespace's whole set after the change
  std::vector<core::AttributeKey> removals;         // keys held before and absent from `next`

  const core::Device& device() const { return state->device; }
  // The value `key` had before, if any.
  const core::AttributeValue* held(core::AttributeKey key) const;
  // The attributes of `next` that are new or changed. Derived rather than
  // stored: a first sync diffs 100,000 devices and memory is the limit.
  std::vector<const core::DeviceAttribute*> puts() const;

  // The audit event's old and new values: {"key": value or null, ...} over
  // the changed keys, and how many keys changed. Built directly, in one
  // pass, since a sync may audit 100,000 devices.
  struct Audit {
    std::string oldJson;
    std::string newJson;
    std::size_t changed = 0;
  };
  Audit audit() const;
};

// `desired[i]` is what devices[i] should hold (absent, or an empty `desired`:
// nothing). Only keys in `ns` ("sentinelOne") are compared or touched. The
// result is ordered by device id. `desired` is consumed as the diff goes, its
// values moved into the diffs: a first sync has 100,000 of them.
std::vector<DeviceAttributeDiff> diffProviderAttributes(const DeviceStates& devices, std::string_view ns,
                                                        std::vector<std::optional<MatchedHost>> desired,
                                                        core::Timestamp now);

using core::inNamespace;

}  // namespace postured::integrations
