// JSON shapes of the REST API (Tailscale's v2 shapes plus our extensions),
// and parsing of request bodies at the trust boundary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/api_key.h"
#include "core/attribute.h"
#include "core/audit.h"
#include "core/device.h"
#include "core/result.h"
#include "http/message.h"

namespace postured::api {

using Json = nlohmann::json;

// Integers (within +-(2^53-1)) render without a fraction.
Json attributeValueToJson(const core::AttributeValue& value);
// bool, number or string; anything else is an error naming `field`.
core::Result<core::AttributeValue> attributeValueFromJson(const Json& value, const std::string& field);

// {"attributes": {...}, "expiries": {...}}: derived node: attributes plus the
// stored ones that have not expired at `now`.
Json attributesToJson(const core::Device& device, const std::vector<core::DeviceAttribute>& stored,
                      core::Timestamp now);

// Tailscale's device object. `all` adds postureIdentity, macAddresses and,
// when `attributes` is given, postureAttributes.
Json deviceToJson(const core::Device& device, const std::string& tailnet, bool all,
                  const std::vector<core::DeviceAttribute>* attributes, core::Timestamp now);

Json auditEventToJson(const core::AuditEvent& event);
Json apiKeyToJson(const core::ApiKey& key);

// Parses a JSON request body; the error says where the syntax is wrong.
core::Result<Json> parseJsonBody(const http::Request& request);
// Rejects keys of `object` outside `allowed`, naming `prefix.key`.
core::Result<void> rejectUnknownFields(const Json& object, std::initializer_list<std::string_view> allowed,
                                       const std::string& prefix);

// "field: message" when the error names a field.
http::Response errorResponse(const core::Error& error);
http::Response jsonResponse(int status, const Json& body);

// Joins a JSON path: joinField("devices[3]", "hostname") -> "devices[3].hostname".
std::string joinField(const std::string& prefix, std::string_view name);

}  // namespace postured::api
