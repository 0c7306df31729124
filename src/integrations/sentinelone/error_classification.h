// What the fetch loop does with each answer from the console, and how long
// it waits before trying a page again.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace postured::integrations::sentinelone {

enum class ResponseClass {
  kSuccess,         // 2xx: parse the page
  kAuthentication,  // 401, 403: the token is refused; retrying cannot help
  kRateLimited,     // 429: wait as Retry-After says, then retry the page
  kRetryable,       // 5xx: retry the page with backoff
  kConfiguration,   // any other status: the URL or the request is wrong
};

ResponseClass classifyStatus(int status);

// Retry-After as delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015
// 07:28:00 GMT", IMF-fixdate); a date in the past means now. nullopt when
// absent or unreadable. Absurdly large values saturate rather than overflow.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// Exponential backoff with full jitter: uniform in [0, base * 2^retry],
// the ceiling capped at max(kMaxBackoff, base). `retry` counts from 0.
std::chrono::milliseconds backoffDelay(int retry, std::chrono::milliseconds base, std::mt19937_64& rng);

inline constexpr std::chrono::milliseconds kMaxBackoff{60'000};

}  // namespace postured::integrations::sentinelone
