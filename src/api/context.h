// What every API handler needs: the store, time, metrics, the tailnet's name
// and the authenticator. Owned by the app; handlers hold a reference.
#pragma once

#include <string>

#include "api/auth.h"
#include "core/metrics.h"
#include "core/time.h"
#include "enforce/headscale/headscale_status.h"
#include "enforce/live_policy.h"
#include "integrations/integration_service.h"
#include "store/cached_store.h"

namespace postured::api {

struct ApiContext {
  store::CachedStore& store;  // transactions, plus the in-memory device cache for hot reads
  const core::Clock& clock;
  core::Metrics& metrics;
  Authenticator& auth;
  integrations::IntegrationService& integrations;
  // The policy in force, compiled over the devices: shared by the policy
  // routes, forward-auth and the headscale push, so each compiles it once.
  enforce::LivePolicy& live;
  std::string tailnet;  // e.g. "example.com"; paths accept it or "-"
  // Set when postured drives a headscale server: its nodes are the devices,
  // and postured assigns no addresses (headscale does).
  const enforce::headscale::HeadscaleStatus* headscale = nullptr;
};

}  // namespace postured::api
