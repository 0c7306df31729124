#include "enforce/forward_auth/client_address.h"

#include <algorithm>

namespace postured::enforce::forward_auth {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ::ffff:a.b.c.d is how a dual-stack socket shows an IPv4 peer.
policy::IpAddress unmapped(policy::IpAddress a) {
  constexpr policy::Uint128 kMappedPrefix = static_cast<policy::Uint128>(0xffff) << 32;
  if (a.v6 && (a.value >> 32) == (kMappedPrefix >> 32))
    return policy::IpAddress::v4(static_cast<std::uint32_t>(a.value & 0xffffffffu));
  return a;
}

core::Error badHeader(std::string_view header, std::string_view value) {
  return core::Error{core::ErrorKind::kInvalidArgument,
                     std::string(header) + ": \"" + std::string(value.substr(0, 64)) + "\" is not an IP address",
                     std::string(header)};
}

}  // namespace

std::optional<policy::IpAddress> parseHostAddress(std::string_view text) {
  text = trim(text);
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    text = text.substr(0, text.find(':'));  // IPv4 with a port
  }
  auto ip = policy::IpAddress::parse(text);
  if (!ip) return std::nullopt;
  return unmapped(*ip);
}

core::Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto prefix = policy::IpPrefix::parse(trim(entries[i]));
    if (!prefix)
      return core::fail(core::ErrorKind::kInvalidArgument,
                        "\"" + entries[i] + "\" is not an IP address or CIDR (such as 10.0.0.0/8)",
                        "trusted_proxies[" + std::to_string(i) + "]");
    out.set_.add(*prefix);
  }
  return out;
}

TrustedProxies TrustedProxies::loopback() { return *parse({"127.0.0.1/32", "::1/128"}); }

core::Result<ClientAddress> clientAddress(const http::Request& request, const TrustedProxies& trusted) {
  auto peer = parseHostAddress(request.remoteAddress);
  if (!peer) return tl::unexpected(badHeader("peer address", request.remoteAddress));
  if (!trusted.contains(*peer)) return ClientAddress{*peer, "peer"};

  std::vector<std::string_view> hops;
  for (const auto& [name, value] : request.headers) {
    if (name != "x-forwarded-for") continue;
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      hops.push_back(trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (!hops.empty()) {
    std::optional<policy::IpAddress> leftmost;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
      auto hop = parseHostAddress(*it);
      if (!hop) return tl::unexpected(badHeader("X-Forwarded-For", *it));
      if (!trusted.contains(*hop)) return ClientAddress{*hop, "X-Forwarded-For"};
      leftmost = hop;
    }
    return ClientAddress{*leftmost, "X-Forwarded-For"};  // every hop is a trusted proxy
  }
  if (const auto realIp = request.header("x-real-ip"); !realIp.empty()) {
    auto ip = parseHostAddress(realIp);
    if (!ip) return tl::unexpected(badHeader("X-Real-IP", realIp));
    return ClientAddress{*ip, "X-Real-IP"};
  }
  return ClientAddress{*peer, "peer"};
}

}  // namespace postured::enforce::forward_auth
