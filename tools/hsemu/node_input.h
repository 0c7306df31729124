// NodeSpec and NodePatch from the control API's JSON (also --nodes files):
//   {"id"?:n, "name":"host", "givenName"?:s, "user"?:{"name":s,"email"?:s,
//    "displayName"?:s}, "tags"?:["tag:x"], "ipAddresses"?:["100.64.0.5"],
//    "online"?:bool, "lastSeen"?:RFC3339, "expiry"?:RFC3339,
//    "createdAt"?:RFC3339, "registerMethod"?:"cli"|"authkey"|"oidc"}
// A patch takes the same members, all optional; null user, lastSeen or
// expiry clears it. Unknown members are errors. Every error names the
// field under `field` ("nodes[2].lastSeen").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "node_store.h"

namespace postured::hsemu {

core::Result<NodeSpec> parseNodeSpec(const nlohmann::json& body, const std::string& field);
core::Result<NodePatch> parseNodePatch(const nlohmann::json& body);

// "nodes[2].name", or "name" under an empty prefix.
std::string fieldPath(const std::string& prefix, const std::string& name);

}  // namespace postured::hsemu
