// Posture integrations in Tailscale's shapes:
//   GET/POST             /api/v2/tailnet/{t}/posture/integrations
//   GET/PATCH/DELETE     /api/v2/posture/integrations/{id}
// and ours:
//   POST /api/v2/posture/integrations/{id}/sync   start a run now
//   GET  /api/v2/posture/integrations/{id}/runs   recent runs, newest first
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

constexpr std::size_t kRunsListed = 50;

Json optionalTime(const std::optional<core::Timestamp>& t) {
  return t ? Json(core::formatRfc3339(*t)) : Json(nullptr);
}

Json integrationToJson(const core::Integration& i, std::optional<core::Timestamp> nextSync) {
  // While paused, the next scheduled run comes when the pause ends.
  if (i.status && i.status->pausedUntil && nextSync && *nextSync < *i.status->pausedUntil)
    nextSync = i.status->pausedUntil;
  Json j = {{"id", i.id},
            {"provider", i.provider},
            {"cloudId", i.cloudId},
            {"clientId", i.clientId},
            {"tenantId", i.tenantId},
            {"configUpdated", core::formatRfc3339(i.configUpdated)}};
  if (i.status) {
    const auto& s = *i.status;
    j["status"] = {{"lastSync", optionalTime(s.lastSync)},
                   {"error", s.error},
                   {"providerHostCount", s.providerHostCount},
                   {"matchedCount", s.matchedCount},
                   {"possibleMatchedCount", s.possibleMatchedCount},
                   {"lastSuccess", optionalTime(s.lastSuccess)},
                   {"nextSync", optionalTime(nextSync)},
                   {"pausedUntil", optionalTime(s.pausedUntil)},
                   {"durationMs", s.durationMs},
                   {"duplicateSerials", s.duplicateSerials}};
  }
  return j;
}

Json runToJson(const core::IntegrationRun& r) {
  Json j = {{"id", r.id},
            {"trigger", r.trigger},
            {"startedAt", core::formatRfc3339(r.startedAt)},
            {"outcome", r.outcome},
            {"error", r.error},
            {"providerHostCount", r.providerHostCount},
            {"matchedCount", r.matchedCount},
            {"attributesChanged", r.attributesChanged},
            {"durationMs", r.durationMs}};
  if (r.finishedAt) j["finishedAt"] = core::formatRfc3339(*r.finishedAt);
  return j;
}

// Reads the writable fields; anything else is rejected, naming it.
core::Result<integrations::IntegrationInput> parseInput(const http::Request& req) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  if (auto ok = rejectUnknownFields(*body, {"provider", "cloudId", "clientId", "tenantId", "clientSecret"}, ""); !ok)
    return tl::unexpected(ok.error());
  integrations::IntegrationInput input;
  for (auto [name, target] : {std::pair{"provider", &input.provider}, std::pair{"cloudId", &input.cloudId},
                              std::pair{"clientId", &input.clientId}, std::pair{"tenantId", &input.tenantId},
                              std::pair{"clientSecret", &input.clientSecret}}) {
    if (!body->contains(name) || (*body)[name].is_null()) continue;
    if (!(*body)[name].is_string()) return fail(ErrorKind::kInvalidArgument, "must be a string", name);
    *target = (*body)[name].get<std::string>();
    if ((*target)->size() > 4096) return fail(ErrorKind::kInvalidArgument, "must be at most 4096 characters", name);
  }
  return input;
}

}  // namespace

void registerIntegrationRoutes(http::Router& router, ApiContext& ctx) {
  auto& service = ctx.integrations;
  router.add("GET", "/api/v2/tailnet/{tailnet}/posture/integrations",
             guarded(ctx, "feature_settings:read", [&service](auto&, auto&, auto&) -> core::Result<http::Response> {
               auto list = service.list();
               if (!list) return tl::unexpected(list.error());
               Json out = Json::array();
               for (const auto& i : *list) out.push_back(integrationToJson(i, service.nextSync(i.id)));
               return jsonResponse(200, Json{{"integrations", std::move(out)}});
             }));
  router.add("POST", "/api/v2/tailnet/{tailnet}/posture/integrations",
             guarded(ctx, "feature_settings",
                     [&service](const http::Request& req, auto&, const Caller& caller) -> core::Result<http::Response> {
                       auto input = parseInput(req);
                       if (!input) return tl::unexpected(input.error());
                       auto created = service.create(*input, caller.actor());
                       if (!created) return tl::unexpected(created.error());
                       return jsonResponse(200, integrationToJson(*created, service.nextSync(created->id)));
                     }));
  router.add("GET", "/api/v2/posture/integrations/{id}",
             guarded(ctx, "feature_settings:read",
                     [&service](auto&, const http::PathParams& p, auto&) -> core::Result<http::Response> {
                       auto found = service.get(p.at("id"));
                       if (!found) return tl::unexpected(found.error());
                       return jsonResponse(200, integrationToJson(*found, service.nextSync(found->id)));
                     }));
  router.add("PATCH", "/api/v2/posture/integrations/{id}",
             guarded(ctx, "feature_settings",
                     [&service](const http::Request& req, const http::PathParams& p,
                                const Caller& caller) -> core::Result<http::Response> {
                       auto input = parseInput(req);
                       if (!input) return tl::unexpected(input.error());
                       auto updated = service.update(p.at("id"), *input, caller.actor());
                       if (!updated) return tl::unexpected(updated.error());
                       return jsonResponse(200, integrationToJson(*updated, service.nextSync(updated->id)));
                     }));
  router.add("DELETE", "/api/v2/posture/integrations/{id}",
             guarded(ctx, "feature_settings",
                     [&service](auto&, const http::PathParams& p, const Caller& caller) -> core::Result<http::Response> {
                       if (auto ok = service.remove(p.at("id"), caller.actor()); !ok) return tl::unexpected(ok.error());
                       return http::Response::json(200, "{}");
                     }));
  router.add("POST", "/api/v2/posture/integrations/{id}/sync",
             guarded(ctx, "feature_settings",
                     [&service](auto&, const http::PathParams& p, auto&) -> core::Result<http::Response> {
                       auto run = service.syncNow(p.at("id"));
                       if (!run && run.error().kind == ErrorKind::kConflict)
                         return jsonResponse(409, Json{{"message", run.error().message},
                                                       {"status", 409},
                                                       {"runId", run.error().field}});
                       if (!run) return tl::unexpected(run.error());
                       return jsonResponse(202, Json{{"runId", *run}, {"integrationId", p.at("id")}, {"trigger", "manual"}});
                     }));
  router.add("GET", "/api/v2/posture/integrations/{id}/runs",
             guarded(ctx, "feature_settings:read",
                     [&service](auto&, const http::PathParams& p, auto&) -> core::Result<http::Response> {
                       auto runs = service.runs(p.at("id"), kRunsListed);
                       if (!runs) return tl::unexpected(runs.error());
                       Json out = Json::array();
                       for (const auto& r : *runs) out.push_back(runToJson(r));
                       return jsonResponse(200, Json{{"runs", std::move(out)}});
                     }));
}

}  // namespace postured::api
