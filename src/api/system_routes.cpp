// Unauthenticated operational endpoints: health and Prometheus metrics. They
// expose no device data and no secrets.
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

void registerSystemRoutes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/healthz", [&ctx](const http::Request&, const http::PathParams&) {
    auto tx = ctx.store.read();
    if (!tx) return http::Response::error(503, "store unavailable: " + tx.error().message);
    auto probe = (*tx)->setting("schema.probe");
    if (!probe) return http::Response::error(503, "store unavailable: " + probe.error().message);
    return jsonResponse(200, Json{{"status", "ok"}});
  });
  router.add("GET", "/metrics", [&ctx](const http::Request&, const http::PathParams&) {
    http::Response r;
    r.contentType = "text/plain; version=0.0.4";
    r.body = ctx.metrics.render();
    return r;
  });
}

}  // namespace postured::api
