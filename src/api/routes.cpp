#include "api/routes.h"

#include "api/json_shapes.h"

namespace postured::api {

http::Handler guarded(ApiContext& ctx, std::string scope, ApiHandler fn) {
  return
      [&ctx, scope = std::move(scope), fn = std::move(fn)](const http::Request& req, const http::PathParams& params) {
        auto caller = ctx.auth.authorize(req, scope);
        if (!caller) return errorResponse(caller.error());
        if (auto t = params.find("tailnet");
            t != params.end() && t->second != "-" && core::foldKey(t->second) != core::foldKey(ctx.tailnet))
          return http::Response::error(404, "tailnet \"" + t->second + "\" not found; this server serves \"" +
                                                ctx.tailnet + "\" (or use \"-\")");
        auto response = fn(req, params, *caller);
        return response ? std::move(*response) : errorResponse(response.error());
      };
}

void registerRoutes(http::Router& router, ApiContext& ctx) {
  // Every route but the operational ones needs a valid key, checked before the
  // body is read; the handler then checks the route's scope.
  router.setBeforeBody([&ctx](const http::Route& route, const http::Request& req) -> std::optional<http::Response> {
    // Public: the operational endpoints (/healthz, /metrics) and the console's
    // files; signing in, which is how a browser gets its credential; and the
    // device endpoints, where devices authenticate themselves (enrollment.h).
    if (!route.pattern.starts_with("/api/") || route.pattern.starts_with("/api/v2/machine/") ||
        (route.pattern == "/api/v2/session" && req.method == "POST"))
      return std::nullopt;
    auto caller = ctx.auth.authorize(req, "");
    if (!caller) return errorResponse(caller.error());
    return std::nullopt;
  });
  registerSystemRoutes(router, ctx);
  registerKeyRoutes(router, ctx);
  registerDeviceRoutes(router, ctx);
  registerAttributeRoutes(router, ctx);
  registerAuditRoutes(router, ctx);
  registerIntegrationRoutes(router, ctx);
  registerPolicyRoutes(router, ctx);
  registerSettingsRoutes(router, ctx);
  registerEnrollmentRoutes(router, ctx);
  registerSessionRoutes(router, ctx);
  registerHeadscaleRoutes(router, ctx);
}

}  // namespace postured::api
