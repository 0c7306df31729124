// postured driving a headscale server: a poller that mirrors headscale's
// nodes as devices every poll interval (node_sync.h), and a pusher that keeps
// headscale's policy equal to postured's with postures resolved away
// (policy_push.h). One of each per process; both stop with stop().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "enforce/headscale/headscale_status.h"
#include "enforce/headscale/policy_push.h"
#include "store/cached_store.h"

namespace postured::enforce::headscale {

struct HeadscaleSettings {
  std::string url;         // normalised origin
  std::string apiKeyFile;  // read once, at start; the key is never logged
  std::chrono::milliseconds pollInterval{10'000};
  PushTiming push;
};

class HeadscaleService {
 public:
  // Reads the API key file (refused when every user may read it); warnings
  // (a group-readable file) are added to `warnings`. Nothing runs before start().
  static core::Result<std::unique_ptr<HeadscaleService>> create(HeadscaleSettings settings,
                                                                store::CachedStore& store, const core::Clock& clock,
                                                                core::Metrics& metrics, DecisionSource source,
                                                                std::vector<std::string>& warnings);
  ~HeadscaleService();

  void start();
  void stop();
  const HeadscaleStatus& status() const { return status_; }

 private:
  HeadscaleService(HeadscaleSettings settings, std::string apiKey, store::CachedStore& store,
                   const core::Clock& clock, core::Metrics& metrics, DecisionSource source);
  void pollLoop();
  void pollOnce(HeadscaleClient& client);

  HeadscaleSettings settings_;
  HeadscaleConnection connection_;
  store::CachedStore& store_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  HeadscaleStatus status_;
  PolicyPusher pusher_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace postured::enforce::headscale
