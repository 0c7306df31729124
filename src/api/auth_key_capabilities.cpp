#include "api/auth_key_capabilities.h"

#include "api/device_import.h"
#include "api/json_shapes.h"
#include "policy/policy_model.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;
using Json = nlohmann::json;

namespace {

constexpr std::string_view kCreate = "capabilities.devices.create";

core::Result<bool> optionalBool(const Json& create, const char* name) {
  if (!create.contains(name)) return false;
  if (!create[name].is_boolean())
    return fail(ErrorKind::kInvalidArgument, "must be true or false", std::string(kCreate) + "." + name);
  return create[name].get<bool>();
}

}  // namespace

core::Result<core::AuthKeyCapabilities> parseAuthKeyCapabilities(const Json& capabilities) {
  if (!capabilities.is_object() || !capabilities.contains("devices") || !capabilities["devices"].is_object() ||
      !capabilities["devices"].contains("create") || !capabilities["devices"]["create"].is_object())
    return fail(ErrorKind::kInvalidArgument,
                "must be {\"devices\": {\"create\": {\"reusable\", \"ephemeral\", \"preauthorized\", \"tags\"}}}",
                "capabilities");
  if (auto ok = rejectUnknownFields(capabilities, {"devices"}, "capabilities"); !ok) return tl::unexpected(ok.error());
  if (auto ok = rejectUnknownFields(capabilities["devices"], {"create"}, "capabilities.devices"); !ok)
    return tl::unexpected(ok.error());
  const Json& create = capabilities["devices"]["create"];
  if (auto ok =
          rejectUnknownFields(create, {"reusable", "ephemeral", "preauthorized", "tags", "user"}, std::string(kCreate));
      !ok)
    return tl::unexpected(ok.error());

  core::AuthKeyCapabilities c;
  for (auto [name, out] : {std::pair<const char*, bool*>{"reusable", &c.reusable},
                           {"ephemeral", &c.ephemeral},
                           {"preauthorized", &c.preauthorized}}) {
    auto value = optionalBool(create, name);
    if (!value) return tl::unexpected(value.error());
    *out = *value;
  }
  if (create.contains("tags")) {
    if (!create["tags"].is_array())
      return fail(ErrorKind::kInvalidArgument, "must be a list of tags such as [\"tag:server\"]",
                  std::string(kCreate) + ".tags");
    for (std::size_t i = 0; i < create["tags"].size(); ++i) {
      const auto& t = create["tags"][i];
      const auto field = std::string(kCreate) + ".tags[" + std::to_string(i) + "]";
      if (!t.is_string()) return fail(ErrorKind::kInvalidArgument, "must be a tag such as \"tag:server\"", field);
      if (auto ok = validateTag(t.get<std::string>(), field); !ok) return tl::unexpected(ok.error());
      if (std::find(c.tags.begin(), c.tags.end(), t.get<std::string>()) == c.tags.end())
        c.tags.push_back(t.get<std::string>());
    }
  }
  if (create.contains("user")) {
    const auto field = std::string(kCreate) + ".user";
    if (!create["user"].is_string())
      return fail(ErrorKind::kInvalidArgument, "must be a login such as \"alice@example.com\"", field);
    if (auto ok = validateLogin(create["user"].get<std::string>(), field); !ok) return tl::unexpected(ok.error());
    c.user = create["user"].get<std::string>();
  }
  if (c.tags.empty() == c.user.empty())
    return fail(ErrorKind::kInvalidArgument,
                c.tags.empty() ? "devices created with this key need an owner: give \"tags\", or \"user\" (a login)"
                               : "give \"tags\" or \"user\", not both: a tagged device has no owner",
                std::string(kCreate));
  return c;
}

core::Result<void> checkTagsOwned(store::ReadTx& tx, const std::vector<std::string>& tags, const std::string& field) {
  if (tags.empty()) return {};
  auto stored = tx.currentPolicy();
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored) return {};  // the default policy has no tagOwners section to check against
  auto policy = policy::parsePolicy((*stored)->text);
  if (!policy) return fail(ErrorKind::kInternal, "the stored policy no longer parses: " + policy.error().message);
  for (const auto& tag : tags)
    if (!policy->tagOwners.contains(tag))
      return fail(ErrorKind::kInvalidArgument,
                  "tag \"" + tag + "\" is not in the policy's tagOwners; add it there first", field);
  return {};
}

Json authKeyCapabilitiesToJson(const core::AuthKeyCapabilities& c) {
  Json create = {{"reusable", c.reusable}, {"ephemeral", c.ephemeral}, {"preauthorized", c.preauthorized}};
  if (!c.tags.empty()) create["tags"] = c.tags;
  if (!c.user.empty()) create["user"] = c.user;
  return Json{{"devices", Json{{"create", std::move(create)}}}};
}

}  // namespace postured::api
