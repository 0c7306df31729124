// Managing posture integrations: create, update, remove and sync on request,
// each change validated by its provider, audited (the secret never appears)
// and followed by the sync the change calls for. Used by the API and the demo.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/integration.h"
#include "core/secret_box.h"
#include "integrations/sync_engine.h"
#include "integrations/sync_scheduler.h"

namespace postured::integrations {

// Fields of a create or update request; absent fields are nullopt.
struct IntegrationInput {
  std::optional<std::string> provider;
  std::optional<std::string> cloudId;
  std::optional<std::string> clientId;
  std::optional<std::string> tenantId;
  std::optional<std::string> clientSecret;
};

class IntegrationService {
 public:
  IntegrationService(store::CachedStore& store, SyncEngine& engine, SyncScheduler& scheduler,
                     const core::SecretBox& secrets, const core::Clock& clock)
      : store_(store), engine_(engine), scheduler_(scheduler), secrets_(secrets), clock_(clock) {}

  // 400 naming the field for a bad configuration or an unknown provider,
  // 409 when the provider already has an integration. Starts a sync.
  core::Result<core::Integration> create(const IntegrationInput& input, const core::AuditActor& actor);
  // Omitted fields keep their values (the secret too). A change of
  // configuration lifts an authentication pause and starts a sync.
  core::Result<core::Integration> update(const std::string& id, const IntegrationInput& input,
                                         const core::AuditActor& actor);
  // Cancels a run in progress, then removes the integration and its
  // attributes from every device, audited, in one transaction.
  core::Result<void> remove(const std::string& id, const core::AuditActor& actor);
  // Starts a run now; kConflict naming the run in progress.
  core::Result<std::string> syncNow(const std::string& id);

  core::Result<std::vector<core::Integration>> list();
  core::Result<core::Integration> get(const std::string& id);
  core::Result<std::vector<core::IntegrationRun>> runs(const std::string& id, std::size_t limit);
  std::optional<core::Timestamp> nextSync(const std::string& id) const { return scheduler_.nextSync(id); }

 private:
  core::Result<ProviderConfig> checkedConfig(const Provider& provider, ProviderConfig config) const;

  store::CachedStore& store_;
  SyncEngine& engine_;
  SyncScheduler& scheduler_;
  const core::SecretBox& secrets_;
  const core::Clock& clock_;
};

}  // namespace postured::integrations
