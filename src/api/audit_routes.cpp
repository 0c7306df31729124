// GET /api/v2/tailnet/{t}/logging/configuration?start=&end=&actor=&target=&event=
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

core::Result<std::optional<core::Timestamp>> timeParam(const http::Request& req, std::string_view name) {
  const auto text = req.queryParam(name);
  if (text.empty()) return std::nullopt;
  auto t = core::parseRfc3339(text);
  if (!t)
    return fail(ErrorKind::kInvalidArgument,
                "\"" + std::string(text) + "\" is not an RFC 3339 time such as 2026-11-24T00:00:00Z",
                std::string(name));
  return *t;
}

core::Result<http::Response> listEvents(ApiContext& ctx, const http::Request& req) {
  store::AuditQuery query;
  auto start = timeParam(req, "start");
  if (!start) return tl::unexpected(start.error());
  auto end = timeParam(req, "end");
  if (!end) return tl::unexpected(end.error());
  if (*start && *end && **end < **start)
    return fail(ErrorKind::kInvalidArgument, "end is before start", "end");
  query.start = *start;
  query.end = *end;
  query.actor = std::string(req.queryParam("actor"));
  query.target = std::string(req.queryParam("target"));
  query.event = std::string(req.queryParam("event"));

  auto tx = ctx.store.read();
  if (!tx) return tl::unexpected(tx.error());
  auto events = (*tx)->auditEvents(query);
  if (!events) return tl::unexpected(events.error());
  Json logs = Json::array();
  for (const auto& e : *events) logs.push_back(auditEventToJson(e));
  return jsonResponse(200, Json{{"version", "1.1"}, {"tailnet", ctx.tailnet}, {"logs", std::move(logs)}});
}

}  // namespace

void registerAuditRoutes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v2/tailnet/{tailnet}/logging/configuration",
             guarded(ctx, "logs:configuration:read",
                     [&ctx](const http::Request& req, auto&, auto&) { return listEvents(ctx, req); }));
}

}  // namespace postured::api
