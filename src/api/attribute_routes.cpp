// Posture attributes, exactly Tailscale's endpoints:
//   GET    /api/v2/device/{id}/attributes
//   POST   /api/v2/device/{id}/attributes/{key}   {value, expiry?, comment?}
//   DELETE /api/v2/device/{id}/attributes/{key}
//   PATCH  /api/v2/tailnet/{t}/device-attributes  JSON merge patch, all or nothing
#include "api/attribute_changes.h"
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

core::Result<http::Response> currentAttributes(ApiContext& ctx, store::ReadTx& tx, const std::string& id) {
  auto device = tx.device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorKind::kNotFound, "no device with id \"" + id + "\"");
  auto attributes = tx.attributes(id);
  if (!attributes) return tl::unexpected(attributes.error());
  return jsonResponse(200, attributesToJson(**device, *attributes, ctx.clock.now()));
}

core::Result<std::string> optionalComment(const Json& body, const std::string& field) {
  if (!body.contains("comment") || body["comment"].is_null()) return std::string();
  if (!body["comment"].is_string()) return fail(ErrorKind::kInvalidArgument, "must be a string", field);
  auto comment = body["comment"].get<std::string>();
  if (auto ok = core::validateComment(comment, field); !ok) return tl::unexpected(ok.error());
  return comment;
}

// Parses {value, expiry?} of one attribute.
core::Result<AttributeChange> parseAttributeWrite(const Json& body, std::string deviceId, std::string key,
                                                  const std::string& prefix,
                                                  std::initializer_list<std::string_view> allowed) {
  if (!body.is_object()) return fail(ErrorKind::kInvalidArgument, "must be an object like {\"value\": ...}", prefix);
  if (auto ok = rejectUnknownFields(body, allowed, prefix); !ok) return tl::unexpected(ok.error());
  AttributeChange change{std::move(deviceId), std::move(key), std::nullopt, std::nullopt, prefix};
  if (!body.contains("value")) return fail(ErrorKind::kInvalidArgument, "is required", joinField(prefix, "value"));
  auto value = attributeValueFromJson(body["value"], joinField(prefix, "value"));
  if (!value) return tl::unexpected(value.error());
  change.value = std::move(*value);
  if (body.contains("expiry") && !body["expiry"].is_null()) {
    const auto field = joinField(prefix, "expiry");
    if (!body["expiry"].is_string())
      return fail(ErrorKind::kInvalidArgument, "must be an RFC 3339 time such as 2026-12-31T00:00:00Z", field);
    auto expiry = core::parseRfc3339(body["expiry"].get<std::string>());
    if (!expiry)
      return fail(ErrorKind::kInvalidArgument,
                  "\"" + body["expiry"].get<std::string>() + "\" is not an RFC 3339 time such as 2026-12-31T00:00:00Z",
                  field);
    change.expiry = *expiry;
  }
  return change;
}

core::Result<http::Response> setAttribute(ApiContext& ctx, const http::Request& req, const http::PathParams& p,
                                          const Caller& caller) {
  const auto& id = p.at("id");
  const auto& key = p.at("key");
  if (auto ok = core::validateCustomKey(key, "attributeKey"); !ok) return tl::unexpected(ok.error());
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  auto change = parseAttributeWrite(*body, id, key, "", {"value", "expiry", "comment"});
  if (!change) return tl::unexpected(change.error());
  change->field = key;
  auto comment = optionalComment(*body, "comment");
  if (!comment) return tl::unexpected(comment.error());

  ChangeContext context(caller.actor(), "CONFIG_API", ctx.clock.now());
  context.comment = std::move(*comment);
  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = applyAttributeChanges(**tx, {*change}, context); !ok) return tl::unexpected(ok.error());
  auto response = currentAttributes(ctx, **tx, id);
  if (!response) return response;
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return response;
}

core::Result<http::Response> deleteAttribute(ApiContext& ctx, const http::Request& req, const http::PathParams& p,
                                             const Caller& caller) {
  const auto& id = p.at("id");
  const auto& key = p.at("key");
  if (auto ok = core::validateCustomKey(key, "attributeKey"); !ok) return tl::unexpected(ok.error());
  ChangeContext context(caller.actor(), "CONFIG_API", ctx.clock.now());
  if (auto comment = req.queryParam("comment"); !comment.empty()) {
    if (auto ok = core::validateComment(comment, "comment"); !ok) return tl::unexpected(ok.error());
    context.comment = std::string(comment);
  }
  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto attributes = (*tx)->attributes(id);
  if (!attributes) return tl::unexpected(attributes.error());
  const bool held = std::any_of(attributes->begin(), attributes->end(), [&](const auto& a) {
    return core::foldKey(a.key) == core::foldKey(key) && !(a.expiry && *a.expiry <= context.now);
  });
  auto device = (*tx)->device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorKind::kNotFound, "no device with id \"" + id + "\"");
  if (!held) return fail(ErrorKind::kNotFound, "device \"" + id + "\" has no attribute \"" + key + "\"");
  if (auto ok = applyAttributeChanges(**tx, {AttributeChange{id, key, std::nullopt, std::nullopt, key}}, context); !ok)
    return tl::unexpected(ok.error());
  auto response = currentAttributes(ctx, **tx, id);
  if (!response) return response;
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return response;
}

core::Result<http::Response> patchAttributes(ApiContext& ctx, const http::Request& req, const Caller& caller) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  if (auto ok = rejectUnknownFields(*body, {"nodes", "comment"}, ""); !ok) return tl::unexpected(ok.error());
  if (!body->contains("nodes") || !(*body)["nodes"].is_object())
    return fail(ErrorKind::kInvalidArgument, "must be an object mapping device ids to attributes", "nodes");
  auto comment = optionalComment(*body, "comment");
  if (!comment) return tl::unexpected(comment.error());

  std::vector<AttributeChange> changes;
  for (const auto& [id, attrs] : (*body)["nodes"].items()) {
    const auto nodeField = "nodes." + id;
    if (!attrs.is_object())
      return fail(ErrorKind::kInvalidArgument, "must be an object mapping attribute keys to {\"value\": ...} or null",
                  nodeField);
    for (const auto& [key, write] : attrs.items()) {
      const auto field = nodeField + "." + key;
      if (write.is_null()) {
        changes.push_back(AttributeChange{id, key, std::nullopt, std::nullopt, field});
        continue;
      }
      auto change = parseAttributeWrite(write, id, key, field, {"value", "expiry"});
      if (!change) return tl::unexpected(change.error());
      changes.push_back(std::move(*change));
    }
  }

  ChangeContext context(caller.actor(), "CONFIG_API", ctx.clock.now());
  context.comment = std::move(*comment);
  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = applyAttributeChanges(**tx, changes, context); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return http::Response::json(200, "null");  // Tailscale answers a successful batch with null
}

}  // namespace

void registerAttributeRoutes(http::Router& router, ApiContext& ctx) {
  // The hottest read: served from the store's in-memory device cache.
  router.add("GET", "/api/v2/device/{id}/attributes",
             guarded(ctx, "devices:posture_attributes:read",
                     [&ctx](auto&, const http::PathParams& p, auto&) -> core::Result<http::Response> {
                       const auto state = ctx.store.deviceState(p.at("id"));
                       if (!state) return fail(ErrorKind::kNotFound, "no device with id \"" + p.at("id") + "\"");
                       return jsonResponse(200, attributesToJson(state->device, state->attributes, ctx.clock.now()));
                     }));
  router.add("POST", "/api/v2/device/{id}/attributes/{key}",
             guarded(ctx, "devices:posture_attributes",
                     [&ctx](const http::Request& req, const http::PathParams& p, const Caller& caller) {
                       return setAttribute(ctx, req, p, caller);
                     }));
  router.add("DELETE", "/api/v2/device/{id}/attributes/{key}",
             guarded(ctx, "devices:posture_attributes",
                     [&ctx](const http::Request& req, const http::PathParams& p, const Caller& caller) {
                       return deleteAttribute(ctx, req, p, caller);
                     }));
  router.add("PATCH", "/api/v2/tailnet/{tailnet}/device-attributes",
             guarded(ctx, "devices:posture_attributes",
                     [&ctx](const http::Request& req, auto&, const Caller& caller) {
                       return patchAttributes(ctx, req, caller);
                     }),
             kImportMaxBodyBytes);
}

}  // namespace postured::api
