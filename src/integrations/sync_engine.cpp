#include "integrations/sync_engine.h"

#include <algorithm>

#include "core/change_context.h"
#include "integrations/attribute_diff.h"
#include "integrations/serial_matching.h"

namespace postured::integrations {

using core::ErrorKind;
using core::fail;

namespace {

// Writes the diffs of namespace `ns` and one "Update node attribute" event
// per device. Returns the number of attributes changed. Consumes each
// diff's `next`, which the transaction keeps until its commit.
core::Result<std::size_t> applyDiffs(store::WriteTx& tx, std::string_view ns, std::vector<DeviceAttributeDiff>& diffs,
                                     const core::ChangeContext& context) {
  std::size_t written = 0;
  for (auto& diff : diffs) {
    const auto& device = diff.device();
    auto audit = diff.audit();
    written += audit.changed;
    auto event = context.event(core::AuditTarget{device.id, device.hostname, "NODE", "ATTRIBUTES"}, "UPDATE");
    event.oldJson = std::move(audit.oldJson);
    event.newJson = std::move(audit.newJson);
    if (auto ok = tx.replaceProviderAttributes(device.id, ns, std::move(diff.next)); !ok)
      return tl::unexpected(ok.error());
    if (auto ok = tx.appendAudit(event); !ok) return tl::unexpected(ok.error());
  }
  return written;
}

std::int64_t millisBetween(core::Timestamp a, core::Timestamp b) { return (b - a).count(); }

}  // namespace

core::AuditActor integrationActor(const core::Integration& integration, const Provider* provider) {
  const std::string name = provider ? std::string(provider->displayName()) : integration.provider;
  return core::AuditActor{integration.id, "AUTOMATED_WORKER", integration.provider, name + " integration"};
}

core::Result<std::size_t> SyncEngine::removeProviderAttributes(store::WriteTx& tx, const Provider& provider,
                                                               const core::Integration& integration,
                                                               const std::string& reason) {
  core::ChangeContext context(integrationActor(integration, &provider), "CONTROL", clock_.now());
  context.comment = reason;
  auto diffs = diffProviderAttributes(store_.allDeviceStates(), provider.attributeNamespace(), {}, context.now);
  auto written = applyDiffs(tx, provider.attributeNamespace(), diffs, context);
  if (!written) return tl::unexpected(written.error());
  return diffs.size();
}

core::Result<core::IntegrationRun> SyncEngine::run(const std::string& integrationId, const std::string& runId,
                                                   const std::string& trigger, const std::atomic<bool>& cancelled) {
  const auto started = clock_.now();
  core::IntegrationRun record;
  record.id = runId;
  record.integrationId = integrationId;
  record.trigger = trigger;
  record.startedAt = started;

  core::Integration integration;
  {
    auto tx = store_.write();
    if (!tx) return tl::unexpected(tx.error());
    auto found = (*tx)->integration(integrationId);
    if (!found) return tl::unexpected(found.error());
    if (!*found) return fail(ErrorKind::kNotFound, "no integration with id \"" + integrationId + "\"");
    integration = std::move(**found);
    if (auto ok = (*tx)->insertRun(record); !ok) return tl::unexpected(ok.error());
    if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  }

  // Ends the run without touching attributes: records the failure on the run and the status.
  auto finishFailed = [&](const std::string& error, bool authentication) -> core::Result<core::IntegrationRun> {
    const auto now = clock_.now();
    record.finishedAt = now;
    record.outcome = "failed";
    record.error = error;
    record.durationMs = millisBetween(started, now);
    auto tx = store_.write();
    if (!tx) return tl::unexpected(tx.error());
    auto current = (*tx)->integration(integrationId);
    if (!current) return tl::unexpected(current.error());
    // The status belongs to the configuration it describes: a run of an old
    // configuration records its own failure but must not pause the new one.
    if (*current && (*current)->configUpdated != integration.configUpdated) {
      if (auto ok = (*tx)->updateRun(record); !ok) return tl::unexpected(ok.error());
    } else if (*current) {
      auto status = (*current)->status.value_or(core::IntegrationStatus{});
      status.lastSync = now;
      status.error = error;
      status.durationMs = record.durationMs;
      if (authentication) status.pausedUntil = now + settings_.authPause;
      (*current)->status = status;
      if (auto ok = (*tx)->updateIntegration(**current); !ok) return tl::unexpected(ok.error());
      if (auto ok = (*tx)->updateRun(record); !ok) return tl::unexpected(ok.error());
    }
    if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
    return record;
  };

  const Provider* provider = providers_.find(integration.provider);
  if (!provider)
    return finishFailed("provider \"" + integration.provider + "\" cannot be synced by this postured", false);
  auto secret = secrets_.open(integration.sealedSecret);
  if (!secret) return finishFailed(secret.error().message, false);
  auto config = provider->validateConfig(
      ProviderConfig{integration.cloudId, integration.clientId, integration.tenantId, std::move(*secret)},
      ValidationContext{settings_.fetch.allowInsecureUrls});
  if (!config) return finishFailed(config.error().field + ": " + config.error().message, false);

  auto snapshot = store_.snapshot();
  // In an optional, to be let go before the commit (see there).
  std::optional<SerialMatcher> matcher(std::in_place, snapshot.states, provider->attributeNamespace(),
                                       fleetSerials(snapshot));
  FetchContext fetch = settings_.fetch;
  fetch.cancelled = &cancelled;
  auto fetched = provider->fetchHosts(*config, fetch, [&](std::vector<ProviderHost>& page) { matcher->offer(page); });
  record.providerHostCount = static_cast<std::int64_t>(matcher->providerHostCount());
  record.matchedCount = static_cast<std::int64_t>(matcher->matchedCount());
  if (!fetched) {
    if (fetched.error().kind == FetchErrorKind::kCancelled)
      return finishFailed("cancelled: postured is stopping or the integration is being changed", false);
    return finishFailed(fetched.error().message, fetched.error().kind == FetchErrorKind::kAuthentication);
  }

  // Every page arrived: diff against the latest committed state and write once.
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  auto current = (*tx)->integration(integrationId);
  if (!current) return tl::unexpected(current.error());
  if (!*current) return fail(ErrorKind::kNotFound, "integration \"" + integrationId + "\" was removed during the run");
  if ((*current)->configUpdated != integration.configUpdated) {
    tx->reset();  // results from the old configuration are not applied; the update's own run follows
    return finishFailed("the configuration changed during the run; its results were discarded", false);
  }
  if (cancelled) {
    tx->reset();
    return finishFailed("cancelled: postured is stopping or the integration is being changed", false);
  }
  // Devices may have changed during the fetch: match and diff against them as they are now.
  if (store_.stateGeneration() != snapshot.stateGeneration) {
    const auto latest = store_.snapshot();
    matcher->rebase(latest.states, fleetSerials(latest));
  }
  record.matchedCount = static_cast<std::int64_t>(matcher->matchedCount());
  const auto now = clock_.now();
  core::ChangeContext context(integrationActor(integration, provider), "CONTROL", now);
  context.comment = "sync run " + runId;
  auto diffs = diffProviderAttributes(matcher->devices(), provider->attributeNamespace(), matcher->takeMatches(), now);
  auto written = applyDiffs(**tx, provider->attributeNamespace(), diffs, context);
  if (!written) return tl::unexpected(written.error());

  const auto finished = clock_.now();  // after the writes: the duration includes them
  record.finishedAt = finished;
  record.outcome = "success";
  record.attributesChanged = static_cast<std::int64_t>(*written);
  record.durationMs = millisBetween(started, finished);
  core::IntegrationStatus status;
  status.lastSync = finished;
  status.lastSuccess = finished;
  status.providerHostCount = record.providerHostCount;
  status.matchedCount = record.matchedCount;
  status.possibleMatchedCount = static_cast<std::int64_t>(matcher->possibleMatchedCount());
  status.duplicateSerials = static_cast<std::int64_t>(matcher->duplicateSerials());
  status.durationMs = record.durationMs;
  (*current)->status = status;  // a success clears the error and any pause
  if (auto ok = (*tx)->updateIntegration(**current); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->updateRun(record); !ok) return tl::unexpected(ok.error());
  // Holding the fleet's snapshot through the commit would make the device
  // cache copy its 100,000 positions instead of updating them in place.
  matcher.reset();
  snapshot = {};
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  tx->reset();
  // The commit (fsync, and the device cache taking in the changes) belongs to
  // the run: a large sync spends a good part of its time there. The run was
  // recorded as a success with it; now record when it really ended. Best
  // effort: the changes are committed, and a store closing for shutdown must
  // not turn a successful run into a failed one.
  record.finishedAt = clock_.now();
  record.durationMs = millisBetween(started, *record.finishedAt);
  (void)recordCommittedDuration(integrationId, integration.configUpdated, record);
  return record;
}

std::shared_ptr<const FleetSerials> SyncEngine::fleetSerials(const store::CachedStore::Snapshot& snapshot) {
  {
    std::lock_guard lock(serialsMutex_);
    if (serials_ && serialsGeneration_ == snapshot.deviceGeneration) return serials_;
  }
  auto built = std::make_shared<const FleetSerials>(*snapshot.states);
  std::lock_guard lock(serialsMutex_);
  // Two runs may build at once; the one of the older devices must not win.
  if (!serials_ || snapshot.deviceGeneration >= serialsGeneration_) {
    serials_ = built;
    serialsGeneration_ = snapshot.deviceGeneration;
  }
  return built;
}

core::Result<void> SyncEngine::recordCommittedDuration(const std::string& integrationId, core::Timestamp configUpdated,
                                                       const core::IntegrationRun& record) {
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = (*tx)->updateRun(record); !ok) return tl::unexpected(ok.error());
  auto current = (*tx)->integration(integrationId);
  if (!current) return tl::unexpected(current.error());
  if (*current && (*current)->configUpdated == configUpdated && (*current)->status) {
    (*current)->status->durationMs = record.durationMs;
    if (auto ok = (*tx)->updateIntegration(**current); !ok) return tl::unexpected(ok.error());
  }
  return (*tx)->commit();
}

namespace {
// An integration's data is stale once its last success (or its creation) is older than staleAfter.
bool isStale(const core::Integration& i, core::Timestamp now, std::chrono::milliseconds staleAfter) {
  return i.status && now - i.status->lastSuccess.value_or(i.created) >= staleAfter;
}
}  // namespace

core::Result<std::size_t> SyncEngine::markInterruptedRuns() {
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  auto integrations = (*tx)->integrations();
  if (!integrations) return tl::unexpected(integrations.error());
  std::size_t marked = 0;
  for (const auto& integration : *integrations) {
    auto runs = (*tx)->integrationRuns(integration.id, store::kRunsKept);
    if (!runs) return tl::unexpected(runs.error());
    for (auto& run : *runs) {
      if (run.outcome != "running") continue;
      run.outcome = "failed";
      run.error = "interrupted: postured stopped during the run; nothing of it was applied";
      run.finishedAt = clock_.now();
      run.durationMs = millisBetween(run.startedAt, *run.finishedAt);
      if (auto ok = (*tx)->updateRun(run); !ok) return tl::unexpected(ok.error());
      ++marked;
    }
  }
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return marked;
}

core::Result<std::size_t> SyncEngine::expireStale() {
  const auto now = clock_.now();
  {
    // Most of the time nothing is stale: find out without taking the writer.
    auto read = store_.read();
    if (!read) return tl::unexpected(read.error());
    auto integrations = (*read)->integrations();
    if (!integrations) return tl::unexpected(integrations.error());
    const auto holdsStaleData = [&](const core::Integration& i) {
      const Provider* provider = providers_.find(i.provider);
      if (!provider || !isStale(i, now, settings_.staleAfter)) return false;
      for (const auto& state : store_.allDeviceStates())
        for (const auto& a : state->attributes)
          if (inNamespace(a.key, provider->attributeNamespace())) return true;
      return false;  // already removed: nothing to do, and no writer needed
    };
    if (std::none_of(integrations->begin(), integrations->end(), holdsStaleData)) return 0;
  }
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  auto integrations = (*tx)->integrations();
  if (!integrations) return tl::unexpected(integrations.error());
  std::size_t changed = 0;
  for (const auto& integration : *integrations) {
    const Provider* provider = providers_.find(integration.provider);
    if (!provider || !isStale(integration, now, settings_.staleAfter)) continue;
    const auto last = integration.status->lastSuccess.value_or(integration.created);
    auto removed = removeProviderAttributes(**tx, *provider, integration,
                                            "stale: no successful sync since " + core::formatRfc3339(last) +
                                                "; attributes removed so postures fail closed");
    if (!removed) return tl::unexpected(removed.error());
    changed += *removed;
  }
  if (changed == 0) return 0;
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return changed;
}

}  // namespace postured::integrations
