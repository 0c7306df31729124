#include "api/auth.h"

#include <sodium.h>

namespace postured::api {

using core::ErrorKind;
using core::fail;

core::AuditActor Caller::actor() const {
  return core::AuditActor{key->id, "API_KEY", key->id, key->description.empty() ? key->id : key->description};
}

std::string keyFromAuthorization(std::string_view header) {
  auto startsWithIgnoreCase = [](std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
  };
  if (startsWithIgnoreCase(header, "bearer ")) {
    auto key = header.substr(7);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    return std::string(key);
  }
  if (startsWithIgnoreCase(header, "basic ")) {
    const auto encoded = header.substr(6);
    std::string decoded(encoded.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(), encoded.data(),
                          encoded.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
      return {};
    decoded.resize(len);
    return decoded.substr(0, decoded.find(':'));  // the key is the user name; the password is ignored
  }
  return {};
}

core::Result<std::shared_ptr<const core::ApiKey>> Authenticator::lookup(std::string_view keyText) {
  const auto hash = core::hashKeySecret(keyText);
  {
    std::shared_lock lock(mutex_);
    if (auto it = cache_.find(hash); it != cache_.end()) return it->second;
  }
  std::uint64_t generation;
  {
    std::shared_lock lock(mutex_);
    generation = generation_;
  }
  const auto id = core::apiKeyIdOf(keyText);
  if (!id && core::authKeyIdOf(keyText))
    return fail(ErrorKind::kUnauthenticated,
                "this is an auth key, which only enrolls devices (postured enroll); the API needs an API key");
  if (!id) return fail(ErrorKind::kUnauthenticated, "API key is malformed; keys start with \"postured-api-\"");
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  auto key = (*tx)->apiKey(*id);
  if (!key) return tl::unexpected(key.error());
  if (!*key || !core::constantTimeEquals((*key)->secretHash, hash) || (*key)->isAuthKey())
    return fail(ErrorKind::kUnauthenticated, "API key is not valid");
  auto shared = std::make_shared<const core::ApiKey>(std::move(**key));
  std::unique_lock lock(mutex_);
  if (generation == generation_) cache_[hash] = shared;
  return shared;
}

core::Result<std::shared_ptr<const core::ApiKey>> Authenticator::usable(
    core::Result<std::shared_ptr<const core::ApiKey>> key) const {
  if (!key) return key;
  const auto& k = **key;
  if (k.revoked) return fail(ErrorKind::kUnauthenticated, "API key " + k.id + " was revoked");
  if (!k.usableAt(clock_.now()))
    return fail(ErrorKind::kUnauthenticated,
                "API key " + k.id + " expired at " + core::formatRfc3339(k.expires) + "; create a new one");
  return key;
}

core::Result<std::shared_ptr<const core::ApiKey>> Authenticator::verifyKey(std::string_view keyText) {
  return usable(lookup(keyText));
}

core::Result<std::shared_ptr<const core::ApiKey>> Authenticator::sessionKey(const http::Request& request) {
  const auto token = cookieValue(request.header("cookie"), kSessionCookie);
  if (token.empty())
    return fail(
        ErrorKind::kUnauthenticated,
        "API key required: send \"Authorization: Bearer <key>\" (the first key is in the data dir's admin.key)");
  auto session = sessions_.find(token, clock_.now());
  if (!session) return fail(ErrorKind::kUnauthenticated, "your session has ended; sign in again");
  const bool changesState = request.method != "GET" && request.method != "HEAD" && request.method != "OPTIONS";
  if (changesState && !core::constantTimeEquals(request.header(kCsrfHeader), session->csrfToken))
    return fail(ErrorKind::kPermissionDenied,
                "this request lacks its session's " + std::string(kCsrfHeader) + " header; reload the page");
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  auto key = (*tx)->apiKey(session->keyId);
  if (!key) return tl::unexpected(key.error());
  if (!*key) return fail(ErrorKind::kUnauthenticated, "the session's API key no longer exists; sign in again");
  return std::make_shared<const core::ApiKey>(std::move(**key));
}

core::Result<Caller> Authenticator::authorize(const http::Request& request, std::string_view scope) {
  const auto keyText = keyFromAuthorization(request.header("authorization"));
  auto key = usable(keyText.empty() ? sessionKey(request) : lookup(keyText));
  if (!key) return tl::unexpected(key.error());
  const auto& k = **key;
  if (!scope.empty() && !core::scopesGrant(k.scopes, scope))
    return fail(ErrorKind::kPermissionDenied,
                "API key " + k.id + " lacks the scope \"" + std::string(scope) + "\" needed here");
  return Caller{std::move(*key)};
}

void Authenticator::forget(std::string_view keyId) {
  std::unique_lock lock(mutex_);
  ++generation_;
  std::erase_if(cache_, [&](const auto& entry) { return entry.second->id == keyId; });
}

}  // namespace postured::api
