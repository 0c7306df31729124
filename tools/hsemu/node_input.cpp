#include "node_input.h"

#include <algorithm>
#include <array>

namespace postured::hsemu {

namespace {

using core::ErrorKind;
using core::fail;
using nlohmann::json;

constexpr std::array<std::string_view, 11> kFields = {"id",     "name",        "givenName",     "user",
                                                      "tags",   "ipAddresses", "online",        "lastSeen",
                                                      "expiry", "createdAt",   "registerMethod"};

tl::unexpected<core::Error> invalid(const std::string& field, const std::string& message) {
  return fail(ErrorKind::kInvalidArgument, message, field);
}

core::Result<void> checkMembers(const json& object, const std::string& prefix) {
  if (!object.is_object()) return invalid(prefix.empty() ? "body" : prefix, "must be a JSON object");
  for (const auto& [name, value] : object.items())
    if (std::find(kFields.begin(), kFields.end(), name) == kFields.end())
      return invalid(fieldPath(prefix, name),
                     "unknown field (known: id, name, givenName, user, tags, ipAddresses, "
                     "online, lastSeen, expiry, createdAt, registerMethod)");
  return {};
}

core::Result<std::string> stringField(const json& value, const std::string& field) {
  if (!value.is_string()) return invalid(field, "must be a string");
  return value.get<std::string>();
}

core::Result<std::vector<std::string>> stringList(const json& value, const std::string& field) {
  if (!value.is_array()) return invalid(field, "must be an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) return invalid(field + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

core::Result<Micros> timeField(const json& value, const std::string& field) {
  if (value.is_string())
    if (auto t = parseTime(value.get<std::string>())) return *t;
  return invalid(field, "must be an RFC 3339 time like 2026-05-01T10:00:00Z");
}

core::Result<UserSpec> userField(const json& value, const std::string& field) {
  if (!value.is_object()) return invalid(field, "must be an object {\"name\", \"email\"?, \"displayName\"?}");
  UserSpec user;
  for (const auto& [name, member] : value.items()) {
    const auto memberField = field + "." + name;
    if (name != "name" && name != "email" && name != "displayName")
      return invalid(memberField, "unknown field (known: name, email, displayName)");
    auto text = stringField(member, memberField);
    if (!text) return tl::unexpected(text.error());
    if (name == "name") user.name = *text;
    if (name == "email") user.email = *text;
    if (name == "displayName") user.displayName = *text;
  }
  if (user.name.empty()) return invalid(field + ".name", "must be a non-empty string");
  return user;
}

core::Result<std::string> registerMethodField(const json& value, const std::string& field) {
  if (value.is_string()) {
    const auto method = value.get<std::string>();
    if (method == "cli" || method == "authkey" || method == "oidc") return method;
  }
  return invalid(field, "must be \"cli\", \"authkey\" or \"oidc\"");
}

}  // namespace

std::string fieldPath(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

core::Result<NodeSpec> parseNodeSpec(const json& body, const std::string& prefix) {
  if (auto ok = checkMembers(body, prefix); !ok) return tl::unexpected(ok.error());
  NodeSpec spec;
  for (const auto& [name, value] : body.items()) {
    const auto field = fieldPath(prefix, name);
    if (value.is_null() && name != "name") continue;  // null is absent in a spec
    core::Result<void> ok;
    if (name == "id") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() == 0)
        return invalid(field, "must be a positive integer");
      spec.id = value.get<std::uint64_t>();
    } else if (name == "name" || name == "givenName") {
      auto text = stringField(value, field);
      if (!text) return tl::unexpected(text.error());
      (name == "name" ? spec.name : spec.givenName.emplace()) = *text;
    } else if (name == "user") {
      auto user = userField(value, field);
      if (!user) return tl::unexpected(user.error());
      spec.user = *user;
    } else if (name == "tags" || name == "ipAddresses") {
      auto list = stringList(value, field);
      if (!list) return tl::unexpected(list.error());
      if (name == "tags")
        spec.tags = *list;
      else
        spec.ipAddresses = *list;
    } else if (name == "online") {
      if (!value.is_boolean()) return invalid(field, "must be true or false");
      spec.online = value.get<bool>();
    } else if (name == "registerMethod") {
      auto method = registerMethodField(value, field);
      if (!method) return tl::unexpected(method.error());
      spec.registerMethod = *method;
    } else {
      auto t = timeField(value, field);
      if (!t) return tl::unexpected(t.error());
      (name == "lastSeen" ? spec.lastSeen : name == "expiry" ? spec.expiry : spec.createdAt) = *t;
    }
  }
  if (spec.name.empty()) return invalid(fieldPath(prefix, "name"), "must be a non-empty string (the hostname)");
  return spec;
}

core::Result<NodePatch> parseNodePatch(const json& body) {
  if (auto ok = checkMembers(body, ""); !ok) return tl::unexpected(ok.error());
  NodePatch patch;
  for (const auto& [name, value] : body.items()) {
    if (name == "id") return invalid("id", "cannot be changed");
    if (name == "user" || name == "lastSeen" || name == "expiry") {
      if (value.is_null()) {
        if (name == "user")
          patch.user.emplace(std::nullopt);
        else
          (name == "lastSeen" ? patch.lastSeen : patch.expiry).emplace(std::nullopt);
        continue;
      }
      if (name == "user") {
        auto user = userField(value, name);
        if (!user) return tl::unexpected(user.error());
        patch.user.emplace(*user);
      } else {
        auto t = timeField(value, name);
        if (!t) return tl::unexpected(t.error());
        (name == "lastSeen" ? patch.lastSeen : patch.expiry).emplace(*t);
      }
    } else if (name == "name" || name == "givenName") {
      auto text = stringField(value, name);
      if (!text) return tl::unexpected(text.error());
      (name == "name" ? patch.name : patch.givenName) = *text;
    } else if (name == "tags" || name == "ipAddresses") {
      auto list = stringList(value, name);
      if (!list) return tl::unexpected(list.error());
      (name == "tags" ? patch.tags : patch.ipAddresses) = *list;
    } else if (name == "online") {
      if (!value.is_boolean()) return invalid(name, "must be true or false");
      patch.online = value.get<bool>();
    } else {
      return invalid(name, "cannot be changed by a patch");
    }
  }
  return patch;
}

}  // namespace postured::hsemu
