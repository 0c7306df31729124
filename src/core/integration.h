// Posture integrations (one per provider) and the record of their sync runs,
// in Tailscale's PostureIntegration shape plus our status fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace postured::core {

struct IntegrationStatus {
  std::optional<Timestamp> lastSync;     // last attempt that finished, successful or not
  std::optional<Timestamp> lastSuccess;
  std::optional<Timestamp> nextSync;
  std::optional<Timestamp> pausedUntil;  // after an authentication failure
  std::string error;                     // one readable line; empty after a success
  std::int64_t providerHostCount = 0;
  std::int64_t matchedCount = 0;
  std::int64_t possibleMatchedCount = 0;
  std::int64_t duplicateSerials = 0;
  std::int64_t durationMs = 0;
};

struct Integration {
  std::string id;
  std::string provider;  // Tailscale's provider id: "sentinelone", ...
  std::string cloudId;
  std::string clientId;
  std::string tenantId;
  std::string sealedSecret;  // clientSecret encrypted with the data dir's secret.key; never plain
  Timestamp created{};
  Timestamp configUpdated{};
  std::optional<IntegrationStatus> status;  // absent until the first run finished
};

struct IntegrationRun {
  std::string id;
  std::string integrationId;
  std::string trigger;  // schedule, create, update, manual
  Timestamp startedAt{};
  std::optional<Timestamp> finishedAt;
  std::string outcome = "running";  // running, success, failed
  std::string error;
  std::int64_t providerHostCount = 0;
  std::int64_t matchedCount = 0;
  std::int64_t attributesChanged = 0;
  std::int64_t durationMs = 0;
};

}  // namespace postured::core
