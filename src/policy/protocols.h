// IP protocols as ACLs (`proto`) and grants (`ip: ["tcp:22"]`) name them, and
// the IANA numbers that end up in a FilterRule's IPProto.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"

namespace postured::policy {

// A name (case-insensitive: "tcp", "udp", "icmp", "ipv6-icmp", "sctp", "gre",
// "esp", "ah", "igmp", "ipv4"/"ip-in-ip", "egp", "igp") or a number 1-255
// without leading zeros. The empty string means "not restricted" and yields no
// numbers: Tailscale then omits IPProto, which nodes read as TCP, UDP and ICMP.
core::Result<std::vector<int>> parseProtocol(std::string_view text);

// Protocols whose packets carry ports; a port restriction on others is rejected.
bool protocolHasPorts(const std::vector<int>& numbers);

}  // namespace postured::policy
