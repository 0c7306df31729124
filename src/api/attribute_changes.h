// Writes of custom: posture attributes, shared by the single-key endpoints,
// the batch PATCH and the expiry sweep.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/change_context.h"
#include "core/attribute.h"
#include "store/store.h"

namespace postured::api {

using core::ChangeContext;

struct AttributeChange {
  std::string deviceId;
  std::string key;
  std::optional<core::AttributeValue> value;  // nullopt deletes
  std::optional<core::Timestamp> expiry;
  std::string field;  // where the change came from in the request, for errors
};

// Validates every change first (key and value rules, device exists, expiry in
// the future, one type and one spelling per key across the tailnet and the
// batch), then applies them all in `tx`, appending one audit event per
// changed device (target NODE, property ATTRIBUTES, old and new values of the
// changed keys). On error nothing is written. Returns the number of devices changed.
core::Result<std::size_t> applyAttributeChanges(store::WriteTx& tx, const std::vector<AttributeChange>& changes,
                                                const ChangeContext& context);

// Removes attributes whose expiry has passed, one transaction, audited as the
// AUTOMATED_WORKER "attribute-expiry". Returns how many were removed.
core::Result<std::size_t> sweepExpiredAttributes(store::Store& store, core::Timestamp now);

}  // namespace postured::api
