// Tailnet addresses: parsing, canonical text, and allocation of a device's
// IPv4 (100.64.0.0/10) and IPv6 (fd7a:115c:a1e0::/48) addresses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/result.h"

namespace postured::core {

using Ipv6Bytes = std::array<std::uint8_t, 16>;

std::optional<std::uint32_t> parseIpv4(std::string_view text);
std::string formatIpv4(std::uint32_t addr);
std::optional<Ipv6Bytes> parseIpv6(std::string_view text);
std::string formatIpv6(const Ipv6Bytes& addr);  // RFC 5952 canonical form

bool inTailnetIpv4Range(std::uint32_t addr);      // 100.64.0.0/10
// Addresses no device may hold: the range's first and last, Tailscale's
// service address 100.100.100.100 and ChromeOS's 100.115.92.0/23.
bool isReservedTailnetIpv4(std::uint32_t addr);
bool inTailnetIpv6Range(const Ipv6Bytes& addr);   // fd7a:115c:a1e0::/48

// Hands out unused addresses. Seeded with the addresses in use and a hint (the
// last address handed out), it walks forward and wraps, so a deleted device's
// address is reused only after the rest of the range; the reserved service
// addresses (100.100.100.100, 100.115.92.0/23) are never handed out.
// Not thread-safe: use inside one write transaction.
class AddressAllocator {
 public:
  AddressAllocator(std::unordered_set<std::string> usedIpv4, std::unordered_set<std::string> usedIpv6,
                   std::uint32_t lastIpv4);

  // Marks caller-chosen addresses as taken; fails if already in use.
  Result<void> claimIpv4(const std::string& canonical, const std::string& field);
  Result<void> claimIpv6(const std::string& canonical, const std::string& field);
  Result<std::string> nextIpv4();
  // The IPv6 address is derived from the IPv4 one when that is free, which
  // keeps the pair readable (100.64.0.7 <-> fd7a:115c:a1e0::7).
  Result<std::string> nextIpv6(const std::string& ipv4);

  std::uint32_t lastIpv4() const { return last_; }

 private:
  std::unordered_set<std::string> used4_;
  std::unordered_set<std::string> used6_;
  std::uint32_t last_;
};

inline constexpr std::uint32_t kTailnetIpv4Base = 0x64400000;  // 100.64.0.0
inline constexpr std::uint32_t kTailnetIpv4Size = 1u << 22;    // /10

}  // namespace postured::core
