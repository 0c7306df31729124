#include "enforce/headscale/headscale_status.h"

namespace postured::enforce::headscale {

namespace {

using Json = nlohmann::json;

Json pollJson(const PollStatus& p) {
  Json j{{"at", core::formatRfc3339(p.at)}, {"outcome", p.ok ? "ok" : "failed"}, {"nodes", p.nodes},
         {"created", p.created},          {"adopted", p.adopted},              {"updated", p.updated},
         {"removed", p.removed}};
  if (!p.ok) j["error"] = p.error;
  return j;
}

Json pushJson(const PushStatus& p) {
  Json j{{"at", core::formatRfc3339(p.at)},
         {"outcome", p.outcome},
         {"sha256", p.sha256},
         {"bytes", p.bytes},
         {"rulesResolved", p.rulesResolved},
         {"rulesDropped", p.rulesDropped},
         {"warnings", p.warnings}};
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

std::string durationText(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1'000 == 0) return std::to_string(ms / 1'000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace

HeadscaleStatus::HeadscaleStatus(std::string url, std::chrono::milliseconds pollInterval)
    : url_(std::move(url)), pollInterval_(pollInterval) {}

void HeadscaleStatus::recordPoll(PollStatus poll) {
  std::lock_guard lock(mutex_);
  if (poll.ok) {
    lastSuccessfulPoll_ = poll.at;
    nodesSeen_ = poll.nodes;
  }
  lastPoll_ = std::move(poll);
}

void HeadscaleStatus::recordPush(PushStatus push) {
  std::lock_guard lock(mutex_);
  if (push.outcome != "failed") lastSuccessfulPush_ = push;
  lastPush_ = std::move(push);
}

void HeadscaleStatus::setNextRetry(std::optional<core::Timestamp> at) {
  std::lock_guard lock(mutex_);
  nextRetry_ = at;
}

std::optional<PushStatus> HeadscaleStatus::lastPush() const {
  std::lock_guard lock(mutex_);
  return lastPush_;
}

Json HeadscaleStatus::toJson() const {
  std::lock_guard lock(mutex_);
  return Json{{"url", url_},
              {"pollInterval", durationText(pollInterval_)},
              {"nodesSeen", nodesSeen_},
              {"lastPoll", lastPoll_ ? pollJson(*lastPoll_) : Json(nullptr)},
              {"lastSuccessfulPoll", lastSuccessfulPoll_ ? Json(core::formatRfc3339(*lastSuccessfulPoll_)) : Json()},
              {"lastPush", lastPush_ ? pushJson(*lastPush_) : Json(nullptr)},
              {"lastSuccessfulPush", lastSuccessfulPush_ ? pushJson(*lastSuccessfulPush_) : Json(nullptr)},
              {"nextRetry", nextRetry_ ? Json(core::formatRfc3339(*nextRetry_)) : Json(nullptr)}};
}

}  // namespace postured::enforce::headscale
