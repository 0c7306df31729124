// Server configuration. Every key can be set, from lowest to highest
// precedence, by its default, the TOML file (--config), the environment
// variable POSTURED_<KEY> and the flag --<key-with-dashes>.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace postured::app {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string dataDir = "./var";
  std::string tailnet = "example.com";
  std::string logLevel = "info";
  bool accessLog = true;
  int threads = 0;
  std::size_t maxBodyBytes = 1 << 20;
  std::chrono::milliseconds readTimeout{30'000};
  std::chrono::milliseconds idleTimeout{60'000};
  std::chrono::milliseconds attributeSweepInterval{30'000};
  // Posture integrations.
  std::chrono::milliseconds syncInterval{15 * 60'000};
  std::chrono::milliseconds staleAfter{24 * 3'600'000};
  std::chrono::milliseconds ephemeralTimeout{30 * 60'000};
  bool allowInsecureProviderUrls = false;
  int providerRetries = 4;
  std::chrono::milliseconds providerRetryDelay{1'000};
  // headscale: its nodes become devices and it receives the policy with
  // postures resolved away. Off while headscaleUrl is empty.
  std::string headscaleUrl;         // normalised origin, e.g. "https://hs.example.com"
  std::string headscaleApiKeyFile;  // a headscale API key (`headscale apikeys create`)
  std::chrono::milliseconds headscalePollInterval{10'000};
  // forward-auth: the peers whose X-Forwarded-For / X-Real-IP are believed,
  // and how much of the endpoint's traffic reaches the access log.
  std::vector<std::string> trustedProxies = {"127.0.0.1/32", "::1/128"};
  enum class ForwardAuthLog { kOff, kSampled, kAll };
  ForwardAuthLog forwardAuthLog = ForwardAuthLog::kSampled;
};

// One configuration key, for flags, help and the README.
struct ConfigKey {
  std::string name;  // TOML key, e.g. "data_dir"
  std::string help;
  std::string defaultText;
  std::string flag() const;    // "--data-dir"
  std::string envVar() const;  // "POSTURED_DATA_DIR"
};
const std::vector<ConfigKey>& serveConfigKeys();

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnvironment();

// Builds the configuration. `flags` maps key names to flag values given on the
// command line. Errors name the key and where its bad value came from.
core::Result<ServeConfig> loadServeConfig(const std::optional<std::string>& configFile,
                                          const std::map<std::string, std::string>& flags, const EnvLookup& env);

}  // namespace postured::app
