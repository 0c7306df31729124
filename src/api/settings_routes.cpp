// GET/PATCH /api/v2/tailnet/{t}/settings, in Tailscale's shape. Only
// postureIdentityCollectionOn is implemented; other Tailscale settings are
// refused by name rather than silently ignored. The switch takes effect at
// each device's next report (enrollment.h); a change is audited as property
// COLLECT_POSTURE_IDENTITY of the tailnet.
#include "api/json_shapes.h"
#include "api/routes.h"
#include "api/tailnet_settings.h"
#include "core/change_context.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

Json settingsJson(bool collectionOn) { return Json{{"postureIdentityCollectionOn", collectionOn}}; }

core::Result<http::Response> patchSettings(ApiContext& ctx, const http::Request& req, const Caller& caller) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  for (const auto& [name, value] : body->items())
    if (name != kIdentityCollectionSetting)
      return fail(ErrorKind::kInvalidArgument,
                  "this setting is not supported by postured; only postureIdentityCollectionOn is", name);
  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto before = identityCollectionOn(**tx);
  if (!before) return tl::unexpected(before.error());
  bool after = *before;
  if (body->contains(kIdentityCollectionSetting)) {
    const auto& v = (*body)[std::string(kIdentityCollectionSetting)];
    if (!v.is_boolean())
      return fail(ErrorKind::kInvalidArgument, "must be true or false", std::string(kIdentityCollectionSetting));
    after = v.get<bool>();
  }
  if (after != *before) {
    if (auto ok = (*tx)->putSetting(kIdentityCollectionSetting, after ? "true" : "false"); !ok)
      return tl::unexpected(ok.error());
    core::ChangeContext change(caller.actor(), "CONFIG_API", ctx.clock.now());
    auto event =
        change.event(core::AuditTarget{ctx.tailnet, ctx.tailnet, "TAILNET", "COLLECT_POSTURE_IDENTITY"}, "UPDATE");
    event.oldJson = Json(*before).dump();
    event.newJson = Json(after).dump();
    if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
    if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  }
  return jsonResponse(200, settingsJson(after));
}

}  // namespace

core::Result<bool> identityCollectionOn(store::ReadTx& tx) {
  auto value = tx.setting(kIdentityCollectionSetting);
  if (!value) return tl::unexpected(value.error());
  return *value && **value == "true";
}

void registerSettingsRoutes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v2/tailnet/{tailnet}/settings",
             guarded(ctx, "feature_settings:read", [&ctx](auto&, auto&, auto&) -> core::Result<http::Response> {
               auto tx = ctx.store.read();
               if (!tx) return tl::unexpected(tx.error());
               auto on = identityCollectionOn(**tx);
               if (!on) return tl::unexpected(on.error());
               return jsonResponse(200, settingsJson(*on));
             }));
  router.add("PATCH", "/api/v2/tailnet/{tailnet}/settings",
             guarded(ctx, "feature_settings", [&ctx](const http::Request& req, auto&, const Caller& caller) {
               return patchSettings(ctx, req, caller);
             }));
}

}  // namespace postured::api
