// API keys: a readable prefix, an id and a random secret. Only a hash of the
// full key is ever stored. Scopes follow Tailscale's names; a write scope
// implies its ":read" form and "all" implies everything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace postured::core {

inline constexpr std::string_view kApiKeyPrefix = "postured-api-";
inline constexpr std::string_view kAuthKeyPrefix = "postured-auth-";

// What an auth key lets an enrolling device be.
struct AuthKeyCapabilities {
  bool reusable = false;          // else one-off: spent by its first enrollment
  bool ephemeral = false;         // its devices are removed once they stop reporting
  bool preauthorized = false;     // recorded for Tailscale compatibility; devices here need no approval
  std::vector<std::string> tags;  // its devices are tagged devices with these tags
  std::string user;               // or owned by this login (ours: there are no user accounts)
};

struct ApiKey {
  std::string id;          // "k" + random; also embedded in the secret
  std::string secretHash;  // hex SHA-256 of the full key text
  std::string keyType = "api";
  std::string description;
  std::vector<std::string> scopes;
  Timestamp created{};
  Timestamp expires{};
  std::optional<Timestamp> revoked;
  AuthKeyCapabilities capabilities;  // auth keys only
  std::optional<Timestamp> used;     // auth keys: the first enrollment

  bool usableAt(Timestamp now) const { return !revoked && now < expires; }
  bool isAuthKey() const { return keyType == "auth"; }
  bool spent() const { return isAuthKey() && !capabilities.reusable && used.has_value(); }
};

// The full list of scopes a key may carry.
const std::vector<std::string_view>& knownScopes();
bool isKnownScope(std::string_view scope);
// True when a key holding `held` may perform an operation requiring `needed`.
bool scopesGrant(const std::vector<std::string>& held, std::string_view needed);

struct NewApiKey {
  ApiKey record;
  std::string secret;  // the full key text, shown to the user exactly once
};

// Generates a fresh key (random id and 32-byte secret) and its hash.
NewApiKey generateApiKey(std::string description, std::vector<std::string> scopes, Timestamp now, Timestamp expires);
// A fresh auth key: as generateApiKey, with keyType "auth" and the auth prefix.
NewApiKey generateAuthKey(std::string description, AuthKeyCapabilities capabilities, Timestamp now, Timestamp expires);
// Extracts the id from a presented key text, or nullopt when it is malformed.
std::optional<std::string> apiKeyIdOf(std::string_view keyText);
std::optional<std::string> authKeyIdOf(std::string_view keyText);
std::string hashKeySecret(std::string_view keyText);
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace postured::core
