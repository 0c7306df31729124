#include "integrations/registry.h"

#include "integrations/sentinelone/sentinelone_provider.h"

namespace postured::integrations {

void ProviderRegistry::add(std::unique_ptr<Provider> provider) { providers_.push_back(std::move(provider)); }

const Provider* ProviderRegistry::find(std::string_view id) const {
  for (const auto& p : providers_)
    if (p->id() == id) return p.get();
  return nullptr;
}

std::vector<std::string_view> ProviderRegistry::ids() const {
  std::vector<std::string_view> out;
  for (const auto& p : providers_) out.push_back(p->id());
  return out;
}

void registerBuiltinProviders(ProviderRegistry& registry) {
  registry.add(std::make_unique<sentinelone::SentinelOneProvider>());
}

const std::vector<std::string_view>& tailscaleProviderIds() {
  static const std::vector<std::string_view> kIds = {"falcon", "fleet",   "huntress", "intune",
                                                     "jamfpro", "kandji", "kolide",   "sentinelone"};
  return kIds;
}

}  // namespace postured::integrations
