// The headscale connection's status, ours:
//   GET /api/v2/tailnet/{t}/headscale   (feature_settings:read)
// {"configured": false} while no headscale_url is set; else the status of
// enforce/headscale/headscale_status.h with "configured": true. Never the API key.
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

void registerHeadscaleRoutes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v2/tailnet/{tailnet}/headscale",
             guarded(ctx, "feature_settings:read", [&ctx](auto&, auto&, auto&) -> core::Result<http::Response> {
               if (!ctx.headscale)
                 return jsonResponse(200, Json{{"configured", false},
                                               {"message",
                                                "postured drives no headscale server: set headscale_url and "
                                                "headscale_api_key_file to connect one"}});
               auto status = ctx.headscale->toJson();
               status["configured"] = true;
               return jsonResponse(200, status);
             }));
}

}  // namespace postured::api
