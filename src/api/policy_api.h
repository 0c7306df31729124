// The tailnet policy file over the API (Tailscale's /acl endpoints) and what
// is derived from it: packet filters and access checks.
//
// The policy in force is the newest stored version; when none was ever saved
// it is Tailscale's allow-all default (kDefaultPolicyText), whose ETag is its
// hash like any other and which If-Match: "ts-default" also names. A rejected
// policy (syntax, validation, failing `tests`, stale If-Match) changes nothing.
// Every saved version is kept with who saved it and when, and audited
// (target TAILNET, property ACL, old/new ETag).
//
// Devices come from the CachedStore (policy_nodes.h). Packet filters and
// access checks are served by a PolicyEngine that is kept current lazily, on
// the next request after a change: when only attributes changed (a sync, the
// attributes API, an expiry) it recomputes incrementally from the devices the
// commits touched (CachedStore::changedSince); a new policy, or a device that
// appeared, disappeared or changed identity, compiles it again. The parsed
// policy is cached by ETag. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "api/auth.h"
#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "policy/policy_engine.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"
#include "store/cached_store.h"

namespace postured::api {

// Tailscale's default policy: every device may reach every device on every port.
extern const char* const kDefaultPolicyText;
// The If-Match value that names the untouched default policy.
inline constexpr std::string_view kDefaultPolicyETag = "ts-default";

struct CurrentPolicy {
  std::string text;  // as saved (HuJSON kept)
  std::string etag;  // without quotes
  bool isDefault = false;
  std::shared_ptr<const policy::Policy> policy;
};

class PolicyApi {
 public:
  PolicyApi(store::CachedStore& store, const core::Clock& clock, core::Metrics& metrics, std::string tailnet);

  core::Result<CurrentPolicy> current();

  // GET /acl: JSON, or the saved text with Accept: application/hujson; ETag header.
  core::Result<http::Response> get(const http::Request& req);
  // POST /acl: 200 with the saved policy (format by Accept) and its ETag;
  // 400 for a bad policy or failing tests, 412 for a stale If-Match.
  core::Result<http::Response> set(const http::Request& req, const Caller& caller);
  // GET /acl/history?limit=N: the saved versions, newest first (default 20,
  // at most 100), each with its text, ETag, who saved it and when.
  core::Result<http::Response> history(const http::Request& req);
  // POST /acl/validate: an object or HuJSON text is validated and its tests
  // run; an array of tests runs against the current policy. 200 {} on success.
  core::Result<http::Response> validate(const http::Request& req);
  // POST /acl/preview?type=user|ipport&previewFor=...: the candidate policy's
  // ACL rules that apply to that user (as a source) or ip:port (as a destination).
  core::Result<http::Response> preview(const http::Request& req);
  // GET /device/{id}/packet-filter: {"rules": [FilterRule...]} with the policy's ETag.
  core::Result<http::Response> packetFilter(const std::string& deviceId);
  // POST /access/check {"src","dst","proto"}: policy::toJson(AccessDecision).
  core::Result<http::Response> accessCheck(const http::Request& req);

  // Runs `tests` of `policy` against `nodes`: nullopt when all pass, else the
  // Tailscale failure body {"message":"test(s) failed","data":[{"user","errors"}]}.
  static std::optional<nlohmann::json> runTests(const policy::Policy& policy,
                                                const std::vector<policy::PolicyNode>& nodes);

 private:
  // The current policy compiled over the current devices.
  struct Live {
    std::string etag;
    std::uint64_t generation = 0;               // the store's state generation it reflects
    core::Timestamp evaluatedAt{};              // attributes are as of this time
    std::optional<core::Timestamp> validUntil;  // the next attribute expiry after evaluatedAt
    policy::PolicyEngine engine;
  };
  // Brings live_ up to date with the policy and the store and returns a
  // shared lock under which live_ may be read.
  core::Result<std::shared_lock<std::shared_mutex>> upToDate();
  bool isCurrent(const CurrentPolicy& c, core::Timestamp now) const;  // engineMutex_ held
  void update(const CurrentPolicy& c, core::Timestamp now);           // engineMutex_ held exclusively
  void rebuild(const CurrentPolicy& c, core::Timestamp now);          // engineMutex_ held exclusively

  std::vector<policy::PolicyNode> nodes();
  core::Result<std::shared_ptr<const policy::Policy>> parsed(const std::string& text, const std::string& etag);

  store::CachedStore& store_;
  const core::Clock& clock_;
  core::Counter& fullCompiles_;
  core::Counter& incrementalUpdates_;
  std::string tailnet_;
  std::mutex mutex_;  // guards the parsed-policy cache
  std::string cachedEtag_;
  std::shared_ptr<const policy::Policy> cachedPolicy_;
  std::shared_mutex engineMutex_;
  std::unique_ptr<Live> live_;
};

// The ETag of a policy text (hex SHA-256).
std::string policyETag(std::string_view text);

}  // namespace postured::api
