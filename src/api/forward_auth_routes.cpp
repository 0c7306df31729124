#include "api/forward_auth_routes.h"

#include <array>
#include <atomic>
#include <chrono>
#include <memory>

#include "enforce/forward_auth/forward_auth.h"

namespace postured::api {

namespace {

using enforce::forward_auth::ForwardAuth;
using enforce::forward_auth::ForwardAuthAnswer;
using enforce::forward_auth::ForwardAuthQuery;
using enforce::forward_auth::Verdict;

constexpr std::array<const char*, 7> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
constexpr auto kBadRequestLogInterval = std::chrono::minutes(1);

// Header values come from device data and requests: keep them to one line.
std::string headerValue(std::string_view text) {
  std::string out(text.substr(0, 400));
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

http::Response toResponse(const ForwardAuthAnswer& answer) {
  http::Response res;
  res.contentType = "text/plain; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "no-store");
  if (answer.verdict == Verdict::kAllowed) {
    res.status = 200;
    std::string tags;
    for (const auto& t : answer.tags) tags += (tags.empty() ? "" : ",") + t;
    res.headers.emplace_back("X-Postured-Device", headerValue(answer.deviceId));
    res.headers.emplace_back("X-Postured-Hostname", headerValue(answer.hostname));
    res.headers.emplace_back("X-Postured-User", headerValue(answer.user));
    res.headers.emplace_back("X-Postured-Tags", headerValue(tags));
    res.body = "allowed\n";
    return res;
  }
  // nginx's auth_request turns anything but 2xx, 401 and 403 into a 500, so
  // every denial, postured's own errors included, is a 403; only a question
  // the policy cannot answer is a 400, for the admin to see.
  res.status = answer.verdict == Verdict::kBadRequest ? 400 : 403;
  const std::string reason = headerValue(answer.reason);
  res.headers.emplace_back("X-Postured-Reason", reason);
  res.body = reason + "\n";
  return res;
}

class ForwardAuthEndpoint {
 public:
  ForwardAuthEndpoint(ApiContext& ctx, enforce::forward_auth::TrustedProxies trusted, WarningLog warn)
      : decisions_(ctx.live, std::move(trusted)),
        latency_(ctx.metrics.histogram("postured_forward_auth_duration_seconds", {})),
        warn_(std::move(warn)) {
    ctx.metrics.describe("postured_forward_auth_total", "counter", "forward-auth answers by result.");
    ctx.metrics.describe("postured_forward_auth_duration_seconds", "histogram",
                         "Time to decide a forward-auth request, in postured.");
    for (auto verdict : {Verdict::kAllowed, Verdict::kDenied, Verdict::kUnknownDevice, Verdict::kBadRequest,
                         Verdict::kError})
      answers_[static_cast<std::size_t>(verdict)] =
          &ctx.metrics.counter("postured_forward_auth_total", {{"result", std::string(verdictName(verdict))}});
  }

  http::Response handle(const http::Request& req, const http::PathParams& params) {
    const auto started = std::chrono::steady_clock::now();
    const auto kind = params.find("kind");
    auto query = kind == params.end() ? enforce::forward_auth::queryFromTarget(req.target)
                                      : enforce::forward_auth::queryFromPath(kind->second, params.at("value"));
    ForwardAuthAnswer answer;
    if (query) {
      answer = decisions_.decide(req, *query);
    } else {
      answer.verdict = Verdict::kBadRequest;
      answer.reason = query.error().message;
    }
    answers_[static_cast<std::size_t>(answer.verdict)]->add();
    latency_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (answer.verdict == Verdict::kBadRequest || answer.verdict == Verdict::kError) noteProblem(answer);
    return toResponse(answer);
  }

 private:
  void noteProblem(const ForwardAuthAnswer& answer) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = lastLogged_.load();
    const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kBadRequestLogInterval);
    if ((last != 0 && now - last < interval.count()) || !lastLogged_.compare_exchange_strong(last, now)) {
      ++suppressed_;
      return;
    }
    if (warn_)
      warn_(answer.verdict == Verdict::kError ? "forward-auth cannot decide" : "forward-auth: bad request",
            {{"reason", answer.reason}, {"suppressed_since_last", suppressed_.exchange(0)}});
  }

  ForwardAuth decisions_;
  std::array<core::Counter*, 5> answers_{};
  core::Histogram& latency_;
  WarningLog warn_;
  std::atomic<std::chrono::steady_clock::rep> lastLogged_{0};
  std::atomic<std::uint64_t> suppressed_{0};
};

}  // namespace

void registerForwardAuthRoutes(http::Router& router, ApiContext& ctx,
                               enforce::forward_auth::TrustedProxies trustedProxies, WarningLog warn) {
  // Shared by the handlers, which live as long as the router.
  auto endpoint = std::make_shared<ForwardAuthEndpoint>(ctx, std::move(trustedProxies), std::move(warn));
  auto handler = [endpoint](const http::Request& req, const http::PathParams& params) {
    return endpoint->handle(req, params);
  };
  for (const char* method : kMethods) {
    router.add(method, "/forward-auth", handler);
    router.add(method, "/forward-auth/{kind}/{value}/{rest...}", handler);
  }
}

}  // namespace postured::api
