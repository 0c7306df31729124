// What the headscale connection is doing, for GET /api/v2/tailnet/{t}/headscale,
// `postured headscale status` and the console. Written by the poller and the
// pusher, read by API threads; thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace postured::enforce::headscale {

struct PollStatus {
  core::Timestamp at{};
  bool ok = false;
  std::string error;  // when !ok
  std::size_t nodes = 0;
  std::size_t created = 0, adopted = 0, updated = 0, removed = 0;
};

struct PushStatus {
  core::Timestamp at{};
  std::string outcome;  // "pushed", "unchanged" (headscale already had these bytes) or "failed"
  std::string error;    // when failed: headscale's words and what to do
  std::string sha256;   // of the policy text that was sent (or found unchanged)
  std::size_t bytes = 0;
  std::size_t rulesResolved = 0, rulesDropped = 0;
  std::vector<std::string> warnings;
};

class HeadscaleStatus {
 public:
  HeadscaleStatus(std::string url, std::chrono::milliseconds pollInterval);

  void recordPoll(PollStatus poll);
  void recordPush(PushStatus push);
  void setNextRetry(std::optional<core::Timestamp> at);

  std::optional<PushStatus> lastPush() const;
  // {"url", "pollInterval", "nodesSeen", "lastPoll", "lastSuccessfulPoll",
  //  "lastPush", "lastSuccessfulPush", "nextRetry"}; absent parts are null.
  nlohmann::json toJson() const;

 private:
  const std::string url_;
  const std::chrono::milliseconds pollInterval_;
  mutable std::mutex mutex_;
  std::optional<PollStatus> lastPoll_;
  std::optional<core::Timestamp> lastSuccessfulPoll_;
  std::size_t nodesSeen_ = 0;
  std::optional<PushStatus> lastPush_;
  std::optional<PushStatus> lastSuccessfulPush_;
  std::optional<core::Timestamp> nextRetry_;
};

}  // namespace postured::enforce::headscale
