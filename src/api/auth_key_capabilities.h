// Tailscale's auth-key request shape, read and checked:
//   "capabilities": {"devices": {"create": {"reusable", "ephemeral",
//                                            "preauthorized", "tags"}}}
// plus ours, "user" beside "tags": postured has no user accounts, so an
// untagged key names the login its devices belong to. A key gives its devices
// either tags or an owner, never neither.
#pragma once

#include <nlohmann/json.hpp>

#include "core/api_key.h"
#include "core/result.h"
#include "store/store.h"

namespace postured::api {

core::Result<core::AuthKeyCapabilities> parseAuthKeyCapabilities(const nlohmann::json& capabilities);

// Once a policy is saved, every tag must be one of its tagOwners (as
// Tailscale requires of tags on keys). Reads the policy in `tx`.
core::Result<void> checkTagsOwned(store::ReadTx& tx, const std::vector<std::string>& tags, const std::string& field);

nlohmann::json authKeyCapabilitiesToJson(const core::AuthKeyCapabilities& c);

}  // namespace postured::api
