// The providers this build knows, by id. Registration is explicit (no static
// self-registration, which static libraries silently drop).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "integrations/provider.h"

namespace postured::integrations {

class ProviderRegistry {
 public:
  void add(std::unique_ptr<Provider> provider);
  const Provider* find(std::string_view id) const;  // null when unknown
  std::vector<std::string_view> ids() const;

 private:
  std::vector<std::unique_ptr<Provider>> providers_;
};

// Adds every provider built into postured (SentinelOne today).
void registerBuiltinProviders(ProviderRegistry& registry);

// Tailscale's provider ids, including those this build cannot sync yet.
const std::vector<std::string_view>& tailscaleProviderIds();

}  // namespace postured::integrations
