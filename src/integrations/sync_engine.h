// One sync run of one posture integration, start to finish:
//
//   fetch every page of hosts -> match by serial -> diff -> one transaction
//
// All or nothing: attributes change only after every page was fetched and
// parsed; a failed or cancelled run changes no attribute. The run's record
// and the integration's status are written either way. A run commits only if
// the integration still exists with the configuration it started with.
//
// Also removes stale data (DESIGN §6): once an integration has had no
// successful sync for `staleAfter`, its attributes are removed, audited.
// Thread-safe: runs of different integrations may proceed at once; the
// scheduler guarantees one run per integration at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "core/integration.h"
#include "core/secret_box.h"
#include "core/time.h"
#include "integrations/registry.h"
#include "integrations/serial_matching.h"
#include "store/cached_store.h"

namespace postured::integrations {

struct SyncSettings {
  std::chrono::milliseconds interval{15 * 60 * 1000};
  std::chrono::milliseconds staleAfter{24 * 3600 * 1000};
  std::chrono::milliseconds authPause{24 * 3600 * 1000};
  FetchContext fetch;  // retries, timeouts, allowInsecureUrls; `cancelled` is set per run
};

class SyncEngine {
 public:
  SyncEngine(store::CachedStore& store, const ProviderRegistry& providers, const core::SecretBox& secrets,
             const core::Clock& clock, SyncSettings settings)
      : store_(store), providers_(providers), secrets_(secrets), clock_(clock), settings_(std::move(settings)) {}

  // Runs a sync of `integrationId` as run `runId` (recorded as started at
  // once). Returns the finished run record; an Error only when even the
  // record could not be written.
  core::Result<core::IntegrationRun> run(const std::string& integrationId, const std::string& runId,
                                         const std::string& trigger, const std::atomic<bool>& cancelled);

  // Records runs left "running" by a postured that stopped without finishing
  // them (a crash, SIGKILL) as failed. Called once at start.
  core::Result<std::size_t> markInterruptedRuns();

  // Removes the attributes of integrations whose last success is older than
  // staleAfter. Returns the number of devices changed.
  core::Result<std::size_t> expireStale();

  // Removes every attribute of `provider`'s namespace from every device,
  // one audit event per device, within `tx` (integration deletion, stale data).
  core::Result<std::size_t> removeProviderAttributes(store::WriteTx& tx, const Provider& provider,
                                                     const core::Integration& integration, const std::string& reason);

  const SyncSettings& settings() const { return settings_; }
  const ProviderRegistry& providers() const { return providers_; }

 private:
  // After a successful run's commit: its true end, on the run and the status.
  core::Result<void> recordCommittedDuration(const std::string& integrationId, core::Timestamp configUpdated,
                                             const core::IntegrationRun& record);
  // The serial index of the snapshot's devices: the one built for an earlier
  // run while no device has changed since, else a new one.
  std::shared_ptr<const FleetSerials> fleetSerials(const store::CachedStore::Snapshot& snapshot);

  store::CachedStore& store_;
  const ProviderRegistry& providers_;
  const core::SecretBox& secrets_;
  const core::Clock& clock_;
  SyncSettings settings_;
  std::mutex serialsMutex_;
  std::shared_ptr<const FleetSerials> serials_;  // of the devices at serialsGeneration_
  std::uint64_t serialsGeneration_ = 0;
};

// The audit actor of an integration's automatic changes.
core::AuditActor integrationActor(const core::Integration& integration, const Provider* provider);

}  // namespace postured::integrations
