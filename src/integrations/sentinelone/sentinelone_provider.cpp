// The fetch loop: page after page over one connection, each page retried on
// its own when the console or the network falters.
#include "integrations/sentinelone/sentinelone_provider.h"

#include <random>
#include <thread>
#include <utility>

#include "http/client.h"
#include "integrations/sentinelone/agents_page.h"
#include "integrations/sentinelone/agents_request.h"
#include "integrations/sentinelone/api_token.h"
#include "integrations/sentinelone/console_url.h"
#include "integrations/sentinelone/error_body.h"
#include "integrations/sentinelone/error_classification.h"

namespace postured::integrations::sentinelone {

namespace {

using std::chrono::milliseconds;

// A 1000-agent page is 1-10 MB; anything far larger is not a page of agents.
constexpr std::size_t kMaxPageBytes = 128 << 20;
// Waits wake this often to notice cancellation.
constexpr milliseconds kCancelPoll{20};

std::string retries(int n) { return std::to_string(n) + (n == 1 ? " retry" : " retries"); }

std::string seconds(milliseconds ms) {
  const auto s = (ms.count() + 999) / 1000;
  return std::to_string(s) + " s";
}

// What the console said, or what it usually means when it said nothing we can read.
std::string explainStatus(const http::ClientResponse& response) {
  auto said = describeErrorBody(response.body);
  if (!said.empty()) return said;
  switch (response.status) {
    case 401:
      return "the API token was refused (expired, revoked or mistyped?); update clientSecret";
    case 403:
      return "the API token's user may not list agents; give it a role with Endpoints.view (e.g. Viewer)";
    case 404:
      return "no agents API at this address; check that cloudId is the console URL";
    case 429:
      return "too many requests";
    default:
      break;
  }
  if (response.status >= 300 && response.status < 400) {
    const auto location = response.header("location");
    return location.empty() ? "a redirect; set cloudId to the console's address"
                            : "a redirect to " + std::string(location.substr(0, 200)) +
                                  "; set cloudId to the console's address";
  }
  return {};
}

std::string withReason(std::string head, const std::string& reason) {
  return reason.empty() ? head : head + ": " + reason;
}

class Fetch {
 public:
  Fetch(std::string consoleUrl, const std::string& token, const FetchContext& ctx, const PageSink& sink)
      : console_(std::move(consoleUrl)),
        authorization_("ApiToken " + token),
        ctx_(ctx),
        sink_(sink),
        client_(clientOptions(ctx)),
        rng_(std::random_device{}()) {}

  tl::expected<FetchSummary, FetchError> run() {
    std::optional<std::string> cursor;
    for (int page = 1;; ++page) {
      if (isCancelled()) return cancelled(page);
      auto response = fetchPage(agentsPageUrl(console_, cursor), page);
      if (!response) return tl::unexpected(std::move(response.error()));
      auto parsed = parser_.parse(response->body);
      if (!parsed)
        return fail(FetchErrorKind::kProvider,
                    "SentinelOne returned a malformed page " + std::to_string(page) + ": " + parsed.error().message);
      // A cursor that does not move would make us fetch the same page forever.
      if (parsed->nextCursor && parsed->nextCursor == cursor)
        return fail(FetchErrorKind::kProvider, "SentinelOne returned a malformed page " + std::to_string(page) +
                                                   ": \"pagination.nextCursor\" repeats the cursor of this page");
      response->body = {};  // release the page's text before the sink builds on its hosts
      ++summary_.pages;
      summary_.hosts += parsed->hosts.size();
      sink_(std::move(parsed->hosts));
      if (!parsed->nextCursor) return summary_;
      cursor = std::move(parsed->nextCursor);
    }
  }

 private:
  static http::ClientOptions clientOptions(const FetchContext& ctx) {
    http::ClientOptions o;
    o.connectTimeout = ctx.connectTimeout;
    o.totalTimeout = ctx.requestTimeout;
    o.maxResponseBytes = kMaxPageBytes;
    o.cancel = ctx.cancelled;
    return o;
  }

  static tl::unexpected<FetchError> fail(FetchErrorKind kind, std::string message) {
    return tl::unexpected(FetchError{kind, std::move(message)});
  }

  bool isCancelled() const { return ctx_.cancelled && ctx_.cancelled->load(); }

  tl::unexpected<FetchError> cancelled(int page) const {
    return fail(FetchErrorKind::kCancelled, "SentinelOne fetch cancelled at page " + std::to_string(page));
  }

  // False when cancelled before `delay` passed.
  bool wait(milliseconds delay) const {
    const auto deadline = std::chrono::steady_clock::now() + delay;
    for (;;) {
      if (isCancelled()) return false;
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return true;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, kCancelPoll));
    }
  }

  // One page's response with a 2xx status, after as many retries as allowed.
  tl::expected<http::ClientResponse, FetchError> fetchPage(const std::string& url, int page) {
    const http::ClientRequest request{"GET", url, {{"Authorization", authorization_}, {"Accept", "application/json"}}, {}};
    const auto onPage = " on page " + std::to_string(page);
    for (int attempt = 0;; ++attempt) {
      if (isCancelled()) return cancelled(page);
      ++summary_.requests;
      auto response = client_.send(request);

      std::string failure;  // why this attempt failed, for the message if it was the last
      std::string failureHead;
      std::optional<milliseconds> delay;
      if (!response) {
        const auto reason = client_.lastFailureReason();
        switch (client_.lastFailure()) {
          case http::TransportFailure::kCancelled:
            return cancelled(page);
          case http::TransportFailure::kTooLarge:
            return fail(FetchErrorKind::kProvider, "SentinelOne returned a malformed page " + std::to_string(page) +
                                                       ": it is larger than " + std::to_string(kMaxPageBytes >> 20) +
                                                       " MiB");
          case http::TransportFailure::kInvalidUrl:
            return fail(FetchErrorKind::kConfiguration, "cannot use " + console_ + ": " + reason);
          default:
            failureHead = "cannot reach " + console_;
            failure = reason;
            break;
        }
      } else {
        const int status = response->status;
        const auto head = "SentinelOne returned " + std::to_string(status);
        switch (classifyStatus(status)) {
          case ResponseClass::kSuccess:
            return std::move(*response);
          case ResponseClass::kAuthentication:
            return fail(FetchErrorKind::kAuthentication, withReason(head, explainStatus(*response)));
          case ResponseClass::kConfiguration:
            return fail(FetchErrorKind::kConfiguration, withReason(head + onPage, explainStatus(*response)));
          case ResponseClass::kRateLimited:
          case ResponseClass::kRetryable:
            failureHead = head + onPage;
            failure = explainStatus(*response);
            // Retry-After is for 429 and 503 (RFC 9110 10.2.3); elsewhere it is noise.
            if (status == 429 || status == 503) {
              delay = parseRetryAfter(response->header("retry-after"), std::chrono::system_clock::now());
              if (delay && *delay > ctx_.maxRetryAfter)
                return fail(FetchErrorKind::kTransient,
                            withReason(head + onPage + " and asked to retry after " + seconds(*delay) +
                                           " (Retry-After), longer than the " + seconds(ctx_.maxRetryAfter) +
                                           " postured waits; the next sync will try again",
                                       failure));
            }
            break;
        }
      }

      if (attempt >= ctx_.maxRetries) {
        if (response)  // an HTTP status: "SentinelOne returned 500 on page 3 after 4 retries: ..."
          return fail(FetchErrorKind::kTransient, withReason(failureHead + " after " + retries(attempt), failure));
        return fail(FetchErrorKind::kTransient,
                    failureHead + ": " + failure + " (page " + std::to_string(page) + ", after " + retries(attempt) + ")");
      }
      if (!delay) delay = backoffDelay(attempt, ctx_.retryBaseDelay, rng_);
      if (!wait(*delay)) return cancelled(page);
    }
  }

  const std::string console_;
  const std::string authorization_;
  const FetchContext& ctx_;
  const PageSink& sink_;
  http::HttpClient client_;  // one for the whole fetch: the connection is reused across pages
  AgentsPageParser parser_;
  std::mt19937_64 rng_;
  FetchSummary summary_;
};

}  // namespace

tl::expected<FetchSummary, FetchError> SentinelOneProvider::fetchHosts(const ProviderConfig& config,
                                                                       const FetchContext& ctx,
                                                                       const PageSink& sink) const {
  // Configurations are validated when saved; checking again here keeps a
  // stored configuration from before a rule change from going out as is.
  auto console = normaliseConsoleUrl(config.cloudId, ctx.allowInsecureUrls);
  if (!console) return tl::unexpected(FetchError{FetchErrorKind::kConfiguration, console.error().message});
  if (auto token = validateApiToken(config.clientSecret); !token)
    return tl::unexpected(FetchError{FetchErrorKind::kConfiguration, token.error().message});
  Fetch fetch(std::move(*console), config.clientSecret, ctx, sink);
  return fetch.run();
}

}  // namespace postured::integrations::sentinelone
