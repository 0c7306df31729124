// API keys: GET/POST /api/v2/tailnet/{t}/keys, GET/DELETE /api/v2/tailnet/{t}/keys/{id}.
// A caller can only hand out scopes it holds itself. keyType "auth" (the
// default when `capabilities` is given) creates an auth key for enrollment.
#include "api/auth_key_capabilities.h"
#include "api/json_shapes.h"
#include "api/routes.h"
#include "core/change_context.h"

namespace postured::api {

using core::ChangeContext;
using core::ErrorKind;
using core::fail;

namespace {

constexpr std::int64_t kDefaultExpirySeconds = 90LL * 24 * 3600;
constexpr std::int64_t kMaxExpirySeconds = 365LL * 24 * 3600;
constexpr std::size_t kMaxDescriptionLength = 50;

core::AuditTarget keyTarget(const core::ApiKey& key) {
  return core::AuditTarget{key.id, key.description, "API_KEY", ""};
}

// An API key's scopes: known ones only, and only those the caller holds itself.
core::Result<std::vector<std::string>> parseScopes(const Json& body, const Caller& caller) {
  if (!body.contains("scopes") || !body["scopes"].is_array() || body["scopes"].empty())
    return fail(ErrorKind::kInvalidArgument, "give a non-empty list of scopes, e.g. [\"devices:core:read\"]", "scopes");
  std::vector<std::string> scopes;
  for (std::size_t i = 0; i < body["scopes"].size(); ++i) {
    const auto& s = body["scopes"][i];
    const auto field = "scopes[" + std::to_string(i) + "]";
    if (!s.is_string() || !core::isKnownScope(s.get<std::string>())) {
      std::string known;
      for (auto k : core::knownScopes()) known += (known.empty() ? "" : ", ") + std::string(k);
      return fail(ErrorKind::kInvalidArgument, "unknown scope; known scopes: " + known, field);
    }
    const auto scope = s.get<std::string>();
    if (!core::scopesGrant(caller.scopes(), scope))
      return fail(ErrorKind::kPermissionDenied,
                  "the calling key does not hold \"" + scope + "\" and so cannot grant it", field);
    if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
  }
  return scopes;
}

core::Result<http::Response> createKey(ApiContext& ctx, const http::Request& req, const Caller& caller) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  if (auto ok = rejectUnknownFields(*body, {"keyType", "scopes", "description", "expirySeconds", "capabilities"}, "");
      !ok)
    return tl::unexpected(ok.error());

  std::string keyType = "api";
  if (body->contains("keyType")) {
    if (!(*body)["keyType"].is_string()) return fail(ErrorKind::kInvalidArgument, "must be a string", "keyType");
    keyType = (*body)["keyType"].get<std::string>();
  } else if (body->contains("capabilities")) {
    keyType = "auth";  // Tailscale's default when capabilities are given
  }
  if (keyType != "api" && keyType != "auth")
    return fail(ErrorKind::kInvalidArgument, "must be \"api\" or \"auth\"", "keyType");

  std::vector<std::string> scopes;
  core::AuthKeyCapabilities capabilities;
  if (keyType == "auth") {
    if (body->contains("scopes"))
      return fail(ErrorKind::kInvalidArgument, "auth keys take \"capabilities\", not \"scopes\"", "scopes");
    if (!body->contains("capabilities"))
      return fail(ErrorKind::kInvalidArgument,
                  "is required for an auth key: {\"devices\": {\"create\": {\"reusable\", \"ephemeral\", "
                  "\"preauthorized\", \"tags\"}}}",
                  "capabilities");
    auto parsed = parseAuthKeyCapabilities((*body)["capabilities"]);
    if (!parsed) return tl::unexpected(parsed.error());
    capabilities = std::move(*parsed);
  } else {
    if (body->contains("capabilities"))
      return fail(ErrorKind::kInvalidArgument, "API keys take \"scopes\", not \"capabilities\"", "capabilities");
    auto parsed = parseScopes(*body, caller);
    if (!parsed) return tl::unexpected(parsed.error());
    scopes = std::move(*parsed);
  }

  std::string description;
  if (body->contains("description")) {
    if (!(*body)["description"].is_string())
      return fail(ErrorKind::kInvalidArgument, "must be a string", "description");
    description = (*body)["description"].get<std::string>();
    if (core::utf8Length(description) > kMaxDescriptionLength)
      return fail(ErrorKind::kInvalidArgument, "must be at most 50 characters", "description");
  }

  std::int64_t expirySeconds = kDefaultExpirySeconds;
  if (body->contains("expirySeconds")) {
    const auto& e = (*body)["expirySeconds"];
    if (!e.is_number_integer() || e.get<std::int64_t>() < 1 || e.get<std::int64_t>() > kMaxExpirySeconds)
      return fail(ErrorKind::kInvalidArgument,
                  "must be a whole number of seconds between 1 and " + std::to_string(kMaxExpirySeconds),
                  "expirySeconds");
    expirySeconds = e.get<std::int64_t>();
  }

  const auto now = ctx.clock.now();
  const auto expires = now + std::chrono::seconds(expirySeconds);
  auto generated = keyType == "auth" ? core::generateAuthKey(description, capabilities, now, expires)
                                     : core::generateApiKey(description, scopes, now, expires);
  ChangeContext change(caller.actor(), "CONFIG_API", now);
  auto event = change.event(keyTarget(generated.record), "CREATE");
  event.newJson = apiKeyToJson(generated.record).dump();

  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = checkTagsOwned(**tx, capabilities.tags, "capabilities.devices.create.tags"); !ok)
    return tl::unexpected(ok.error());
  if (auto ok = (*tx)->insertApiKey(generated.record); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());

  auto out = apiKeyToJson(generated.record);
  out["key"] = generated.secret;  // the only time the secret leaves the server
  return jsonResponse(200, out);
}

}  // namespace

void registerKeyRoutes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v2/tailnet/{tailnet}/keys",
             guarded(ctx, "auth_keys:read", [&ctx](auto&, auto&, auto&) -> core::Result<http::Response> {
               auto tx = ctx.store.read();
               if (!tx) return tl::unexpected(tx.error());
               auto keys = (*tx)->apiKeys();
               if (!keys) return tl::unexpected(keys.error());
               Json list = Json::array();
               for (const auto& k : *keys)
                 if (!k.revoked) list.push_back(apiKeyToJson(k));
               return jsonResponse(200, Json{{"keys", std::move(list)}});
             }));

  router.add("POST", "/api/v2/tailnet/{tailnet}/keys",
             guarded(ctx, "auth_keys", [&ctx](const http::Request& req, auto&, const Caller& caller) {
               return createKey(ctx, req, caller);
             }));

  router.add(
      "GET", "/api/v2/tailnet/{tailnet}/keys/{id}",
      guarded(ctx, "auth_keys:read", [&ctx](auto&, const http::PathParams& p, auto&) -> core::Result<http::Response> {
        auto tx = ctx.store.read();
        if (!tx) return tl::unexpected(tx.error());
        auto key = (*tx)->apiKey(p.at("id"));
        if (!key) return tl::unexpected(key.error());
        if (!*key) return fail(ErrorKind::kNotFound, "no key with id \"" + p.at("id") + "\"");
        return jsonResponse(200, apiKeyToJson(**key));
      }));

  router.add("DELETE", "/api/v2/tailnet/{tailnet}/keys/{id}",
             guarded(ctx, "auth_keys",
                     [&ctx](auto&, const http::PathParams& p, const Caller& caller) -> core::Result<http::Response> {
                       const auto& id = p.at("id");
                       auto tx = ctx.store.write();
                       if (!tx) return tl::unexpected(tx.error());
                       auto key = (*tx)->apiKey(id);
                       if (!key) return tl::unexpected(key.error());
                       if (!*key || (*key)->revoked)
                         return fail(ErrorKind::kNotFound, "no active key with id \"" + id + "\"");
                       ChangeContext change(caller.actor(), "CONFIG_API", ctx.clock.now());
                       auto event = change.event(keyTarget(**key), "DELETE");
                       event.oldJson = apiKeyToJson(**key).dump();
                       if (auto ok = (*tx)->revokeApiKey(id, change.now); !ok) return tl::unexpected(ok.error());
                       if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
                       if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
                       ctx.auth.forget(id);
                       return http::Response::json(200, "{}");
                     }));
}

}  // namespace postured::api
