#include "integrations/sync_scheduler.h"

#include <malloc.h>

#include <algorithm>

#include "core/random.h"

namespace postured::integrations {

using core::ErrorKind;
using core::fail;

namespace {
constexpr auto kTick = std::chrono::seconds(1);
std::string newRunId() { return "r" + core::randomAlphanumeric(16); }
}  // namespace

SyncScheduler::SyncScheduler(SyncEngine& engine, store::CachedStore& store, const core::Clock& clock)
    : engine_(engine), store_(store), clock_(clock) {}

SyncScheduler::~SyncScheduler() { stop(); }

void SyncScheduler::start() {
  engine_.markInterruptedRuns();  // before any run of ours can be "running"
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void SyncScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, slot] : slots_)
      if (slot.running) slot.running->cancelled = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  for (auto& [id, slot] : slots_)
    if (slot.running && slot.running->thread.joinable()) slot.running->thread.join();
  slots_.clear();
}

core::Timestamp SyncScheduler::jittered(core::Timestamp from) {
  const auto interval = engine_.settings().interval;
  std::uniform_real_distribution<double> jitter(0.9, 1.1);
  return from +
         std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(interval.count()) * jitter(random_)));
}

core::Result<std::string> SyncScheduler::request(const std::string& integrationId, const std::string& trigger) {
  std::lock_guard lock(mutex_);
  auto& slot = slots_[integrationId];
  // A configuration change queues behind a run in progress (whose results are
  // discarded); only an operator's manual request is told to wait.
  if (slot.running && !slot.running->done && trigger == "manual")
    return fail(ErrorKind::kConflict, "a sync of this integration is already running: run " + slot.running->runId,
                slot.running->runId);
  if (slot.pendingTrigger) return slot.pendingRunId;  // already asked for; the same run will serve
  slot.pendingTrigger = trigger;
  slot.pendingRunId = newRunId();
  wake_.notify_all();
  return slot.pendingRunId;
}

void SyncScheduler::cancelAndWait(const std::string& integrationId) {
  std::unique_ptr<Running> running;
  {
    std::lock_guard lock(mutex_);
    auto& slot = slots_[integrationId];
    slot.suspended = true;  // the slot stays, so the loop cannot start another run meanwhile
    running = std::move(slot.running);
  }
  if (!running) return;
  running->cancelled = true;
  if (running->thread.joinable()) running->thread.join();
}

void SyncScheduler::resume(const std::string& integrationId) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(integrationId); it != slots_.end()) it->second.suspended = false;
  }
  wake_.notify_all();
}

void SyncScheduler::forget(const std::string& integrationId) {
  std::lock_guard lock(mutex_);
  slots_.erase(integrationId);
}

std::optional<core::Timestamp> SyncScheduler::nextSync(const std::string& integrationId) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(integrationId);
  if (it == slots_.end() || (it->second.running && !it->second.running->done)) return std::nullopt;
  if (it->second.pendingTrigger) return clock_.now();
  // Finished but not yet reaped: nextDue is still the time that started this
  // run; the next one is due an interval after it ended (jitter aside).
  if (it->second.running) return it->second.running->finishedAt + engine_.settings().interval;
  return it->second.nextDue;
}

std::optional<std::string> SyncScheduler::runningRun(const std::string& integrationId) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(integrationId);
  if (it == slots_.end() || !it->second.running || it->second.running->done) return std::nullopt;
  return it->second.running->runId;
}

void SyncScheduler::startRun(const std::string& integrationId, Slot& slot, const std::string& trigger,
                             std::string runId) {
  slot.running = std::make_unique<Running>();
  slot.running->runId = std::move(runId);
  Running* running = slot.running.get();
  running->thread = std::thread([this, integrationId, trigger, running] {
    engine_.run(integrationId, running->runId, trigger, running->cancelled);
    // Done as soon as the run's record is: a manual sync asked for now queues
    // instead of being told that a finished run is still running.
    running->finishedAt = clock_.now();
    running->done = true;
    // A run allocates and frees in proportion to the fleet; give what it freed
    // back to the system, so that the next peak starts from the cache alone.
    // The loop joins this thread before it starts the next run.
    ::malloc_trim(0);
    wake_.notify_all();
  });
}

void SyncScheduler::reapFinished() {
  for (auto& [id, slot] : slots_) {
    if (!slot.running || !slot.running->done || slot.suspended) continue;
    slot.running->thread.join();
    slot.nextDue = jittered(slot.running->finishedAt);
    slot.running.reset();
  }
}

void SyncScheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    reapFinished();
    // Pick up integrations created or removed through other paths, with their schedule.
    lock.unlock();
    auto integrations = [&]() -> std::vector<core::Integration> {
      auto tx = store_.read();
      if (!tx) return {};
      auto list = (*tx)->integrations();
      return list ? std::move(*list) : std::vector<core::Integration>{};
    }();
    engine_.expireStale();
    lock.lock();
    if (stopping_) break;

    const auto now = clock_.now();
    // Slots of integrations removed elsewhere go, unless busy or asked for.
    std::erase_if(slots_, [&](const auto& entry) {
      const auto& [id, slot] = entry;
      return !slot.running && !slot.suspended && !slot.pendingTrigger &&
             std::none_of(integrations.begin(), integrations.end(), [&](const auto& i) { return i.id == id; });
    });
    for (const auto& integration : integrations) {
      auto& slot = slots_[integration.id];
      if (slot.running || slot.suspended) continue;
      if (!slot.nextDue) {
        // First sight: due one interval after the last attempt, or now when it
        // never ran (unless a request is pending: that run comes first).
        const auto& status = integration.status;
        slot.nextDue = status && status->lastSync ? jittered(*status->lastSync) : now;
      }
      if (slot.pendingTrigger) {
        const auto trigger = *slot.pendingTrigger;
        slot.pendingTrigger.reset();
        startRun(integration.id, slot, trigger, std::move(slot.pendingRunId));
        continue;
      }
      const bool paused =
          integration.status && integration.status->pausedUntil && *integration.status->pausedUntil > now;
      if (!paused && *slot.nextDue <= now) startRun(integration.id, slot, "schedule", newRunId());
    }
    wake_.wait_for(lock, kTick);
  }
}

}  // namespace postured::integrations
