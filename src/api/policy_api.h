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
// Devices come from the CachedStore (policy_nodes.h). Filters are compiled on
// demand and the compiler is kept until the policy (ETag) or any device or
// attribute (CachedStore::stateGeneration) changes, or an attribute expires.
// The parsed policy is cached by ETag. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "policy/filter_compiler.h"
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
  PolicyApi(store::CachedStore& store, const core::Clock& clock, std::string tailnet);

  core::Result<CurrentPolicy> current();

  // GET /acl: JSON, or the saved text with Accept: application/hujson; ETag header.
  core::Result<http::Response> get(const http::Request& req);
  // POST /acl: 200 with the saved policy (format by Accept) and its ETag;
  // 400 for a bad policy or failing tests, 412 for a stale If-Match.
  core::Result<http::Response> set(const http::Request& req, const Caller& caller);
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
  struct Compiled {
    std::string etag;
    std::uint64_t generation = 0;
    std::optional<core::Timestamp> validUntil;  // the next attribute expiry
    std::shared_ptr<const policy::Policy> policy;
    std::unique_ptr<policy::FilterCompiler> compiler;  // refers to *policy
  };

  std::vector<policy::PolicyNode> nodes();
  core::Result<std::shared_ptr<const Compiled>> compiled();
  core::Result<std::shared_ptr<const policy::Policy>> parsed(const std::string& text, const std::string& etag);

  store::CachedStore& store_;
  const core::Clock& clock_;
  std::string tailnet_;
  std::mutex mutex_;
  std::string cachedEtag_;
  std::shared_ptr<const policy::Policy> cachedPolicy_;
  std::shared_ptr<const Compiled> compiled_;
};

// The ETag of a policy text (hex SHA-256).
std::string policyETag(std::string_view text);

}  // namespace postured::api
