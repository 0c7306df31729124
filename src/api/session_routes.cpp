// Console sign-in (sessions.h):
//   POST   /api/v2/session {"apiKey"}  -> the session, and its cookie
//   GET    /api/v2/session             -> the session of the cookie
//   DELETE /api/v2/session             -> signs out (CSRF token required)
// The body of POST and GET carries the CSRF token the page must send back.
#include "api/json_shapes.h"
#include "api/routes.h"
#include "api/sessions.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

Json sessionJson(const core::ApiKey& key, const Session& session) {
  return Json{{"keyId", key.id},
              {"description", key.description},
              {"scopes", key.scopes},
              {"expires", core::formatRfc3339(session.expires)},
              {"csrfToken", session.csrfToken}};
}

std::string cookie(std::string_view value, std::int64_t maxAgeSeconds) {
  return std::string(kSessionCookie) + "=" + std::string(value) +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(maxAgeSeconds);
}

core::Result<http::Response> signIn(ApiContext& ctx, const http::Request& req) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object() || !body->contains("apiKey") || !(*body)["apiKey"].is_string() ||
      (*body)["apiKey"].get<std::string>().empty())
    return fail(ErrorKind::kInvalidArgument, "is required: an API key such as postured-api-...", "apiKey");
  if (auto ok = rejectUnknownFields(*body, {"apiKey"}, ""); !ok) return tl::unexpected(ok.error());
  auto key = ctx.auth.verifyKey((*body)["apiKey"].get<std::string>());
  if (!key) return tl::unexpected(key.error());
  const auto now = ctx.clock.now();
  const auto expires = std::min<core::Timestamp>(now + kSessionLifetime, (*key)->expires);
  auto created = ctx.auth.sessions().create((*key)->id, expires, now);
  auto res = jsonResponse(200, sessionJson(**key, created.session));
  res.headers.emplace_back(
      "Set-Cookie", cookie(created.token, std::chrono::duration_cast<std::chrono::seconds>(expires - now).count()));
  return res;
}

}  // namespace

void registerSessionRoutes(http::Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v2/session", [&ctx](const http::Request& req, const http::PathParams&) {
    auto response = signIn(ctx, req);
    return response ? std::move(*response) : errorResponse(response.error());
  });
  router.add(
      "GET", "/api/v2/session",
      guarded(ctx, "", [&ctx](const http::Request& req, auto&, const Caller& caller) -> core::Result<http::Response> {
        auto session = ctx.auth.sessions().find(cookieValue(req.header("cookie"), kSessionCookie), ctx.clock.now());
        if (!session) return fail(ErrorKind::kUnauthenticated, "not signed in: this request used an API key");
        return jsonResponse(200, sessionJson(*caller.key, *session));
      }));
  router.add("DELETE", "/api/v2/session",
             guarded(ctx, "", [&ctx](const http::Request& req, auto&, auto&) -> core::Result<http::Response> {
               ctx.auth.sessions().remove(cookieValue(req.header("cookie"), kSessionCookie));
               auto res = http::Response::json(200, "{}");
               res.headers.emplace_back("Set-Cookie", cookie("", 0));
               return res;
             }));
}

}  // namespace postured::api
