// MAC addresses of this machine's interfaces, as Tailscale reports them
// (posture/hwaddr.go): every non-loopback interface with a hardware address,
// sorted and deduplicated, lower-case "aa:bb:cc:dd:ee:ff".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postured::identity {

struct HardwareAddrReadout {
  std::vector<std::string> addrs;
  std::vector<std::string> problems;  // e.g. the interface list cannot be read
};

// Reads <sysfsRoot>/class/net/*/address. Skips `lo`, interfaces whose `type`
// is 772 (ARPHRD_LOOPBACK) or whose `flags` have IFF_LOOPBACK, and addresses
// that are empty, malformed or all zero (tunnels such as sit0 and ipip, which
// have no hardware address; Tailscale would list their "00:00:00:00").
HardwareAddrReadout readHardwareAddrs(const std::filesystem::path& sysfsRoot);

// A sysfs `address` file's text: 1 to 32 bytes (Ethernet has 6, InfiniBand
// 20), normalised by core::normaliseHardwareAddress.
std::optional<std::string> normaliseHardwareAddr(std::string_view text);

}  // namespace postured::identity
