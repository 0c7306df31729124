// Fetches one page of agents at a time with the retry policy of a
// FetchContext: 401/403 fail at once, 429 waits as Retry-After says, 5xx and
// network failures back off exponentially with full jitter, other statuses
// are configuration errors. One HttpClient serves every page, so the
// connection is reused. Not thread-safe: one thread drives it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "http/client.h"
#include "integrations/provider.h"

namespace postured::integrations::sentinelone {

class PageFetcher {
 public:
  // Waits end early when `stop` or ctx.cancelled is set; a request in
  // flight only when `stop` is (HttpClient watches one flag), so the owner
  // sets `stop` once it sees ctx.cancelled.
  PageFetcher(std::string consoleUrl, const std::string& token, const FetchContext& ctx, const std::atomic<bool>& stop);

  // The body of page `page` (1-based, for messages), padded for simdjson.
  tl::expected<std::string, FetchError> fetch(const std::optional<std::string>& cursor, int page);

  // A parsed page's body, for the next page to be received into.
  void reuseBuffer(std::string body) { client_.reuseBodyBuffer(std::move(body)); }

  std::size_t requests() const { return requests_; }
  bool stopped() const;  // stop or ctx.cancelled

 private:
  // False when stopped before `delay` passed.
  bool wait(std::chrono::milliseconds delay) const;

  const std::string console_;
  const std::string authorization_;
  const FetchContext& ctx_;
  const std::atomic<bool>& stop_;
  http::HttpClient client_;
  std::mt19937_64 rng_;
  std::size_t requests_ = 0;
};

// "SentinelOne fetch cancelled at page 3", the one message for cancellation.
FetchError cancelledAt(int page);

}  // namespace postured::integrations::sentinelone
