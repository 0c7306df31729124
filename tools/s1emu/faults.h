// Failures the emulator injects into the agents API, set by flags at start
// and changed at run time through /_emu/faults. Page faults name a page of
// a listing, 1-based, counted from the request without a cursor; a retry
// of that page (same cursor) hits the fault again.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/result.h"

namespace postured::s1emu {

// Bounds shared by the flags and /_emu/faults.
inline constexpr int kMaxFaultPage = 1'000'000;
inline constexpr int kMaxSlowMs = 600'000;
inline constexpr int kMaxRetryAfter = 86'400;

struct Faults {
  bool revokeToken = false;          // every agents request: 401
  bool forbidden = false;            // every agents request: 403
  int rateLimitEvery = 0;            // every Nth agents request: 429; 0: off
  int rateLimitRetryAfter = 1;       // seconds, in Retry-After
  int failPage = 0;                  // page K: 500; 0: off
  std::optional<int> failPageTimes;  // only the first M requests of that page fail; nullopt: all
  int slowMs = 0;                    // delay before every agents API response
  int truncatePage = 0;              // page K: 200 with the first half of its body
  int malformedPage = 0;             // page K: 200 with a body that is not JSON
};

// Applies the fields of a JSON object to `faults`: given fields replace,
// absent ones stay, null resets a field to its default. Errors name the
// field ("slowMs: must be an integer from 0 to 600000").
core::Result<void> mergeFaults(Faults& faults, const nlohmann::ordered_json& body);
nlohmann::ordered_json faultsToJson(const Faults& faults);

// The current faults and the counters behind rateLimitEvery and
// failPageTimes, which restart whenever the faults are set. Thread-safe.
class FaultState {
 public:
  Faults get() const;
  void set(const Faults& faults);
  // Counts one agents request; true when it is to be rate limited.
  bool takeRateLimit();
  // Counts a request for `page` (0: unknown); true when it is to fail with 500.
  bool takeFailPage(int page);

 private:
  mutable std::mutex mutex_;
  Faults faults_;
  std::uint64_t requestsSinceSet_ = 0;
  int failPageHits_ = 0;
};

}  // namespace postured::s1emu
