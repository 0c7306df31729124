// The static half of SentinelOneProvider: what it writes and which
// configurations it accepts.
#include "integrations/sentinelone/api_token.h"
#include "integrations/sentinelone/attributes.h"
#include "integrations/sentinelone/console_url.h"
#include "integrations/sentinelone/sentinelone_provider.h"

namespace postured::integrations::sentinelone {

const std::vector<AttributeSpec>& SentinelOneProvider::attributeSpecs() const {
  using core::AttributeType;
  static const std::vector<AttributeSpec> kSpecs = {
      {std::string(kIsActiveKey), AttributeType::kBool},
      {std::string(kAgentVersionKey), AttributeType::kString},
      {std::string(kActiveThreatsKey), AttributeType::kNumber},
      {std::string(kInfectedKey), AttributeType::kBool},
      {std::string(kFirewallEnabledKey), AttributeType::kBool},
      {std::string(kEncryptedApplicationsKey), AttributeType::kBool},
      {std::string(kOperationalStateKey), AttributeType::kString},
  };
  return kSpecs;
}

core::Result<ProviderConfig> SentinelOneProvider::validateConfig(ProviderConfig config,
                                                                 const ValidationContext& ctx) const {
  auto url = normaliseConsoleUrl(config.cloudId, ctx.allowInsecureUrls);
  if (!url) return tl::unexpected(std::move(url.error()));
  config.cloudId = std::move(*url);
  if (auto token = validateApiToken(config.clientSecret); !token) return tl::unexpected(std::move(token.error()));
  // SentinelOne authenticates with the token alone; a value here is a
  // configuration meant for another provider (Intune, Falcon, ...).
  if (!config.clientId.empty())
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "clientId is not used by SentinelOne (the API token in clientSecret is enough); leave it empty",
                      "clientId");
  if (!config.tenantId.empty())
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "tenantId is not used by SentinelOne (the console URL in cloudId identifies it); leave it empty",
                      "tenantId");
  return config;
}

}  // namespace postured::integrations::sentinelone
