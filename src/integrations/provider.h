// The contract between the sync engine and one posture provider (an EDR or
// MDM product). A provider knows how to validate its configuration and how
// to stream the hosts its API knows, page by page; it knows nothing of
// devices, matching or the store.
//
// Implementations are stateless and thread-safe: one Provider object serves
// every integration of its kind, each fetch on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/attribute.h"
#include "core/result.h"
#include "core/time.h"

namespace postured::integrations {

// An attribute the provider writes, e.g. {"sentinelOne:infected", kBool}.
struct AttributeSpec {
  std::string key;
  core::AttributeType type;
};

// Credentials and location, in Tailscale's PostureIntegration fields. What
// each field means is the provider's business (SentinelOne: cloudId is the
// console URL, clientSecret the API token).
struct ProviderConfig {
  std::string cloudId;
  std::string clientId;
  std::string tenantId;
  std::string clientSecret;
};

struct ValidationContext {
  // Plain http:// accepted for loopback addresses only when set (tests, the
  // emulator and the demo); https is required otherwise.
  bool allowInsecureUrls = false;
};

// One host as the provider reports it.
struct ProviderHost {
  std::string providerId;                  // the provider's own id (SentinelOne: agent id)
  std::string name;                        // for messages (computer name)
  std::vector<std::string> serialNumbers;  // as reported, trimmed; normalisation is the matcher's
  std::vector<std::string> macAddresses;   // lower-case aa:bb:cc:dd:ee:ff
  std::optional<core::Timestamp> lastActive;
  bool matchable = true;  // false for decommissioned or uninstalled agents: they match nothing
  // Keys from attributeSpecs(), in the form a device holds them (no expiry;
  // the sync sets `updated`), so that a sync moves them into the store as they are.
  std::vector<core::DeviceAttribute> attributes;
};

// Why a fetch ended without all hosts.
enum class FetchErrorKind {
  kAuthentication,  // 401/403: credentials refused; the engine pauses the integration
  kConfiguration,   // other 4xx, a bad URL: an operator must change the configuration
  kProvider,        // malformed response
  kTransient,       // 5xx, timeouts, resets, 429 after the retry budget was spent
  kCancelled,       // FetchContext::cancelled was set
};

struct FetchError {
  FetchErrorKind kind = FetchErrorKind::kProvider;
  std::string message;  // one readable line, with the provider's own error title and code
};

struct FetchContext {
  const std::atomic<bool>* cancelled = nullptr;  // checked between pages and while waiting
  bool allowInsecureUrls = false;
  int maxRetries = 4;                                // per page, for transient failures and 429s
  std::chrono::milliseconds retryBaseDelay{1000};    // doubled each attempt, with jitter
  std::chrono::milliseconds maxRetryAfter{300'000};  // a longer Retry-After fails the run instead
  std::chrono::milliseconds connectTimeout{10'000};
  std::chrono::milliseconds requestTimeout{120'000};
};

struct FetchSummary {
  std::size_t hosts = 0;
  std::size_t pages = 0;
  std::size_t requests = 0;  // including retries
};

// Receives each page's hosts. The sink may move from them what it keeps; the
// provider refills the vector and its hosts with the next page, so that
// hosts cost no allocations of their own.
using PageSink = std::function<void(std::vector<ProviderHost>& page)>;

class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::string_view id() const = 0;                  // "sentinelone"
  virtual std::string_view displayName() const = 0;         // "SentinelOne"
  virtual std::string_view attributeNamespace() const = 0;  // "sentinelOne"
  virtual const std::vector<AttributeSpec>& attributeSpecs() const = 0;

  // Checks and normalises a configuration (e.g. the console URL to
  // "https://host"). Errors are kInvalidArgument with `field` set to the
  // Tailscale field name (cloudId, clientSecret, ...).
  virtual core::Result<ProviderConfig> validateConfig(ProviderConfig config, const ValidationContext& ctx) const = 0;

  // Fetches every host, calling `sink` once per page, retrying transient
  // failures per the context. Either every page was delivered (returns the
  // summary) or the error says why not; the engine discards partial results.
  virtual tl::expected<FetchSummary, FetchError> fetchHosts(const ProviderConfig& config, const FetchContext& ctx,
                                                            const PageSink& sink) const = 0;
};

}  // namespace postured::integrations
