#include "app/serve.h"

#include <malloc.h>
#include <sys/stat.h>

#include <condition_variable>
#include <csignal>
#include <iostream>
#include <thread>

#include "api/attribute_changes.h"
#include "api/enrollment.h"
#include "enforce/policy_nodes.h"
#include "api/forward_auth_routes.h"
#include "api/routes.h"
#include "app/data_dir.h"
#include "app/logging.h"
#include "console/console_routes.h"
#include "core/secret_box.h"
#include "core/shutdown_signals.h"
#include "enforce/headscale/headscale_service.h"
#include "http/server.h"
#include "integrations/integration_service.h"
#include "integrations/registry.h"
#include "integrations/sync_engine.h"
#include "integrations/sync_scheduler.h"
#include "store/cached_store.h"
#include "store/sqlite/sqlite_store.h"

namespace postured::app {

namespace {

// Runs `task` every `interval` on its own thread until stopped.
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task)
      : thread_([this, interval, task = std::move(task)] {
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            task();
            lock.lock();
          }
        }) {}
  ~PeriodicTask() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

void describeMetrics(core::Metrics& metrics) {
  metrics.describe("postured_build_info", "gauge", "Version of the running postured.");
  metrics.set("postured_build_info", {{"version", POSTURED_VERSION}}, 1);
  metrics.describe("http_requests_total", "counter", "HTTP requests by route, method and status.");
  metrics.describe("http_request_duration_seconds", "histogram", "HTTP request latency by route.");
  metrics.describe("store_operations_total", "counter", "Store operations by kind and outcome.");
  metrics.describe("store_transactions_total", "counter", "Store transactions by kind and outcome.");
  metrics.describe("attributes_expired_total", "counter", "Attributes removed because their expiry passed.");
}

// What the headscale pusher resolves: the policy in force and every device
// with the attributes it holds now.
enforce::headscale::DecisionSource decisionSource(store::CachedStore& store, enforce::LivePolicy& live) {
  return [&store, &live](core::Timestamp now) -> core::Result<enforce::headscale::DecisionInputs> {
    const auto snapshot = store.snapshot();
    auto current = live.current();
    if (!current) return tl::unexpected(current.error());
    enforce::headscale::DecisionInputs inputs;
    inputs.text = std::move(current->text);
    inputs.policy = std::move(current->policy);
    inputs.nodes = enforce::policyNodesFrom(*snapshot.states, now);
    inputs.validUntil = enforce::nextExpiry(*snapshot.states, now);
    return inputs;
  };
}

// The access log: every request, except that forward-auth, which a busy
// proxy calls for each of its own requests, is logged as forward_auth_log says.
std::function<void(const http::AccessRecord&)> accessLogFor(const ServeConfig& config) {
  if (!config.accessLog) return {};
  auto lastSecond = std::make_shared<std::atomic<std::int64_t>>(-1);
  return [mode = config.forwardAuthLog, lastSecond](const http::AccessRecord& record) {
    if (record.route.starts_with("/forward-auth")) {
      if (mode == ServeConfig::ForwardAuthLog::kOff) return;
      if (mode == ServeConfig::ForwardAuthLog::kSampled) {
        const auto second = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
        if (lastSecond->exchange(second) == second) return;  // one line a second at most
      }
    }
    logRequest(record);
  };
}

// The headscale connection when headscale_url is set, else null.
core::Result<std::unique_ptr<enforce::headscale::HeadscaleService>> startHeadscale(const ServeConfig& config,
                                                                                   store::CachedStore& store,
                                                                                   enforce::LivePolicy& live,
                                                                                   const core::Clock& clock,
                                                                                   core::Metrics& metrics) {
  if (config.headscaleUrl.empty()) return nullptr;
  enforce::headscale::HeadscaleSettings settings;
  settings.url = config.headscaleUrl;
  settings.apiKeyFile = config.headscaleApiKeyFile;
  settings.pollInterval = config.headscalePollInterval;
  std::vector<std::string> warnings;
  auto service = enforce::headscale::HeadscaleService::create(
      settings, store, clock, metrics, decisionSource(store, live), warnings);
  for (const auto& w : warnings) logEvent("warn", "headscale API key file", {{"warning", w}});
  if (service)
    logEvent("info", "driving headscale",
             {{"url", config.headscaleUrl}, {"poll_interval_ms", config.headscalePollInterval.count()}});
  return service;
}

}  // namespace

static int serveUntilStopped(const ServeConfig& config) {
  if (auto ok = ensureDataDir(config.dataDir); !ok) {
    logEvent("error", "cannot start", {{"error", ok.error().message}});
    return 1;
  }
  auto secrets = core::SecretBox::openOrCreate(config.dataDir + "/secret.key");
  if (!secrets) {
    logEvent("error", "cannot start", {{"error", secrets.error().message}});
    return 1;
  }

  core::Metrics metrics;
  describeMetrics(metrics);
  auto sqlite = store::openSqliteStore({config.dataDir + "/postured.db", &metrics});
  if (!sqlite) {
    logEvent("error", "cannot open the store", {{"error", sqlite.error().message}});
    return 1;
  }
  auto store = store::CachedStore::wrap(std::move(*sqlite));
  if (!store) {
    logEvent("error", "cannot load the store", {{"error", store.error().message}});
    return 1;
  }

  core::SystemClock clock;
  auto adminKey = ensureAdminKey(**store, config.dataDir, clock.now());
  if (!adminKey) {
    logEvent("error", "cannot create the admin API key", {{"error", adminKey.error().message}});
    return 1;
  }
  if (!adminKey->empty())
    std::cerr << "\nFirst start: created an admin API key (scope \"all\"). It is shown only this once and\n"
                 "was written to "
              << config.dataDir << "/admin.key (mode 0600):\n\n    " << *adminKey << "\n\n"
              << std::flush;

  integrations::ProviderRegistry providers;
  integrations::registerBuiltinProviders(providers);
  integrations::SyncSettings sync;
  sync.interval = config.syncInterval;
  sync.staleAfter = config.staleAfter;
  sync.fetch.allowInsecureUrls = config.allowInsecureProviderUrls;
  sync.fetch.maxRetries = config.providerRetries;
  sync.fetch.retryBaseDelay = config.providerRetryDelay;
  integrations::SyncEngine engine(**store, providers, *secrets, clock, sync);
  integrations::SyncScheduler scheduler(engine, **store, clock);
  integrations::IntegrationService integrationService(**store, engine, scheduler, *secrets, clock);

  enforce::LivePolicy live(**store, clock, metrics);
  auto headscale = startHeadscale(config, **store, live, clock, metrics);
  if (!headscale) {
    logEvent("error", "cannot connect headscale", {{"error", headscale.error().message}});
    return 1;
  }

  api::Authenticator auth(**store, clock);
  api::ApiContext context{**store, clock, metrics, auth, integrationService, live, config.tailnet};
  if (*headscale) context.headscale = &(*headscale)->status();
  http::Router router;
  router.setDefaultMaxBodyBytes(config.maxBodyBytes);
  api::registerRoutes(router, context);
  api::registerForwardAuthRoutes(router, context, *enforce::forward_auth::TrustedProxies::parse(config.trustedProxies),
                                 [](std::string_view message, const nlohmann::json& fields) {
                                   logEvent("warn", message, fields);
                                 });
  console::registerConsoleRoutes(router);

  http::ServerOptions options;
  options.listen = config.listen;
  options.threads = config.threads;
  options.readTimeout = config.readTimeout;
  options.idleTimeout = config.idleTimeout;
  http::Server server(options, router, metrics, accessLogFor(config));
  if (auto ok = server.bind(); !ok) {
    logEvent("error", "cannot listen", {{"error", ok.error().message}});
    return 1;
  }

  // SIGINT and SIGTERM were blocked in every thread by runServe; one thread takes them.
  std::atomic<bool> stopped{false};
  std::thread signalThread([&] {
    if (const int sig = core::waitForShutdownSignal(stopped)) {
      logEvent("info", "shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
      server.shutdown();
    }
  });

  {
    PeriodicTask expirySweep(config.attributeSweepInterval, [&] {
      auto removed = api::sweepExpiredAttributes(**store, clock.now());
      if (!removed)
        logEvent("error", "attribute expiry sweep failed", {{"error", removed.error().message}});
      else if (*removed > 0) {
        metrics.add("attributes_expired_total", {}, static_cast<double>(*removed));
        logEvent("info", "expired attributes removed", {{"count", *removed}});
      }
      auto silent = api::removeSilentEphemeralDevices(**store, clock.now(), config.ephemeralTimeout);
      if (!silent)
        logEvent("error", "ephemeral device cleanup failed", {{"error", silent.error().message}});
      else if (*silent > 0)
        logEvent("info", "silent ephemeral devices removed", {{"count", *silent}});
    });
    scheduler.start();
    if (*headscale) (*headscale)->start();
    logEvent("info", "listening",
             {{"address", server.boundAddress()},
              {"tailnet", config.tailnet},
              {"data_dir", config.dataDir},
              {"version", POSTURED_VERSION}});
    server.run();
    scheduler.stop();  // cancels syncs in flight: they write nothing but their failed run record
    if (*headscale) (*headscale)->stop();
  }
  stopped = true;
  signalThread.join();
  (*store)->close();
  logEvent("info", "stopped");
  return 0;
}

namespace {

// glibc raises its mmap threshold to the size of the largest block freed, so
// after the first sync each multi-megabyte page body came from the heap and
// its pages stayed resident afterwards; a fixed threshold sends them to mmap
// and back to the system on free. One arena: each arena keeps its own free
// memory, so with more than one, what a sync's thread freed sat unused while
// the next one grew another (40 MiB at a 100,000-device sync's peak).
void limitAllocatorRetention() {
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_ARENA_MAX, 1);
}

}  // namespace

int runServe(const ServeConfig& config) {
  // Before any thread exists (the logger starts one), so that every thread
  // inherits the mask and the signals reach only the thread that waits for them.
  core::blockShutdownSignals();
  limitAllocatorRetention();
  ::umask(077);  // the store holds key hashes and the inventory: readable by this user only
  setupLogging(config.logLevel);
  const int code = serveUntilStopped(config);
  shutdownLogging();  // every buffered line reaches stderr before the process exits
  return code;
}

}  // namespace postured::app
