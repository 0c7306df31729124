#include "faults.h"

#include <string>

namespace postured::s1emu {

using core::ErrorKind;
using core::fail;

namespace {

core::Result<void> readBool(const nlohmann::ordered_json& value, const std::string& name, bool& out) {
  if (value.is_null()) {
    out = false;
    return {};
  }
  if (!value.is_boolean()) return fail(ErrorKind::kInvalidArgument, "must be true or false", name);
  out = value.get<bool>();
  return {};
}

core::Result<void> readInt(const nlohmann::ordered_json& value, const std::string& name, int min, int max,
                           int defaultValue, int& out) {
  if (value.is_null()) {
    out = defaultValue;
    return {};
  }
  if (!value.is_number_integer() || value.get<std::int64_t>() < min || value.get<std::int64_t>() > max)
    return fail(ErrorKind::kInvalidArgument,
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max), name);
  out = value.get<int>();
  return {};
}

}  // namespace

core::Result<void> mergeFaults(Faults& faults, const nlohmann::ordered_json& body) {
  if (!body.is_object())
    return fail(ErrorKind::kInvalidArgument,
                "the body must be a JSON object of faults, e.g. {\"failPage\": 3, \"failPageTimes\": 1}");
  Faults next = faults;
  const Faults defaults;
  for (const auto& [key, value] : body.items()) {
    core::Result<void> ok;
    if (key == "revokeToken") {
      ok = readBool(value, key, next.revokeToken);
    } else if (key == "forbidden") {
      ok = readBool(value, key, next.forbidden);
    } else if (key == "rateLimitEvery") {
      ok = readInt(value, key, 0, kMaxFaultPage, 0, next.rateLimitEvery);
    } else if (key == "rateLimitRetryAfter") {
      ok = readInt(value, key, 0, kMaxRetryAfter, defaults.rateLimitRetryAfter, next.rateLimitRetryAfter);
    } else if (key == "failPage") {
      ok = readInt(value, key, 0, kMaxFaultPage, 0, next.failPage);
    } else if (key == "failPageTimes") {
      int times = 0;
      ok = readInt(value, key, 1, kMaxFaultPage, 0, times);
      next.failPageTimes = value.is_null() ? std::nullopt : std::optional<int>(times);
    } else if (key == "slowMs") {
      ok = readInt(value, key, 0, kMaxSlowMs, 0, next.slowMs);
    } else if (key == "truncatePage") {
      ok = readInt(value, key, 0, kMaxFaultPage, 0, next.truncatePage);
    } else if (key == "malformedPage") {
      ok = readInt(value, key, 0, kMaxFaultPage, 0, next.malformedPage);
    } else {
      return fail(ErrorKind::kInvalidArgument,
                  "unknown fault; known: revokeToken, forbidden, rateLimitEvery, rateLimitRetryAfter, failPage, "
                  "failPageTimes, slowMs, truncatePage, malformedPage",
                  key);
    }
    if (!ok) return ok;
  }
  faults = next;
  return {};
}

nlohmann::ordered_json faultsToJson(const Faults& f) {
  return {{"revokeToken", f.revokeToken},
          {"forbidden", f.forbidden},
          {"rateLimitEvery", f.rateLimitEvery},
          {"rateLimitRetryAfter", f.rateLimitRetryAfter},
          {"failPage", f.failPage},
          {"failPageTimes", f.failPageTimes ? nlohmann::ordered_json(*f.failPageTimes) : nlohmann::ordered_json()},
          {"slowMs", f.slowMs},
          {"truncatePage", f.truncatePage},
          {"malformedPage", f.malformedPage}};
}

Faults FaultState::get() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

void FaultState::set(const Faults& faults) {
  std::lock_guard lock(mutex_);
  faults_ = faults;
  requestsSinceSet_ = 0;
  failPageHits_ = 0;
}

bool FaultState::takeRateLimit() {
  std::lock_guard lock(mutex_);
  ++requestsSinceSet_;
  return faults_.rateLimitEvery > 0 && requestsSinceSet_ % static_cast<std::uint64_t>(faults_.rateLimitEvery) == 0;
}

bool FaultState::takeFailPage(int page) {
  std::lock_guard lock(mutex_);
  if (faults_.failPage <= 0 || page != faults_.failPage) return false;
  if (faults_.failPageTimes && failPageHits_ >= *faults_.failPageTimes) return false;
  ++failPageHits_;
  return true;
}

}  // namespace postured::s1emu
