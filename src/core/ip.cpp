#include "core/ip.h"

#include <arpa/inet.h>

#include <cstdio>

namespace postured::core {

std::optional<std::uint32_t> parseIpv4(std::string_view text) {
  std::uint32_t out = 0;
  int parts = 0;
  std::size_t pos = 0;
  while (parts < 4) {
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') return std::nullopt;
    std::uint32_t octet = 0;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      octet = octet * 10 + static_cast<std::uint32_t>(text[pos] - '0');
      if (octet > 255 || pos - start >= 3) return std::nullopt;
      ++pos;
    }
    if (pos - start > 1 && text[start] == '0') return std::nullopt;  // no leading zeros
    out = (out << 8) | octet;
    ++parts;
    if (parts < 4) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

std::string formatIpv4(std::uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

std::optional<Ipv6Bytes> parseIpv6(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  Ipv6Bytes out{};
  if (inet_pton(AF_INET6, copy.c_str(), out.data()) != 1) return std::nullopt;
  return out;
}

std::string formatIpv6(const Ipv6Bytes& addr) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, addr.data(), buf, sizeof buf);
  return buf;
}

bool inTailnetIpv4Range(std::uint32_t addr) { return (addr & 0xFFC00000u) == kTailnetIpv4Base; }

bool inTailnetIpv6Range(const Ipv6Bytes& a) {
  return a[0] == 0xfd && a[1] == 0x7a && a[2] == 0x11 && a[3] == 0x5c && a[4] == 0xa1 && a[5] == 0xe0;
}

bool isReservedTailnetIpv4(std::uint32_t a) {
  const std::uint32_t offset = a - kTailnetIpv4Base;
  if (offset == 0 || offset == kTailnetIpv4Size - 1) return true;  // network and broadcast forms
  if (a == 0x64646464u) return true;                               // 100.100.100.100, Tailscale's service IP
  return (a & 0xFFFFFE00u) == 0x64735C00u;                         // 100.115.92.0/23, ChromeOS
}

AddressAllocator::AddressAllocator(std::unordered_set<std::string> usedIpv4,
                                   std::unordered_set<std::string> usedIpv6, std::uint32_t lastIpv4)
    : used4_(std::move(usedIpv4)), used6_(std::move(usedIpv6)), last_(lastIpv4) {
  if (!inTailnetIpv4Range(last_)) last_ = kTailnetIpv4Base;
}

Result<void> AddressAllocator::claimIpv4(const std::string& canonical, const std::string& field) {
  if (!used4_.insert(canonical).second)
    return fail(ErrorKind::kConflict, "address " + canonical + " is already used by another device", field);
  return {};
}

Result<void> AddressAllocator::claimIpv6(const std::string& canonical, const std::string& field) {
  if (!used6_.insert(canonical).second)
    return fail(ErrorKind::kConflict, "address " + canonical + " is already used by another device", field);
  return {};
}

Result<std::string> AddressAllocator::nextIpv4() {
  for (std::uint32_t step = 1; step <= kTailnetIpv4Size; ++step) {
    const std::uint32_t candidate = kTailnetIpv4Base + ((last_ - kTailnetIpv4Base + step) % kTailnetIpv4Size);
    if (isReservedTailnetIpv4(candidate)) continue;
    auto text = formatIpv4(candidate);
    if (used4_.insert(text).second) {
      last_ = candidate;
      return text;
    }
  }
  return fail(ErrorKind::kConflict, "the tailnet's IPv4 range 100.64.0.0/10 is exhausted");
}

Result<std::string> AddressAllocator::nextIpv6(const std::string& ipv4) {
  Ipv6Bytes addr{0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0};
  auto fillLow = [&addr](std::uint32_t low) {
    addr[12] = static_cast<std::uint8_t>(low >> 24);
    addr[13] = static_cast<std::uint8_t>(low >> 16);
    addr[14] = static_cast<std::uint8_t>(low >> 8);
    addr[15] = static_cast<std::uint8_t>(low);
  };
  const auto v4 = parseIpv4(ipv4);
  std::uint32_t low = v4 && inTailnetIpv4Range(*v4) ? *v4 - kTailnetIpv4Base : 1;
  for (std::uint32_t tries = 0; tries < kTailnetIpv4Size; ++tries, ++low) {
    if (low == 0) continue;
    fillLow(low);
    auto text = formatIpv6(addr);
    if (used6_.insert(text).second) return text;
  }
  return fail(ErrorKind::kConflict, "no free IPv6 address left in fd7a:115c:a1e0::/48");
}

}  // namespace postured::core
