// The posture attributes SentinelOne agents fill, named as Tailscale names
// them, and how a page's values map onto them.
#pragma once

#include <string_view>

namespace postured::integrations::sentinelone {

inline constexpr std::string_view kIsActiveKey = "sentinelOne:isActive";
inline constexpr std::string_view kAgentVersionKey = "sentinelOne:agentVersion";
inline constexpr std::string_view kActiveThreatsKey = "sentinelOne:activeThreats";
inline constexpr std::string_view kInfectedKey = "sentinelOne:infected";
inline constexpr std::string_view kFirewallEnabledKey = "sentinelOne:firewallEnabled";
inline constexpr std::string_view kEncryptedApplicationsKey = "sentinelOne:encryptedApplications";
inline constexpr std::string_view kOperationalStateKey = "sentinelOne:operationalState";

}  // namespace postured::integrations::sentinelone
