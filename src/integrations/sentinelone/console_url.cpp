#include "integrations/sentinelone/console_url.h"

#include "http/service_url.h"

namespace postured::integrations::sentinelone {

core::Result<std::string> normaliseConsoleUrl(std::string_view input, bool allowInsecureUrls) {
  static constexpr http::ServiceUrlRules kRules{"cloudId", "a SentinelOne console URL",
                                                "https://acme.sentinelone.net", "/web/api/v2.1/agents",
                                                "the API token goes in clientSecret"};
  return http::normaliseServiceUrl(input, allowInsecureUrls, kRules);
}

}  // namespace postured::integrations::sentinelone
