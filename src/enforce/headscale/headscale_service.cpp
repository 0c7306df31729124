#include "enforce/headscale/headscale_service.h"

#include "core/secret_file.h"
#include "enforce/headscale/node_sync.h"

namespace postured::enforce::headscale {

core::Result<std::unique_ptr<HeadscaleService>> HeadscaleService::create(HeadscaleSettings settings,
                                                                         store::CachedStore& store,
                                                                         const core::Clock& clock,
                                                                         core::Metrics& metrics, DecisionSource source,
                                                                         std::vector<std::string>& warnings) {
  auto key = core::readSecretFile(settings.apiKeyFile, {"headscale API key", "headscale_api_key_file"}, warnings);
  if (!key) return tl::unexpected(key.error());
  return std::unique_ptr<HeadscaleService>(
      new HeadscaleService(std::move(settings), std::move(*key), store, clock, metrics, std::move(source)));
}

HeadscaleService::HeadscaleService(HeadscaleSettings settings, std::string apiKey, store::CachedStore& store,
                                   const core::Clock& clock, core::Metrics& metrics, DecisionSource source)
    : settings_(std::move(settings)),
      connection_{settings_.url, std::move(apiKey)},
      store_(store),
      clock_(clock),
      metrics_(metrics),
      status_(settings_.url, settings_.pollInterval),
      pusher_(store, clock, metrics, status_, connection_, std::move(source), settings_.push) {
  metrics_.describe("postured_headscale_polls_total", "counter", "Reads of headscale's node list by outcome.");
  metrics_.describe("postured_headscale_nodes", "gauge", "Nodes headscale listed at the last successful poll.");
  metrics_.describe("postured_headscale_push_total", "counter",
                    "Policy pushes to headscale by outcome (pushed, unchanged, failed).");
  metrics_.describe("postured_headscale_resolve_seconds", "histogram", "Time to resolve the policy's postures.");
  metrics_.describe("postured_headscale_push_seconds", "histogram", "Time from reading the inputs to headscale's answer.");
}

HeadscaleService::~HeadscaleService() { stop(); }

void HeadscaleService::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  poller_ = std::thread([this] { pollLoop(); });
  pusher_.start();
}

void HeadscaleService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
  pusher_.stop();
}

void HeadscaleService::pollLoop() {
  HeadscaleClient client(connection_);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    pollOnce(client);
    lock.lock();
    wake_.wait_for(lock, settings_.pollInterval, [this] { return stopping_; });
  }
}

void HeadscaleService::pollOnce(HeadscaleClient& client) {
  PollStatus poll;
  auto nodes = client.listNodes();
  if (nodes) {
    auto synced = syncNodes(store_, *nodes, clock_.now());
    if (synced) {
      poll.ok = true;
      poll.nodes = nodes->size();
      poll.created = synced->created;
      poll.adopted = synced->adopted;
      poll.updated = synced->updated;
      poll.removed = synced->removed;
      metrics_.set("postured_headscale_nodes", {}, static_cast<double>(nodes->size()));
    } else {
      poll.error = "cannot record headscale's nodes: " + synced.error().message;
    }
  } else {
    poll.error = nodes.error().message;
  }
  poll.at = clock_.now();
  metrics_.add("postured_headscale_polls_total", {{"outcome", poll.ok ? "ok" : "failed"}});
  status_.recordPoll(std::move(poll));
}

}  // namespace postured::enforce::headscale
