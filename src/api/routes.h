// The REST API: every route, its scope and its handler.
#pragma once

#include <functional>
#include <string>

#include "api/auth.h"
#include "api/context.h"
#include "http/router.h"

namespace postured::api {

// A handler after authentication: returns a response or an error that
// becomes {"message", "status"}.
using ApiHandler =
    std::function<core::Result<http::Response>(const http::Request&, const http::PathParams&, const Caller&)>;

// Wraps `fn`: checks the key and `scope`, the {tailnet} path parameter, and
// turns errors into JSON error responses.
http::Handler guarded(ApiContext& ctx, std::string scope, ApiHandler fn);

void registerRoutes(http::Router& router, ApiContext& ctx);

// Per-area registration, called by registerRoutes.
void registerSystemRoutes(http::Router& router, ApiContext& ctx);
void registerKeyRoutes(http::Router& router, ApiContext& ctx);
void registerDeviceRoutes(http::Router& router, ApiContext& ctx);
void registerAttributeRoutes(http::Router& router, ApiContext& ctx);
void registerAuditRoutes(http::Router& router, ApiContext& ctx);
void registerIntegrationRoutes(http::Router& router, ApiContext& ctx);
void registerPolicyRoutes(http::Router& router, ApiContext& ctx);
void registerSettingsRoutes(http::Router& router, ApiContext& ctx);
void registerEnrollmentRoutes(http::Router& router, ApiContext& ctx);
void registerSessionRoutes(http::Router& router, ApiContext& ctx);
void registerHeadscaleRoutes(http::Router& router, ApiContext& ctx);

// Largest body accepted by the device import and the batch attribute PATCH
// (10,000+ entries in one request).
inline constexpr std::size_t kImportMaxBodyBytes = 32u << 20;

}  // namespace postured::api
