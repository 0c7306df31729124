#include "integrations/sentinelone/page_fetcher.h"

#include <simdjson.h>

#include <thread>
#include <utility>

#include "integrations/sentinelone/agents_request.h"
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

std::string seconds(milliseconds ms) { return std::to_string((ms.count() + 999) / 1000) + " s"; }

std::string withReason(std::string head, const std::string& reason) {
  return reason.empty() ? head : head + ": " + reason;
}

tl::unexpected<FetchError> fail(FetchErrorKind kind, std::string message) {
  return tl::unexpected(FetchError{kind, std::move(message)});
}

// What the console said, or what its status usually means when it said nothing we can read.
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

http::ClientOptions clientOptions(const FetchContext& ctx, const std::atomic<bool>& stop) {
  http::ClientOptions o;
  o.connectTimeout = ctx.connectTimeout;
  o.totalTimeout = ctx.requestTimeout;
  o.maxResponseBytes = kMaxPageBytes;
  o.cancel = &stop;
  o.bodyPadding = simdjson::SIMDJSON_PADDING;
  return o;
}

}  // namespace

FetchError cancelledAt(int page) {
  return FetchError{FetchErrorKind::kCancelled, "SentinelOne fetch cancelled at page " + std::to_string(page)};
}

PageFetcher::PageFetcher(std::string consoleUrl, const std::string& token, const FetchContext& ctx,
                         const std::atomic<bool>& stop)
    : console_(std::move(consoleUrl)),
      authorization_("ApiToken " + token),
      ctx_(ctx),
      stop_(stop),
      client_(clientOptions(ctx, stop)),
      rng_(std::random_device{}()) {}

bool PageFetcher::stopped() const { return stop_.load() || (ctx_.cancelled && ctx_.cancelled->load()); }

bool PageFetcher::wait(milliseconds delay) const {
  const auto deadline = std::chrono::steady_clock::now() + delay;
  for (;;) {
    if (stopped()) return false;
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, kCancelPoll));
  }
}

tl::expected<std::string, FetchError> PageFetcher::fetch(const std::optional<std::string>& cursor, int page) {
  const http::ClientRequest request{
      "GET", agentsPageUrl(console_, cursor), {{"Authorization", authorization_}, {"Accept", "application/json"}}, {}};
  const auto onPage = " on page " + std::to_string(page);
  for (int attempt = 0;; ++attempt) {
    if (stopped()) return tl::unexpected(cancelledAt(page));
    ++requests_;
    auto response = client_.send(request);

    std::string failureHead;  // why this attempt failed, for the message if it was the last
    std::string failure;
    std::optional<milliseconds> delay;
    if (!response) {
      switch (client_.lastFailure()) {
        case http::TransportFailure::kCancelled:
          return tl::unexpected(cancelledAt(page));
        case http::TransportFailure::kTooLarge:
          return fail(FetchErrorKind::kProvider, "SentinelOne returned a malformed page " + std::to_string(page) +
                                                     ": it is larger than " + std::to_string(kMaxPageBytes >> 20) +
                                                     " MiB");
        case http::TransportFailure::kInvalidUrl:
          return fail(FetchErrorKind::kConfiguration, "cannot use " + console_ + ": " + client_.lastFailureReason());
        default:  // refused, reset, timed out, DNS, TLS: the network may recover
          failureHead = "cannot reach " + console_;
          failure = client_.lastFailureReason();
          break;
      }
    } else {
      const int status = response->status;
      const auto head = "SentinelOne returned " + std::to_string(status);
      switch (classifyStatus(status)) {
        case ResponseClass::kSuccess:
          return std::move(response->body);
        case ResponseClass::kAuthentication:
          return fail(FetchErrorKind::kAuthentication, withReason(head, explainStatus(*response)));
        case ResponseClass::kConfiguration:
          return fail(FetchErrorKind::kConfiguration, withReason(head + onPage, explainStatus(*response)));
        case ResponseClass::kRateLimited:
        case ResponseClass::kRetryable:
          failureHead = head + onPage;
          failure = explainStatus(*response);
          // Retry-After belongs to 429 and 503 (RFC 9110 10.2.3).
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
      if (response)  // "SentinelOne returned 500 on page 3 after 4 retries: ..."
        return fail(FetchErrorKind::kTransient, withReason(failureHead + " after " + retries(attempt), failure));
      return fail(FetchErrorKind::kTransient, failureHead + ": " + failure + " (page " + std::to_string(page) +
                                                  ", after " + retries(attempt) + ")");
    }
    if (!delay) delay = backoffDelay(attempt, ctx_.retryBaseDelay, rng_);
    if (!wait(*delay)) return tl::unexpected(cancelledAt(page));
  }
}

}  // namespace postured::integrations::sentinelone
