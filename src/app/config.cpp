#include "app/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>

#include "core/time.h"
#include "enforce/forward_auth/client_address.h"
#include "http/service_url.h"

namespace postured::app {

using core::ErrorKind;
using core::fail;

std::string ConfigKey::flag() const {
  std::string out = "--" + name;
  for (auto& c : out)
    if (c == '_') c = '-';
  return out;
}

std::string ConfigKey::envVar() const {
  std::string out = "POSTURED_" + name;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<ConfigKey>& serveConfigKeys() {
  static const std::vector<ConfigKey> kKeys = {
      {"listen", "address to serve HTTP on, host:port", "127.0.0.1:8080"},
      {"data_dir", "directory of postured.db, secret.key and admin.key", "./var"},
      {"tailnet", "the tailnet's name; API paths accept it or \"-\"", "example.com"},
      {"log_level", "trace, debug, info, warn or error", "info"},
      {"access_log", "log every request as a JSON line (true/false)", "true"},
      {"threads", "HTTP worker threads; 0 means one per core", "0"},
      {"max_body_bytes", "largest request body accepted by most routes", "1048576"},
      {"read_timeout", "time allowed to receive one request", "30s"},
      {"idle_timeout", "time an idle keep-alive connection stays open", "60s"},
      {"attribute_sweep_interval", "how often expired attributes (and silent ephemeral devices) are removed", "30s"},
      {"ephemeral_timeout", "an ephemeral device is removed after this long without a report", "30m"},
      {"sync_interval", "how often each posture integration syncs (at least 1m; +-10% jitter)", "15m"},
      {"stale_after", "integration attributes are removed after this long without a successful sync", "24h"},
      {"allow_insecure_provider_urls", "accept http:// provider URLs on loopback (tests, emulator, demo)", "false"},
      {"provider_retries", "retries of a provider request that failed transiently", "4"},
      {"provider_retry_delay", "first retry delay, doubled each time, with jitter", "1s"},
      {"headscale_url", "a headscale server to drive: its nodes become devices, it gets the resolved policy", ""},
      {"headscale_api_key_file", "file holding a headscale API key (headscale apikeys create)", ""},
      {"headscale_poll_interval", "how often headscale's nodes are read", "10s"},
      {"trusted_proxies", "CIDRs of the proxies whose X-Forwarded-For / X-Real-IP forward-auth believes",
       "127.0.0.1/32,::1/128"},
      {"forward_auth_log", "forward-auth lines in the access log: off, sampled (one a second) or all", "sampled"},
  };
  return kKeys;
}

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

core::Result<void> applyValue(ServeConfig& c, const std::string& key, const std::string& value,
                              const std::string& source) {
  const auto bad = [&](const std::string& what) {
    return fail(ErrorKind::kInvalidArgument, source + ": " + key + " = \"" + value + "\": " + what, key);
  };
  const auto duration = [&](std::chrono::milliseconds& out) -> core::Result<void> {
    auto d = core::parseDuration(value);
    if (!d || d->count() <= 0) return bad("must be a duration such as 30s, 5m or 1h");
    out = *d;
    return {};
  };
  const auto boolean = [&]() -> std::optional<bool> {
    if (value == "true" || value == "1") return true;
    if (value == "false" || value == "0") return false;
    return std::nullopt;
  };
  const auto integer = [&](long long lo, long long hi) -> std::optional<long long> {
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno != 0 || n < lo || n > hi) return std::nullopt;
    return n;
  };

  if (key == "listen") {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
      return bad("must be host:port, e.g. 127.0.0.1:8080");
    c.listen = value;
  } else if (key == "data_dir") {
    if (value.empty()) return bad("must not be empty");
    c.dataDir = value;
  } else if (key == "tailnet") {
    bool ok = !value.empty() && value.size() <= 253 && value != "-";
    for (char ch : value) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-');
    if (!ok) return bad("must be a domain-like name such as example.com");
    c.tailnet = value;
  } else if (key == "log_level") {
    if (value != "trace" && value != "debug" && value != "info" && value != "warn" && value != "error")
      return bad("must be one of trace, debug, info, warn, error");
    c.logLevel = value;
  } else if (key == "access_log") {
    auto b = boolean();
    if (!b) return bad("must be true or false");
    c.accessLog = *b;
  } else if (key == "allow_insecure_provider_urls") {
    auto b = boolean();
    if (!b) return bad("must be true or false");
    c.allowInsecureProviderUrls = *b;
  } else if (key == "sync_interval") {
    if (auto ok = duration(c.syncInterval); !ok) return ok;
    if (c.syncInterval < std::chrono::minutes(1)) return bad("must be at least 1m");
  } else if (key == "ephemeral_timeout") {
    return duration(c.ephemeralTimeout);
  } else if (key == "stale_after") {
    return duration(c.staleAfter);
  } else if (key == "provider_retries") {
    auto n = integer(0, 20);
    if (!n) return bad("must be a whole number from 0 to 20");
    c.providerRetries = static_cast<int>(*n);
  } else if (key == "provider_retry_delay") {
    return duration(c.providerRetryDelay);
  } else if (key == "threads") {
    auto n = integer(0, 256);
    if (!n) return bad("must be a whole number from 0 to 256");
    c.threads = static_cast<int>(*n);
  } else if (key == "max_body_bytes") {
    auto n = integer(1024, 1LL << 30);
    if (!n) return bad("must be a number of bytes from 1024 to 1073741824");
    c.maxBodyBytes = static_cast<std::size_t>(*n);
  } else if (key == "read_timeout") {
    return duration(c.readTimeout);
  } else if (key == "idle_timeout") {
    return duration(c.idleTimeout);
  } else if (key == "attribute_sweep_interval") {
    return duration(c.attributeSweepInterval);
  } else if (key == "headscale_url") {
    c.headscaleUrl = value;  // checked once every key is known (it depends on allow_insecure_provider_urls)
  } else if (key == "headscale_api_key_file") {
    c.headscaleApiKeyFile = value;
  } else if (key == "headscale_poll_interval") {
    if (auto ok = duration(c.headscalePollInterval); !ok) return ok;
    if (c.headscalePollInterval < std::chrono::seconds(1)) return bad("must be at least 1s");
  } else if (key == "trusted_proxies") {
    std::vector<std::string> entries;
    for (std::size_t start = 0; start <= value.size();) {
      const auto comma = std::min(value.find(',', start), value.size());
      entries.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
    if (value.empty()) entries.clear();  // none: every peer speaks for itself
    auto parsed = enforce::forward_auth::TrustedProxies::parse(entries);
    if (!parsed) return bad(parsed.error().message);
    c.trustedProxies = std::move(entries);
  } else if (key == "forward_auth_log") {
    if (value == "off")
      c.forwardAuthLog = ServeConfig::ForwardAuthLog::kOff;
    else if (value == "sampled")
      c.forwardAuthLog = ServeConfig::ForwardAuthLog::kSampled;
    else if (value == "all")
      c.forwardAuthLog = ServeConfig::ForwardAuthLog::kAll;
    else
      return bad("must be off, sampled or all");
  } else {
    return bad("unknown key");
  }
  return {};
}

// TOML values of any scalar type as text, so that one parser validates all
// sources; a list of strings (trusted_proxies) as its comma-separated form.
std::optional<std::string> scalarText(const toml::node& node) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (const auto* list = node.as_array()) {
    std::string out;
    for (const auto& item : *list) {
      if (!item.is_string() || item.value<std::string>()->find(',') != std::string::npos) return std::nullopt;
      out += (out.empty() ? "" : ",") + *item.value<std::string>();
    }
    return out;
  }
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  return std::nullopt;
}

// headscale_url and headscale_api_key_file go together; the URL follows the
// rules of provider URLs (https, or http on loopback when allowed).
core::Result<void> checkHeadscale(ServeConfig& c) {
  if (c.headscaleUrl.empty()) {
    if (!c.headscaleApiKeyFile.empty())
      return fail(ErrorKind::kInvalidArgument, "headscale_api_key_file is set but headscale_url is not",
                  "headscale_url");
    return {};
  }
  static constexpr http::ServiceUrlRules kRules{"headscale_url", "a headscale server URL", "https://hs.example.com",
                                                "/api/v1", "the API key goes in headscale_api_key_file"};
  auto url = http::normaliseServiceUrl(c.headscaleUrl, c.allowInsecureProviderUrls, kRules);
  if (!url) return tl::unexpected(url.error());
  if (c.headscaleApiKeyFile.empty())
    return fail(ErrorKind::kInvalidArgument,
                "headscale_url is set but headscale_api_key_file is not: create a key with `headscale apikeys "
                "create` and give the file that holds it",
                "headscale_api_key_file");
  c.headscaleUrl = *url;
  return {};
}

}  // namespace

core::Result<ServeConfig> loadServeConfig(const std::optional<std::string>& configFile,
                                          const std::map<std::string, std::string>& flags, const EnvLookup& env) {
  ServeConfig config;
  const auto& keys = serveConfigKeys();
  auto known = [&](const std::string& name) {
    return std::any_of(keys.begin(), keys.end(), [&](const ConfigKey& k) { return k.name == name; });
  };

  if (configFile) {
    toml::table table;
    try {
      table = toml::parse_file(*configFile);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      return fail(ErrorKind::kInvalidArgument, *configFile + ":" + std::to_string(where.line) + ":" +
                                                   std::to_string(where.column) + ": " + std::string(e.description()));
    }
    for (const auto& [name, node] : table) {
      const std::string key(name.str());
      if (!known(key)) return fail(ErrorKind::kInvalidArgument, *configFile + ": unknown key \"" + key + "\"", key);
      auto text = scalarText(node);
      if (!text)
        return fail(ErrorKind::kInvalidArgument, *configFile + ": " + key + " must be a string, number, boolean or list of strings",
                    key);
      if (auto ok = applyValue(config, key, *text, *configFile); !ok) return tl::unexpected(ok.error());
    }
  }
  for (const auto& k : keys)
    if (auto v = env(k.envVar()))
      if (auto ok = applyValue(config, k.name, *v, "environment " + k.envVar()); !ok) return tl::unexpected(ok.error());
  for (const auto& [name, value] : flags) {
    const auto it = std::find_if(keys.begin(), keys.end(), [&](const ConfigKey& k) { return k.name == name; });
    if (auto ok = applyValue(config, name, value, it == keys.end() ? "flag" : "flag " + it->flag()); !ok)
      return tl::unexpected(ok.error());
  }
  if (auto ok = checkHeadscale(config); !ok) return tl::unexpected(ok.error());
  return config;
}

}  // namespace postured::app
