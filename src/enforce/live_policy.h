// The policy in force and its compiled form over the current devices, kept
// in memory: what every decision reads (packet filters, access checks,
// forward-auth answers, the headscale push).
//
// current() reads the store only when a policy version was saved since it
// last did (CachedStore::policyGeneration); the parsed policy is cached by
// ETag. view() brings the compiled engine up to date lazily, on the first
// call after a change, from the in-memory device cache: when only attributes
// changed (a sync, the attributes API, an expiry) it recomputes
// incrementally from the devices the commits touched
// (CachedStore::changedSince); a new policy, or a device that appeared,
// disappeared or changed identity, compiles it again. Neither reads the
// database on the hot path. Thread-safe; a View holds a shared lock, so
// keep it only for the length of one decision.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "policy/destination.h"
#include "policy/policy_engine.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"
#include "store/cached_store.h"

namespace postured::enforce {

// Tailscale's default policy: every device may reach every device on every port.
extern const char* const kDefaultPolicyText;

// The ETag of a policy text (hex SHA-256).
std::string policyETag(std::string_view text);

struct CurrentPolicy {
  std::string text;  // as saved (HuJSON kept)
  std::string etag;  // without quotes
  bool isDefault = false;
  std::shared_ptr<const policy::Policy> policy;
};

struct CompiledPolicy;  // one generation's engine and directory (live_policy.cpp)

class LivePolicy {
 public:
  LivePolicy(store::CachedStore& store, const core::Clock& clock, core::Metrics& metrics);
  ~LivePolicy();

  core::Result<CurrentPolicy> current();

  // The compiled policy over every device, current as of the call.
  class View {
   public:
    const policy::PolicyEngine& engine() const;
    const policy::NodeDirectory& directory() const;  // over engine().nodes()
    const std::string& etag() const;
    // Changes whenever what the view decides may have changed (with etag()).
    std::uint64_t generation() const;

   private:
    friend class LivePolicy;
    View(std::shared_lock<std::shared_mutex> lock, const CompiledPolicy& compiled);
    std::shared_lock<std::shared_mutex> lock_;
    const CompiledPolicy* compiled_;
  };
  core::Result<View> view();

  // Every device as the policy sees it now (a fresh copy, for tests of candidate policies).
  std::vector<policy::PolicyNode> nodes() const;

 private:
  core::Result<std::shared_ptr<const policy::Policy>> parsed(const std::string& text, const std::string& etag);
  bool isCurrent(const std::string& etag, core::Timestamp now) const;  // engineMutex_ held
  void update(const CurrentPolicy& c, core::Timestamp now);            // engineMutex_ held exclusively
  void rebuild(const CurrentPolicy& c, core::Timestamp now);           // engineMutex_ held exclusively

  store::CachedStore& store_;
  const core::Clock& clock_;
  core::Counter& fullCompiles_;
  core::Counter& incrementalUpdates_;

  std::mutex policyMutex_;  // guards the two caches below
  std::optional<CurrentPolicy> current_;
  std::uint64_t currentGeneration_ = 0;  // the policy generation current_ was read at
  std::string parsedEtag_;
  std::shared_ptr<const policy::Policy> parsedPolicy_;

  std::shared_mutex engineMutex_;
  std::unique_ptr<CompiledPolicy> compiled_;
};

}  // namespace postured::enforce
