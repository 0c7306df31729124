// The forward-auth endpoint that reverse proxies call before passing a
// request on (nginx auth_request, Caddy forward_auth, Traefik forwardAuth,
// Envoy ext_authz):
//   ANY /forward-auth?dst=DEST:PORT | ?posture=posture:NAME
//   ANY /forward-auth/dst/DEST:PORT/...  and  /forward-auth/posture/posture:NAME/...
// No API key: the proxy is the caller, and the answer is about its client
// (enforce/forward_auth/forward_auth.h). 200 with the device's identity in
// X-Postured-Device, -Hostname, -User and -Tags; 403 with X-Postured-Reason
// when denied or the client is no device; 400 for a question the policy
// cannot answer. Never cached (Cache-Control: no-store).
//
// Metrics: postured_forward_auth_total{result}, and the decision's latency
// in postured_forward_auth_duration_seconds. A bad request is logged once a
// minute at most: a misconfigured proxy sends one per request.
#pragma once

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "enforce/forward_auth/client_address.h"
#include "http/router.h"

namespace postured::api {

using WarningLog = std::function<void(std::string_view message, const nlohmann::json& fields)>;

void registerForwardAuthRoutes(http::Router& router, ApiContext& ctx,
                               enforce::forward_auth::TrustedProxies trustedProxies, WarningLog warn);

}  // namespace postured::api
