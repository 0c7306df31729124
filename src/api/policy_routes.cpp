// The policy file, Tailscale's endpoints:
//   GET  /api/v2/tailnet/{t}/acl            (policy_file:read)
//   POST /api/v2/tailnet/{t}/acl            (policy_file)
//   POST /api/v2/tailnet/{t}/acl/validate   (policy_file:read)
// ours:
//   GET  /api/v2/tailnet/{t}/acl/history    (policy_file:read)
//   POST /api/v2/tailnet/{t}/acl/preview    (policy_file:read)
// and ours, derived from it:
//   GET  /api/v2/device/{id}/packet-filter  (policy_file:read)
//   POST /api/v2/tailnet/{t}/access/check   (policy_file:read)
#include "api/policy_api.h"
#include "api/routes.h"

namespace postured::api {

void registerPolicyRoutes(http::Router& router, ApiContext& ctx) {
  // Shared by the handlers, which live as long as the router.
  auto api = std::make_shared<PolicyApi>(ctx.store, ctx.clock, ctx.live, ctx.tailnet);
  router.add("GET", "/api/v2/tailnet/{tailnet}/acl",
             guarded(ctx, "policy_file:read", [api](const http::Request& req, auto&, auto&) { return api->get(req); }));
  router.add("POST", "/api/v2/tailnet/{tailnet}/acl",
             guarded(ctx, "policy_file",
                     [api](const http::Request& req, auto&, const Caller& caller) { return api->set(req, caller); }));
  router.add(
      "GET", "/api/v2/tailnet/{tailnet}/acl/history",
      guarded(ctx, "policy_file:read", [api](const http::Request& req, auto&, auto&) { return api->history(req); }));
  router.add(
      "POST", "/api/v2/tailnet/{tailnet}/acl/validate",
      guarded(ctx, "policy_file:read", [api](const http::Request& req, auto&, auto&) { return api->validate(req); }));
  router.add(
      "POST", "/api/v2/tailnet/{tailnet}/acl/preview",
      guarded(ctx, "policy_file:read", [api](const http::Request& req, auto&, auto&) { return api->preview(req); }));
  router.add("GET", "/api/v2/device/{id}/packet-filter",
             guarded(ctx, "policy_file:read",
                     [api](auto&, const http::PathParams& p, auto&) { return api->packetFilter(p.at("id")); }));
  router.add("POST", "/api/v2/tailnet/{tailnet}/access/check",
             guarded(ctx, "policy_file:read",
                     [api](const http::Request& req, auto&, auto&) { return api->accessCheck(req); }));
}

}  // namespace postured::api
