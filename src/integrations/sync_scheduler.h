// Decides when each integration syncs and runs the syncs on their own threads:
// every `interval` with +-10% jitter; at once after an integration is created
// or its configuration changes, and on request; not while paused after an
// authentication failure (a configuration change or a manual request lifts
// the pause); never two runs of one integration at once. stop() cancels runs
// in flight (they write nothing but their failed run record) and joins them.
// Also runs the stale-data check every tick (a read unless something is stale).
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "integrations/sync_engine.h"

namespace postured::integrations {

class SyncScheduler {
 public:
  SyncScheduler(SyncEngine& engine, store::CachedStore& store, const core::Clock& clock);
  ~SyncScheduler();

  void start();
  void stop();

  // Asks for a run as soon as possible ("create", "update", "manual"). Returns
  // the new run's id; a manual request while a run is in progress is
  // kConflict naming it, other triggers queue behind it.
  core::Result<std::string> request(const std::string& integrationId, const std::string& trigger);
  // Cancels the integration's run in progress, if any, waits for it to end,
  // and starts no run of it until resume() or forget(): the caller is about to
  // change or remove the integration.
  void cancelAndWait(const std::string& integrationId);
  void resume(const std::string& integrationId);
  void forget(const std::string& integrationId);

  std::optional<core::Timestamp> nextSync(const std::string& integrationId) const;
  std::optional<std::string> runningRun(const std::string& integrationId) const;

 private:
  struct Running {
    std::string runId;
    std::atomic<bool> cancelled{false};
    core::Timestamp finishedAt{};  // written before `done` is set, read after
    std::atomic<bool> done{false};
    std::thread thread;
  };
  struct Slot {
    std::optional<core::Timestamp> nextDue;
    std::optional<std::string> pendingTrigger;
    std::string pendingRunId;
    std::unique_ptr<Running> running;
    bool suspended = false;  // between cancelAndWait() and resume()/forget()
  };

  void loop();
  void startRun(const std::string& integrationId, Slot& slot, const std::string& trigger, std::string runId);
  void reapFinished();
  core::Timestamp jittered(core::Timestamp from);

  SyncEngine& engine_;
  store::CachedStore& store_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Slot> slots_;  // by integration id
  bool stopping_ = false;
  std::thread thread_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace postured::integrations
