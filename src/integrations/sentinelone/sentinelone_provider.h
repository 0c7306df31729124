// SentinelOne: GET {console}/web/api/v2.1/agents with "Authorization: ApiToken
// <token>", cursor paging, parsed with simdjson On-Demand one page at a time.
// cloudId is the console URL; clientSecret is the service user's API token.
#pragma once

#include "integrations/provider.h"

namespace postured::integrations::sentinelone {

class SentinelOneProvider final : public Provider {
 public:
  std::string_view id() const override { return "sentinelone"; }
  std::string_view displayName() const override { return "SentinelOne"; }
  std::string_view attributeNamespace() const override { return "sentinelOne"; }
  const std::vector<AttributeSpec>& attributeSpecs() const override;
  core::Result<ProviderConfig> validateConfig(ProviderConfig config, const ValidationContext& ctx) const override;
  tl::expected<FetchSummary, FetchError> fetchHosts(const ProviderConfig& config, const FetchContext& ctx,
                                                    const PageSink& sink) const override;
};

}  // namespace postured::integrations::sentinelone
