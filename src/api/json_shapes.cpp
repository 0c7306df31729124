#include "api/json_shapes.h"

#include <cmath>

#include "api/auth_key_capabilities.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

Json attributeValueToJson(const core::AttributeValue& value) {
  switch (value.type()) {
    case core::AttributeType::kBool:
      return value.asBool();
    case core::AttributeType::kNumber: {
      const double d = value.asNumber();
      if (d == std::trunc(d) && std::fabs(d) <= core::kMaxSafeInteger) return static_cast<std::int64_t>(d);
      return d;
    }
    case core::AttributeType::kString:
      return value.asString();
  }
  return nullptr;
}

core::Result<core::AttributeValue> attributeValueFromJson(const Json& value, const std::string& field) {
  if (value.is_boolean()) return core::AttributeValue(value.get<bool>());
  if (value.is_number_integer()) {
    // Integers outside the safe range lose precision as doubles; reject them here.
    constexpr auto kMax = static_cast<std::int64_t>(core::kMaxSafeInteger);
    const bool outOfRange = value.is_number_unsigned()
                                ? value.get<std::uint64_t>() > static_cast<std::uint64_t>(kMax)
                                : value.get<std::int64_t>() > kMax || value.get<std::int64_t>() < -kMax;
    if (outOfRange)
      return fail(ErrorKind::kInvalidArgument, "number values must be integers between -(2^53-1) and 2^53-1", field);
    return core::AttributeValue(value.get<double>());
  }
  if (value.is_number_float()) return core::AttributeValue(value.get<double>());
  if (value.is_string()) return core::AttributeValue(value.get<std::string>());
  if (value.is_null()) return fail(ErrorKind::kInvalidArgument, "value is required", field);
  return fail(ErrorKind::kInvalidArgument,
              std::string("value must be a string, a number or a boolean, not ") + value.type_name(), field);
}

Json attributesToJson(const core::Device& device, const std::vector<core::DeviceAttribute>& stored,
                      core::Timestamp now) {
  Json attributes = Json::object();
  Json expiries = Json::object();
  for (const auto& [key, value] : core::deriveNodeAttributes(device)) attributes[key] = attributeValueToJson(value);
  for (const auto& a : stored) {
    if (a.expiry && *a.expiry <= now) continue;  // expired: gone for readers even before the sweep
    attributes[a.key] = attributeValueToJson(a.value);
    if (a.expiry) expiries[a.key] = core::formatRfc3339(*a.expiry);
  }
  return Json{{"attributes", std::move(attributes)}, {"expiries", std::move(expiries)}};
}

Json deviceToJson(const core::Device& d, const std::string& tailnet, bool all,
                  const std::vector<core::DeviceAttribute>* attributes, core::Timestamp now) {
  Json addresses = Json::array();
  if (!d.ipv4.empty()) addresses.push_back(d.ipv4);
  if (!d.ipv6.empty()) addresses.push_back(d.ipv6);
  Json j = {
      {"id", d.id},
      {"nodeId", d.id},
      {"name", core::foldKey(d.hostname) + "." + tailnet},
      {"hostname", d.hostname},
      {"addresses", std::move(addresses)},
      {"os", d.os},
      {"osVersion", d.osVersion},
      {"clientVersion", d.clientVersion},
      {"created", core::formatRfc3339(d.created)},
      {"lastSeen", d.lastSeen ? Json(core::formatRfc3339(*d.lastSeen)) : Json(nullptr)},
      {"authorized", true},
      {"isExternal", false},
      {"isEphemeral", d.ephemeral},
  };
  if (!d.nodeKey.empty()) j["nodeKey"] = d.nodeKey;
  // A device mirroring a headscale node says which, and whether headscale
  // sees it connected (Tailscale's connectedToControl).
  if (!d.headscaleNodeId.empty()) j["headscaleNodeId"] = d.headscaleNodeId;
  if (d.online) j["connectedToControl"] = *d.online;
  if (d.isTagged())
    j["tags"] = d.tags;
  else
    j["user"] = d.user;
  if (all) {
    Json identity = {{"disabled", d.postureIdentityDisabled}};
    if (!d.postureIdentityDisabled) identity["serialNumbers"] = d.serialNumbers;
    j["postureIdentity"] = std::move(identity);
    j["macAddresses"] = d.macAddresses;
    if (attributes) j["postureAttributes"] = attributesToJson(d, *attributes, now)["attributes"];
  }
  return j;
}

namespace {
Json rawJsonOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  auto parsed = Json::parse(text, nullptr, false);
  return parsed.is_discarded() ? Json(text) : parsed;
}
}  // namespace

Json auditEventToJson(const core::AuditEvent& e) {
  Json j = {
      {"eventTime", core::formatRfc3339(e.eventTime)},
      {"type", "CONFIG"},
      {"eventGroupID", e.eventGroupId},
      {"origin", e.origin},
      {"actor",
       {{"id", e.actor.id},
        {"type", e.actor.type},
        {"loginName", e.actor.loginName},
        {"displayName", e.actor.displayName}}},
      {"target", {{"id", e.target.id}, {"name", e.target.name}, {"type", e.target.type}}},
      {"action", e.action},
  };
  if (!e.target.property.empty()) j["target"]["property"] = e.target.property;
  if (!e.oldJson.empty()) j["old"] = rawJsonOrNull(e.oldJson);
  if (!e.newJson.empty()) j["new"] = rawJsonOrNull(e.newJson);
  if (!e.actionDetails.empty()) j["actionDetails"] = e.actionDetails;
  return j;
}

Json apiKeyToJson(const core::ApiKey& k) {
  Json j = {{"id", k.id},
            {"keyType", k.keyType},
            {"description", k.description},
            {"created", core::formatRfc3339(k.created)},
            {"expires", core::formatRfc3339(k.expires)}};
  if (k.isAuthKey()) {
    j["capabilities"] = authKeyCapabilitiesToJson(k.capabilities);
    j["invalid"] = k.revoked.has_value() || k.spent();  // expiry is for the reader to compare
    if (k.used) j["used"] = core::formatRfc3339(*k.used);
  } else {
    j["scopes"] = k.scopes;
  }
  if (k.revoked) j["revoked"] = core::formatRfc3339(*k.revoked);
  return j;
}

core::Result<Json> parseJsonBody(const http::Request& request) {
  if (request.body.empty()) return fail(ErrorKind::kInvalidArgument, "request body is empty; send a JSON object");
  try {
    return Json::parse(request.body);
  } catch (const Json::exception& e) {  // parse errors, and numbers out of range such as 1e400
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    std::string what = e.what();
    if (auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    // nlohmann quotes the text it last read, which could be part of a secret being sent.
    if (auto at = what.find("; last read"); at != std::string::npos) what.erase(at);
    return fail(ErrorKind::kInvalidArgument, "request body is not valid JSON: " + what);
  }
}

core::Result<void> rejectUnknownFields(const Json& object, std::initializer_list<std::string_view> allowed,
                                       const std::string& prefix) {
  for (const auto& [key, _] : object.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return fail(ErrorKind::kInvalidArgument, "unknown field; expected one of: " + list, joinField(prefix, key));
    }
  }
  return {};
}

std::string joinField(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

http::Response errorResponse(const core::Error& error) {
  const int status = core::httpStatusFor(error.kind);
  if (error.field.empty()) return http::Response::error(status, error.message);
  return http::Response::error(status, error.field + ": " + error.message);
}

http::Response jsonResponse(int status, const Json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace postured::api
