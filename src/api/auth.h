// API key authentication and scope checks.
//
// Keys arrive as "Authorization: Bearer KEY" or as HTTP Basic with the key as
// the user name (as Tailscale accepts). Without an Authorization header, a
// console session cookie stands for the key it was signed in with
// (sessions.h); state-changing requests must then carry its CSRF token. Verified keys are cached by hash so
// the hot path does not touch the store; revoke() drops the cache entry.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/sessions.h"
#include "core/api_key.h"
#include "core/audit.h"
#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "store/store.h"

namespace postured::api {

// The authenticated caller of one request.
struct Caller {
  std::shared_ptr<const core::ApiKey> key;  // shared with the cache: no copy per request

  const std::vector<std::string>& scopes() const { return key->scopes; }
  core::AuditActor actor() const;
};

class Authenticator {
 public:
  Authenticator(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  // 401 when no usable key is presented, 403 when it lacks `scope` (an empty
  // scope checks the key only).
  core::Result<Caller> authorize(const http::Request& request, std::string_view scope);
  // Forgets a cached key, after it was revoked.
  void forget(std::string_view keyId);
  // A presented key text that is valid, not revoked and not expired (sign-in).
  core::Result<std::shared_ptr<const core::ApiKey>> verifyKey(std::string_view keyText);
  SessionStore& sessions() { return sessions_; }

 private:
  core::Result<std::shared_ptr<const core::ApiKey>> lookup(std::string_view keyText);
  core::Result<std::shared_ptr<const core::ApiKey>> sessionKey(const http::Request& request);
  core::Result<std::shared_ptr<const core::ApiKey>> usable(core::Result<std::shared_ptr<const core::ApiKey>> key) const;

  store::Store& store_;
  const core::Clock& clock_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const core::ApiKey>> cache_;  // by secret hash
  std::uint64_t generation_ = 0;  // bumped by forget(): a lookup that raced a revocation is not cached
  SessionStore sessions_;
};

// Extracts the key text from an Authorization header value, or "".
std::string keyFromAuthorization(std::string_view header);

}  // namespace postured::api
