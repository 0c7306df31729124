// The enrollment endpoints (enrollment.h). They take no API key: a
// registration carries an auth key, a report only the device's signature.
#include "api/enrollment.h"
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

namespace {

http::Handler unguarded(std::function<core::Result<http::Response>(const http::Request&, const http::PathParams&)> fn) {
  return [fn = std::move(fn)](const http::Request& req, const http::PathParams& params) {
    auto response = fn(req, params);
    return response ? std::move(*response) : errorResponse(response.error());
  };
}

}  // namespace

void registerEnrollmentRoutes(http::Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v2/machine/register",
             unguarded([&ctx](const http::Request& req, auto&) { return registerDevice(ctx, req); }));
  router.add("POST", "/api/v2/machine/{id}/report",
             unguarded([&ctx](const http::Request& req, const auto& p) { return reportDevice(ctx, req, p.at("id")); }));
}

}  // namespace postured::api
