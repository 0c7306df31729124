// Keeps headscale's policy equal to postured's policy with postures resolved
// away (policy_resolution.h), on its own thread.
//
// It wakes on every commit that can change a decision (a device, an
// attribute, the policy: CachedStore::waitForDecisionChange) and when the
// next attribute expiry passes, resolves at once (again only what the
// devices changed since the last resolution touch, when nothing but their
// attributes changed and no attribute expired); when more commits follow
// within `quiet`, waits for the burst to end (at most `maxDelay`) and
// resolves once more (a sync writing 10,000 attributes in one commit is one
// push, and so is a burst); then sends the result with PUT /api/v1/policy
// only when its bytes differ from what headscale last got. Before its first push it asks
// headscale for its stored policy (so a restart pushes nothing new) and has
// the text checked with POST /api/v1/policy/check where headscale has it.
//
// A failed push is retried with exponential backoff (and at once when the
// inputs change again); headscale keeps the last good policy meanwhile.
// Outcomes go to the status, the metrics (postured_headscale_push_total
// {outcome}) and the audit log (target TAILNET, property HEADSCALE_POLICY;
// a failure once per distinct error).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "enforce/headscale/headscale_client.h"
#include "enforce/headscale/headscale_status.h"
#include "enforce/headscale/policy_resolution.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"
#include "store/cached_store.h"

namespace postured::enforce::headscale {

// What a decision reads now: the policy in force and every device of the
// pusher's store with its unexpired attributes, valid until the next
// attribute expiry. The pusher relies on the store's record of which devices
// changed (CachedStore::changedSince) to resolve again only what they touch
// (PolicyResolver), so the nodes must be that store's devices.
struct DecisionInputs {
  std::string text;
  std::shared_ptr<const policy::Policy> policy;
  std::vector<policy::PolicyNode> nodes;
  std::optional<core::Timestamp> validUntil;
};
using DecisionSource = std::function<core::Result<DecisionInputs>(core::Timestamp now)>;

struct PushTiming {
  std::chrono::milliseconds quiet{20};
  std::chrono::milliseconds maxDelay{250};
  std::chrono::milliseconds firstRetry{1'000};
  std::chrono::milliseconds maxRetry{60'000};
};

class PolicyPusher {
 public:
  PolicyPusher(store::CachedStore& store, const core::Clock& clock, core::Metrics& metrics, HeadscaleStatus& status,
               HeadscaleConnection connection, DecisionSource source, PushTiming timing = {});
  ~PolicyPusher();
  PolicyPusher(const PolicyPusher&) = delete;
  PolicyPusher& operator=(const PolicyPusher&) = delete;

  void start();
  void stop();  // waits for a push in flight to end

 private:
  void run();
  // The inputs read now and resolved; the inputs stay with it (what the
  // resolver did not take is dropped after the push, not on its way).
  struct Prepared {
    DecisionInputs inputs;
    ResolvedPolicy resolved;
    std::chrono::steady_clock::time_point started;
  };
  core::Result<Prepared> prepare();
  // Sends what prepare() gave when headscale does not hold it; false when it must be retried.
  bool push(core::Result<Prepared> prepared);
  // The devices changed since the resolver's last inputs, or nullopt when it must resolve everything.
  std::optional<std::vector<std::string>> changedSinceResolved(core::Timestamp now) const;
  bool fail(const std::string& error, const std::string& sha256, std::size_t bytes);
  void audit(const PushStatus& push, const std::string& previousSha);
  // Waits until the decision generation differs from `seen`, `until` passes or stop(); returns the generation.
  std::uint64_t waitForChange(std::uint64_t seen, std::chrono::steady_clock::time_point until);

  store::CachedStore& store_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  HeadscaleStatus& status_;
  HeadscaleConnection connection_;
  DecisionSource source_;
  PushTiming timing_;
  std::unique_ptr<HeadscaleClient> client_;  // made on the pusher's thread
  PolicyResolver resolver_;
  // The state generation the resolver's last inputs were read at; nullopt: resolve everything.
  std::optional<std::uint64_t> resolvedGeneration_;
  std::string lastPushed_;     // what headscale holds, as far as postured knows
  std::string lastPushedSha_;  // its SHA-256
  bool knowsHeadscale_ = false;  // lastPushed_ was read from or written to headscale
  bool checked_ = false;
  std::string lastFailure_;
  std::optional<core::Timestamp> validUntil_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace postured::enforce::headscale
