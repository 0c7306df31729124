// DEVICES.json for the offline policy commands and tests: the `topology`
// object of the compat corpus files,
//   {"users": [{"name", "email", "id"}],
//    "nodes": {"<name>": {"hostname", "tags", "ipv4", "ipv6", "user",
//                         "routable_ips", "approved_routes", "attributes": {key: value}}}}
// turned into PolicyNodes (in node-name order). A node's `user` names an entry
// of `users` (by name, or by email); tagged nodes belong to no user.
// Errors are kInvalidArgument and name the field, e.g.
// `nodes.web1.ipv4: "300.1.1.1" is not an IPv4 address`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/attribute.h"
#include "core/result.h"
#include "policy/policy_node.h"

namespace postured::policy {

core::Result<std::vector<PolicyNode>> nodesFromDevicesJson(const nlohmann::json& topology);
// Reads and parses the file, then nodesFromDevicesJson; errors start with the path.
core::Result<std::vector<PolicyNode>> readDevicesFile(const std::string& path);

// A JSON scalar as an attribute value (bool, number, string); nullopt for others.
std::optional<core::AttributeValue> attributeFromJson(const nlohmann::json& value);
nlohmann::json attributeToJson(const core::AttributeValue& value);

}  // namespace postured::policy
