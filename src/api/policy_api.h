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
// Packet filters and access checks are served by the LivePolicy shared with
// the enforcers (enforce/live_policy.h), which keeps the compiled policy
// current without reading the database. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/auth.h"
#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "enforce/live_policy.h"
#include "policy/policy_model.h"
#include "store/cached_store.h"

namespace postured::api {

using enforce::CurrentPolicy;
using enforce::kDefaultPolicyText;
using enforce::policyETag;
// The If-Match value that names the untouched default policy.
inline constexpr std::string_view kDefaultPolicyETag = "ts-default";

class PolicyApi {
 public:
  PolicyApi(store::CachedStore& store, const core::Clock& clock, enforce::LivePolicy& live, std::string tailnet);

  core::Result<CurrentPolicy> current() { return live_.current(); }

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
  store::CachedStore& store_;
  const core::Clock& clock_;
  enforce::LivePolicy& live_;
  std::string tailnet_;
};

}  // namespace postured::api
