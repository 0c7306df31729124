#include "api/sessions.h"

#include <iterator>

#include "core/api_key.h"
#include "core/random.h"

namespace postured::api {

NewSession SessionStore::create(std::string keyId, core::Timestamp expires, core::Timestamp now) {
  NewSession out;
  out.token = core::randomAlphanumeric(43);  // > 256 bits
  out.session = Session{std::move(keyId), core::randomAlphanumeric(43), expires};
  std::lock_guard lock(mutex_);
  if (byTokenHash_.size() >= kMaxSessions) {
    std::erase_if(byTokenHash_, [&](const auto& entry) { return entry.second.expires <= now; });
    if (byTokenHash_.size() >= kMaxSessions) byTokenHash_.erase(byTokenHash_.begin());  // bounded, whatever comes
  }
  byTokenHash_[core::hashKeySecret(out.token)] = out.session;
  return out;
}

std::optional<Session> SessionStore::find(std::string_view token, core::Timestamp now) {
  if (token.empty()) return std::nullopt;
  const auto hash = core::hashKeySecret(token);
  std::lock_guard lock(mutex_);
  auto it = byTokenHash_.find(hash);
  if (it == byTokenHash_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    byTokenHash_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::remove(std::string_view token) {
  const auto hash = core::hashKeySecret(token);
  std::lock_guard lock(mutex_);
  byTokenHash_.erase(hash);
}

std::string_view cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    auto pair = header.substr(0, semicolon);
    header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

}  // namespace postured::api
