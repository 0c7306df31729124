#include "core/api_key.h"

#include <sodium.h>

#include <algorithm>

#include "core/random.h"
#include "core/sha256.h"

namespace postured::core {

const std::vector<std::string_view>& knownScopes() {
  static const std::vector<std::string_view> kScopes = {
      "all",
      "devices:core",
      "devices:core:read",
      "devices:posture_attributes",
      "devices:posture_attributes:read",
      "feature_settings",
      "feature_settings:read",
      "policy_file",
      "policy_file:read",
      "logs:configuration:read",
      "auth_keys",
      "auth_keys:read",
  };
  return kScopes;
}

bool isKnownScope(std::string_view scope) {
  const auto& all = knownScopes();
  return std::find(all.begin(), all.end(), scope) != all.end();
}

bool scopesGrant(const std::vector<std::string>& held, std::string_view needed) {
  constexpr std::string_view kRead = ":read";
  for (const auto& scope : held) {
    if (scope == "all" || scope == needed) return true;
    // "x" grants "x:read".
    if (needed.size() > kRead.size() && needed.substr(needed.size() - kRead.size()) == kRead &&
        needed.substr(0, needed.size() - kRead.size()) == scope)
      return true;
  }
  return false;
}

std::string hashKeySecret(std::string_view keyText) { return sha256Hex(keyText); }

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

NewApiKey generateKey(std::string_view prefix, std::string description, Timestamp now, Timestamp expires) {
  NewApiKey out;
  out.record.id = "k" + randomAlphanumeric(12);
  // 43 alphanumerics carry more than 256 bits of entropy.
  out.secret = std::string(prefix) + out.record.id + "-" + randomAlphanumeric(43);
  out.record.secretHash = hashKeySecret(out.secret);
  out.record.description = std::move(description);
  out.record.created = now;
  out.record.expires = expires;
  return out;
}

std::optional<std::string> keyIdOf(std::string_view prefix, std::string_view keyText) {
  if (keyText.substr(0, prefix.size()) != prefix) return std::nullopt;
  const auto rest = keyText.substr(prefix.size());
  const auto dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= rest.size()) return std::nullopt;
  return std::string(rest.substr(0, dash));
}

}  // namespace

NewApiKey generateApiKey(std::string description, std::vector<std::string> scopes, Timestamp now, Timestamp expires) {
  NewApiKey out = generateKey(kApiKeyPrefix, std::move(description), now, expires);
  out.record.scopes = std::move(scopes);
  return out;
}

NewApiKey generateAuthKey(std::string description, AuthKeyCapabilities capabilities, Timestamp now, Timestamp expires) {
  NewApiKey out = generateKey(kAuthKeyPrefix, std::move(description), now, expires);
  out.record.keyType = "auth";
  out.record.capabilities = std::move(capabilities);
  return out;
}

std::optional<std::string> apiKeyIdOf(std::string_view keyText) { return keyIdOf(kApiKeyPrefix, keyText); }
std::optional<std::string> authKeyIdOf(std::string_view keyText) { return keyIdOf(kAuthKeyPrefix, keyText); }

}  // namespace postured::core
