#include "enforce/headscale/policy_push.h"

#include <nlohmann/json.hpp>

#include "core/change_context.h"
#include "core/sha256.h"
#include "enforce/headscale/node_sync.h"

namespace postured::enforce::headscale {

namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// How long one wait may last, so that stop() is seen promptly.
constexpr auto kWakeEvery = std::chrono::milliseconds(200);

// headscale's own words, and what to do about them.
std::string explain(const core::Error& error) {
  if (error.message.find(kFileModeMessage) != std::string::npos)
    return "headscale keeps its policy in a file (policy.mode: file), so its API cannot change it (\"" +
           std::string(kFileModeMessage) +
           "\"): set `policy: {mode: database}` in headscale's config.yaml and restart headscale";
  if (error.kind == core::ErrorKind::kInvalidArgument)
    return "headscale rejected the resolved policy: " + error.message;
  return error.message;
}

}  // namespace

PolicyPusher::PolicyPusher(store::CachedStore& store, const core::Clock& clock, core::Metrics& metrics,
                           HeadscaleStatus& status, HeadscaleConnection connection, DecisionSource source,
                           PushTiming timing)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      status_(status),
      connection_(std::move(connection)),
      source_(std::move(source)),
      timing_(timing) {}

PolicyPusher::~PolicyPusher() { stop(); }

void PolicyPusher::start() {
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void PolicyPusher::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::uint64_t PolicyPusher::waitForChange(std::uint64_t seen, SteadyClock::time_point until) {
  std::uint64_t generation = seen;
  while (!stopping_ && generation == seen) {
    const auto now = SteadyClock::now();
    if (now >= until) break;
    generation = store_.waitForDecisionChange(seen, std::min(until, now + kWakeEvery));
  }
  return generation;
}

void PolicyPusher::run() {
  client_ = std::make_unique<HeadscaleClient>(connection_);
  bool pending = true;  // headscale may hold anything at start: compare first
  auto retryDelay = timing_.firstRetry;
  std::optional<SteadyClock::time_point> retryAt;
  std::uint64_t seen = store_.decisionGeneration();
  while (!stopping_) {
    if (!pending || retryAt) {
      // Sleep until something changes, the next expiry passes, or the retry is due.
      auto until = retryAt.value_or(SteadyClock::now() + std::chrono::hours(1));
      if (validUntil_) {
        const auto left = std::chrono::duration_cast<SteadyClock::duration>(*validUntil_ - clock_.now());
        until = std::min(until, SteadyClock::now() + std::max(left, SteadyClock::duration::zero()));
      }
      const auto generation = waitForChange(seen, until);
      if (stopping_) break;
      const bool expired = validUntil_ && clock_.now() >= *validUntil_;
      const bool retryDue = retryAt && SteadyClock::now() >= *retryAt;
      if (generation == seen && !expired && !retryDue) continue;
      pending = true;
    }
    // Resolve at once; when more commits follow within `quiet`, it was a
    // burst: wait for it to end (at most `maxDelay`) as before, and resolve
    // once more then. A lone commit thus waits for the longer of `quiet` and
    // resolving rather than for both, and a burst is still one push.
    const auto deadline = SteadyClock::now() + timing_.maxDelay;
    std::uint64_t generation = store_.decisionGeneration();  // read before the inputs: a later commit shows
    const auto quietUntil = std::min(deadline, SteadyClock::now() + timing_.quiet);
    std::optional<core::Result<Prepared>> prepared = prepare();
    std::uint64_t next = store_.decisionGeneration();
    if (next == generation) next = waitForChange(generation, quietUntil);
    if (next != generation && !stopping_) {
      generation = next;
      while (!stopping_ && SteadyClock::now() < deadline) {
        next = waitForChange(generation, std::min(deadline, SteadyClock::now() + timing_.quiet));
        if (next == generation) break;
        generation = next;
      }
      prepared.reset();  // the last inputs go before new ones are read
      prepared = prepare();
    }
    if (stopping_) break;
    seen = generation;
    if (push(std::move(*prepared))) {
      pending = false;
      retryAt.reset();
      retryDelay = timing_.firstRetry;
      status_.setNextRetry(std::nullopt);
    } else {
      retryAt = SteadyClock::now() + retryDelay;
      status_.setNextRetry(clock_.now() + std::chrono::duration_cast<std::chrono::milliseconds>(retryDelay));
      retryDelay = std::min(retryDelay * 2, timing_.maxRetry);
    }
  }
  client_.reset();
}

bool PolicyPusher::fail(const std::string& error, const std::string& sha256, std::size_t bytes) {
  metrics_.add("postured_headscale_push_total", {{"outcome", "failed"}});
  PushStatus push;
  push.at = clock_.now();
  push.outcome = "failed";
  push.error = error;
  push.sha256 = sha256;
  push.bytes = bytes;
  status_.recordPush(push);
  if (error != lastFailure_) {  // once per distinct error, not once per retry
    lastFailure_ = error;
    audit(push, "");
  }
  return false;
}

std::optional<std::vector<std::string>> PolicyPusher::changedSinceResolved(core::Timestamp now) const {
  if (!resolvedGeneration_) return std::nullopt;
  // An attribute that expired since changed its node without a commit.
  if (validUntil_ && now >= *validUntil_) return std::nullopt;
  auto changed = store_.changedSince(*resolvedGeneration_);
  if (!changed) return std::nullopt;
  return std::move(changed->ids);
}

core::Result<PolicyPusher::Prepared> PolicyPusher::prepare() {
  const auto started = SteadyClock::now();
  const auto now = clock_.now();
  // Read before the inputs: a commit in between shows in changedSince next time, never the other way round.
  const std::uint64_t generation = store_.stateGeneration();
  Prepared out;
  auto inputs = source_(now);
  if (!inputs) return core::fail(inputs.error().kind, "cannot read the policy and devices: " + inputs.error().message);
  out.inputs = std::move(*inputs);
  const auto changed = changedSinceResolved(now);
  validUntil_ = out.inputs.validUntil;
  resolvedGeneration_.reset();
  auto resolved = resolver_.resolve(out.inputs.text, out.inputs.policy, std::move(out.inputs.nodes),
                                    changed ? &*changed : nullptr);
  if (!resolved)
    return core::fail(resolved.error().kind, "cannot resolve the policy's postures: " + resolved.error().message);
  resolvedGeneration_ = generation;
  out.resolved = std::move(*resolved);
  out.started = started;
  metrics_.observe("postured_headscale_resolve_seconds", {},
                   std::chrono::duration<double>(SteadyClock::now() - started).count());
  return out;
}

bool PolicyPusher::push(core::Result<Prepared> prepared) {
  if (!prepared) return fail(prepared.error().message, "", 0);
  const auto started = prepared->started;
  const ResolvedPolicy& resolved = prepared->resolved;
  const std::string& text = resolved.text;
  if (knowsHeadscale_ && text == lastPushed_) return true;

  PushStatus push;
  push.bytes = text.size();
  push.rulesResolved = resolved.rulesResolved;
  push.rulesDropped = resolved.rulesDropped;
  push.warnings = resolved.warnings;
  if (!knowsHeadscale_) {
    // After a restart headscale usually holds exactly this: then there is nothing to send.
    if (auto stored = client_->getPolicy(); stored && *stored == text) {
      push.sha256 = core::sha256Hex(text);
      knowsHeadscale_ = true;
      lastPushed_ = text;
      lastPushedSha_ = push.sha256;
      push.at = clock_.now();
      push.outcome = "unchanged";
      status_.recordPush(push);
      metrics_.add("postured_headscale_push_total", {{"outcome", "unchanged"}});
      return true;
    }
  }
  if (!checked_) {
    auto checked = client_->checkPolicy(text);
    if (!checked && checked.error().kind != core::ErrorKind::kNotFound)  // 404: a headscale without the check API
      return fail(explain(checked.error()), core::sha256Hex(text), push.bytes);
    checked_ = true;
  }
  // The hash is for the status and the audit: made once headscale has the text, not on the way to it.
  auto set = client_->setPolicy(text);
  push.sha256 = core::sha256Hex(text);
  if (!set) {
    if (set.error().kind == core::ErrorKind::kInvalidArgument) checked_ = false;  // check the next text again
    return fail(explain(set.error()), push.sha256, push.bytes);
  }
  const std::string previousSha = knowsHeadscale_ ? lastPushedSha_ : "";
  knowsHeadscale_ = true;
  lastPushed_ = text;
  lastPushedSha_ = push.sha256;
  lastFailure_.clear();
  push.at = clock_.now();
  push.outcome = "pushed";
  status_.recordPush(push);
  metrics_.add("postured_headscale_push_total", {{"outcome", "pushed"}});
  metrics_.observe("postured_headscale_push_seconds", {},
                   std::chrono::duration<double>(SteadyClock::now() - started).count());
  audit(push, previousSha);
  return true;
}

void PolicyPusher::audit(const PushStatus& push, const std::string& previousSha) {
  core::ChangeContext context(headscaleActor(), "AUTOMATED", push.at);
  auto event = context.event(core::AuditTarget{connection_.url, "headscale", "TAILNET", "HEADSCALE_POLICY"}, "UPDATE");
  if (!previousSha.empty()) event.oldJson = Json{{"sha256", previousSha}}.dump();
  if (push.outcome == "pushed") {
    event.newJson = Json{{"sha256", push.sha256},
                         {"bytes", push.bytes},
                         {"rulesResolved", push.rulesResolved},
                         {"rulesDropped", push.rulesDropped}}
                        .dump();
    event.actionDetails = "policy with postures resolved pushed to headscale";
  } else {
    event.actionDetails = "push to headscale failed: " + push.error;
  }
  // Best effort: the push happened (or failed) whether or not its record is written.
  auto tx = store_.write();
  if (!tx) return;
  if (auto ok = (*tx)->appendAudit(event); !ok) return;
  (void)(*tx)->commit();
}

}  // namespace postured::enforce::headscale
