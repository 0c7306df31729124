// Console sign-in sessions: an API key exchanged for a random session token
// carried in an HttpOnly, SameSite=Strict cookie, plus a CSRF token the page
// must echo in X-CSRF-Token on every state-changing request.
//
// Sessions live in memory: a restart signs everyone out, which is the safe
// direction. A session acts with its API key's scopes and ends early when the
// key is revoked or expires (the key is checked on every request). Only a
// hash of the session token is kept. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace postured::api {

inline constexpr std::string_view kSessionCookie = "postured_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
inline constexpr std::chrono::hours kSessionLifetime{12};

struct Session {
  std::string keyId;
  std::string csrfToken;
  core::Timestamp expires{};
};

struct NewSession {
  std::string token;  // the cookie's value, known only to the browser
  Session session;
};

class SessionStore {
 public:
  NewSession create(std::string keyId, core::Timestamp expires, core::Timestamp now);
  // The live session for a cookie value, if any.
  std::optional<Session> find(std::string_view token, core::Timestamp now);
  void remove(std::string_view token);

 private:
  static constexpr std::size_t kMaxSessions = 10000;
  std::mutex mutex_;
  std::unordered_map<std::string, Session> byTokenHash_;
};

// The value of cookie `name` in a Cookie header, or "".
std::string_view cookieValue(std::string_view cookieHeader, std::string_view name);

}  // namespace postured::api
