#include "integrations/integration_service.h"

#include <nlohmann/json.hpp>

#include "core/change_context.h"
#include "core/random.h"

namespace postured::integrations {

using core::ErrorKind;
using core::fail;
using Json = nlohmann::json;

namespace {

// Resumes a suspended integration's schedule when the change is done, however
// it ends; forget() instead when the integration is gone.
class SuspendedScope {
 public:
  SuspendedScope(SyncScheduler& scheduler, std::string id) : scheduler_(scheduler), id_(std::move(id)) {}
  ~SuspendedScope() { resume(); }
  void resume() {
    if (!done_) scheduler_.resume(id_);
    done_ = true;
  }
  void forget() {
    if (!done_) scheduler_.forget(id_);
    done_ = true;
  }

 private:
  SyncScheduler& scheduler_;
  std::string id_;
  bool done_ = false;
};

core::AuditTarget integrationTarget(const core::Integration& i, const Provider* provider) {
  return core::AuditTarget{i.id, provider ? std::string(provider->displayName()) : i.provider, "POSTURE_INTEGRATION",
                           "POSTURE_INTEGRATION"};
}

// The audit view of a configuration: never the secret.
Json configJson(const core::Integration& i) {
  return Json{{"provider", i.provider}, {"cloudId", i.cloudId}, {"clientId", i.clientId}, {"tenantId", i.tenantId}};
}

std::string knownProviders(const ProviderRegistry& registry) {
  std::string out;
  for (auto id : registry.ids()) out += (out.empty() ? "" : ", ") + std::string(id);
  return out;
}

}  // namespace

core::Result<ProviderConfig> IntegrationService::checkedConfig(const Provider& provider, ProviderConfig config) const {
  return provider.validateConfig(std::move(config), ValidationContext{engine_.settings().fetch.allowInsecureUrls});
}

core::Result<core::Integration> IntegrationService::create(const IntegrationInput& input,
                                                           const core::AuditActor& actor) {
  if (!input.provider || input.provider->empty())
    return fail(ErrorKind::kInvalidArgument, "is required, e.g. \"sentinelone\"", "provider");
  const auto& ids = tailscaleProviderIds();
  if (std::find(ids.begin(), ids.end(), *input.provider) == ids.end())
    return fail(ErrorKind::kInvalidArgument,
                "\"" + *input.provider + "\" is not a posture provider; this server supports: " +
                    knownProviders(engine_.providers()),
                "provider");
  const Provider* provider = engine_.providers().find(*input.provider);
  if (!provider)
    return fail(ErrorKind::kInvalidArgument,
                "provider \"" + *input.provider + "\" is not supported by this postured yet; supported: " +
                    knownProviders(engine_.providers()),
                "provider");
  if (!input.clientSecret || input.clientSecret->empty())
    return fail(ErrorKind::kInvalidArgument, "is required (for " + std::string(provider->displayName()) +
                                                 ": the API token)",
                "clientSecret");
  auto config = checkedConfig(*provider, ProviderConfig{input.cloudId.value_or(""), input.clientId.value_or(""),
                                                        input.tenantId.value_or(""), *input.clientSecret});
  if (!config) return tl::unexpected(config.error());

  const auto now = clock_.now();
  core::Integration integration;
  integration.id = "p" + core::randomAlphanumeric(12) + "CNTRL";
  integration.provider = *input.provider;
  integration.cloudId = config->cloudId;
  integration.clientId = config->clientId;
  integration.tenantId = config->tenantId;
  integration.sealedSecret = secrets_.seal(config->clientSecret);
  integration.created = now;
  integration.configUpdated = now;

  core::ChangeContext context(actor, "CONFIG_API", now);
  auto event = context.event(integrationTarget(integration, provider), "CREATE");
  event.newJson = configJson(integration).dump();
  // Held until the create's own run is requested, so no scheduled run comes first.
  scheduler_.cancelAndWait(integration.id);
  SuspendedScope suspended(scheduler_, integration.id);
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  auto existing = (*tx)->integrations();
  if (!existing) return tl::unexpected(existing.error());
  for (const auto& other : *existing)
    if (other.provider == integration.provider)
      return fail(ErrorKind::kConflict, "A posture integration for the same provider already exists (" + other.id + ")",
                  "provider");
  if (auto ok = (*tx)->insertIntegration(integration); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  (void)scheduler_.request(integration.id, "create");
  suspended.resume();
  return integration;
}

core::Result<core::Integration> IntegrationService::update(const std::string& id, const IntegrationInput& input,
                                                           const core::AuditActor& actor) {
  if (auto exists = get(id); !exists) return exists;
  // A run of the old configuration would be discarded anyway: stop it, and
  // hold the schedule until the new configuration is stored.
  scheduler_.cancelAndWait(id);
  SuspendedScope suspended(scheduler_, id);
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  // Read inside the transaction: concurrent updates and runs cannot interleave.
  auto found = (*tx)->integration(id);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return fail(ErrorKind::kNotFound, "no posture integration with id \"" + id + "\"");
  const core::Integration current = std::move(**found);
  const Provider* provider = engine_.providers().find(current.provider);
  if (!provider) return fail(ErrorKind::kInvalidArgument, "provider \"" + current.provider + "\" is not supported");
  if (input.provider && *input.provider != current.provider)
    return fail(ErrorKind::kInvalidArgument,
                "the provider of an integration cannot change; remove it and create a new one", "provider");
  auto secret = secrets_.open(current.sealedSecret);
  if (!secret) return tl::unexpected(secret.error());
  const bool secretChanged = input.clientSecret && !input.clientSecret->empty() && *input.clientSecret != *secret;
  auto config = checkedConfig(
      *provider, ProviderConfig{input.cloudId.value_or(current.cloudId), input.clientId.value_or(current.clientId),
                                input.tenantId.value_or(current.tenantId), secretChanged ? *input.clientSecret : *secret});
  if (!config) return tl::unexpected(config.error());

  auto next = current;
  next.cloudId = config->cloudId;
  next.clientId = config->clientId;
  next.tenantId = config->tenantId;
  if (secretChanged) next.sealedSecret = secrets_.seal(config->clientSecret);
  const bool changed = secretChanged || next.cloudId != current.cloudId || next.clientId != current.clientId ||
                       next.tenantId != current.tenantId;
  if (!changed) return current;

  const auto now = clock_.now();
  next.configUpdated = now;
  if (next.status) next.status->pausedUntil.reset();  // new credentials deserve a try at once
  core::ChangeContext context(actor, "CONFIG_API", now);
  auto event = context.event(integrationTarget(next, provider), "UPDATE");
  Json before = configJson(current), after = configJson(next);
  if (secretChanged) after["clientSecret"] = "(changed)";
  event.oldJson = before.dump();
  event.newJson = after.dump();
  if (auto ok = (*tx)->updateIntegration(next); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  (void)scheduler_.request(id, "update");
  return next;
}

core::Result<void> IntegrationService::remove(const std::string& id, const core::AuditActor& actor) {
  auto current = get(id);
  if (!current) return tl::unexpected(current.error());
  scheduler_.cancelAndWait(id);
  SuspendedScope suspended(scheduler_, id);
  const Provider* provider = engine_.providers().find(current->provider);

  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  if (provider)
    if (auto removed = engine_.removeProviderAttributes(**tx, *provider, *current, "integration removed"); !removed)
      return tl::unexpected(removed.error());
  if (auto ok = (*tx)->deleteIntegration(id); !ok) return tl::unexpected(ok.error());
  // Timed after the attribute removals it ends, so the audit log lists it last.
  core::ChangeContext context(actor, "CONFIG_API", clock_.now());
  auto event = context.event(integrationTarget(*current, provider), "DELETE");
  event.oldJson = configJson(*current).dump();
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  suspended.forget();
  return {};
}

core::Result<std::string> IntegrationService::syncNow(const std::string& id) {
  // An operator asking for a sync lifts an authentication pause.
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  auto current = (*tx)->integration(id);
  if (!current) return tl::unexpected(current.error());
  if (!*current) return fail(ErrorKind::kNotFound, "no posture integration with id \"" + id + "\"");
  if ((*current)->status && (*current)->status->pausedUntil) {
    (*current)->status->pausedUntil.reset();
    if (auto ok = (*tx)->updateIntegration(**current); !ok) return tl::unexpected(ok.error());
    if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  }
  tx->reset();
  return scheduler_.request(id, "manual");
}

core::Result<std::vector<core::Integration>> IntegrationService::list() {
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  return (*tx)->integrations();
}

core::Result<core::Integration> IntegrationService::get(const std::string& id) {
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  auto found = (*tx)->integration(id);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return fail(ErrorKind::kNotFound, "no posture integration with id \"" + id + "\"");
  return std::move(**found);
}

core::Result<std::vector<core::IntegrationRun>> IntegrationService::runs(const std::string& id, std::size_t limit) {
  if (auto current = get(id); !current) return tl::unexpected(current.error());
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  return (*tx)->integrationRuns(id, limit);
}

}  // namespace postured::integrations
