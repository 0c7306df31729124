#include "policy/protocols.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

namespace postured::policy {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 13> kNamedProtocols{{
    {"icmp", 1},
    {"igmp", 2},
    {"ipv4", 4},
    {"ip-in-ip", 4},
    {"tcp", 6},
    {"egp", 8},
    {"igp", 9},
    {"udp", 17},
    {"gre", 47},
    {"esp", 50},
    {"ah", 51},
    {"ipv6-icmp", 58},
    {"sctp", 132},
}};

}  // namespace

core::Result<std::vector<int>> parseProtocol(std::string_view text) {
  if (text.empty()) return std::vector<int>{};
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& [name, number] : kNamedProtocols)
    if (lower == name) return std::vector<int>{number};
  if (lower == "*")
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "proto name \"*\" not known; use protocol number 0-255 or protocol name (icmp, tcp, udp, etc.)");
  int number = -1;
  auto [ptr, ec] = std::from_chars(lower.data(), lower.data() + lower.size(), number);
  const bool numeric = ec == std::errc() && ptr == lower.data() + lower.size();
  if (!numeric || number < 1 || number > 255 || lower[0] == '0')
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "proto name \"" + std::string(text) +
                          "\" not known; use protocol number 1-255 or protocol name (icmp, tcp, udp, etc.)");
  return std::vector<int>{number};
}

bool protocolHasPorts(const std::vector<int>& numbers) {
  if (numbers.empty()) return true;
  return std::all_of(numbers.begin(), numbers.end(), [](int n) { return n == 6 || n == 17 || n == 132; });
}

}  // namespace postured::policy
