#include "policy/destination.h"

#include <algorithm>
#include <charconv>

namespace postured::policy {

namespace {

core::Error badDestination(std::string_view text, const std::string& problem) {
  return core::Error{core::ErrorKind::kInvalidArgument, "dst \"" + std::string(text) + "\": " + problem, "dst"};
}

core::Result<std::uint16_t> parsePort(std::string_view whole, std::string_view p) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || value > 65535)
    return tl::unexpected(badDestination(whole, "\"" + std::string(p) + "\" is not a port (0-65535)"));
  return static_cast<std::uint16_t>(value);
}

}  // namespace

core::Result<DestinationText> parseDestination(std::string_view text) {
  if (text.empty())
    return core::fail(core::ErrorKind::kInvalidArgument, "dst is empty: give a device, tag, host or IP, and a port",
                      "dst");
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || (close + 1 < text.size() && text[close + 1] != ':'))
      return tl::unexpected(badDestination(text, "expected [IPv6]:PORT"));
    DestinationText out{std::string(text.substr(1, close - 1)), std::nullopt};
    if (close + 1 < text.size()) {
      auto p = parsePort(text, text.substr(close + 2));
      if (!p) return tl::unexpected(p.error());
      out.port = *p;
    }
    return out;
  }
  if (IpAddress::parse(text)) return DestinationText{std::string(text), std::nullopt};  // includes bare IPv6
  const auto colon = text.rfind(':');
  // "tag:wiki" is a host without a port; "tag:wiki:443" has one.
  const bool tagOnly = text.starts_with("tag:") && colon == 3;
  if (colon == std::string_view::npos || tagOnly) return DestinationText{std::string(text), std::nullopt};
  auto p = parsePort(text, text.substr(colon + 1));
  if (!p) return tl::unexpected(p.error());
  return DestinationText{std::string(text.substr(0, colon)), *p};
}

std::size_t NodeDirectory::AddressHash::operator()(const IpAddress& a) const {
  const auto low = static_cast<std::uint64_t>(a.value), high = static_cast<std::uint64_t>(a.value >> 64);
  return std::hash<std::uint64_t>()(low ^ (high * 0x9e3779b97f4a7c15ull) ^ (a.v6 ? 1 : 0));
}

NodeDirectory::NodeDirectory(const std::vector<PolicyNode>& nodes) : nodes_(nodes) {
  byName_.reserve(nodes.size());
  byAddress_.reserve(nodes.size() * 2);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    byName_.emplace(n.name, i);  // emplace keeps the first of duplicates, as a walk in order would
    byHostname_.emplace(n.hostname, i);
    if (n.ipv4) byAddress_.emplace(*n.ipv4, i);
    if (n.ipv6) byAddress_.emplace(*n.ipv6, i);
    for (const auto& t : n.tags) byTag_[t].push_back(i);
    if (!n.approvedRoutes.empty()) routers_.push_back(i);
  }
}

std::optional<std::size_t> NodeDirectory::find(std::string_view name) const {
  if (auto it = byName_.find(name); it != byName_.end()) return it->second;
  if (auto it = byHostname_.find(name); it != byHostname_.end()) return it->second;
  if (auto ip = IpAddress::parse(name)) return holding(*ip);
  return std::nullopt;
}

std::optional<std::size_t> NodeDirectory::holding(const IpAddress& address) const {
  if (auto it = byAddress_.find(address); it != byAddress_.end()) return it->second;
  return std::nullopt;
}

DestinationCandidate NodeDirectory::reach(std::size_t node, const PolicyNode* source) const {
  const PolicyNode& n = nodes_[node];
  const bool v4 = n.ipv4 && (!source || source->ipv4 || !n.ipv6);
  return DestinationCandidate{node, v4 ? *n.ipv4 : *n.ipv6};
}

ResolvedDestination NodeDirectory::toAddress(const IpAddress& ip) const {
  ResolvedDestination out;
  if (auto holder = holding(ip)) {
    out.candidates.push_back({*holder, ip});
    return out;
  }
  for (auto r : routers_)
    for (const auto& route : nodes_[r].subnetRoutes())
      if (route.contains(ip)) {
        out.candidates.push_back({r, ip});
        break;
      }
  if (out.candidates.empty() && internetAddresses().contains(ip))
    for (auto r : routers_)
      if (!nodes_[r].exitRoutes().empty()) out.candidates.push_back({r, ip});
  if (out.candidates.empty()) out.unreachable = "no node holds or routes " + ip.toString();
  return out;
}

ResolvedDestination NodeDirectory::toPrefix(const IpPrefix& prefix, const std::string& label,
                                            const PolicyNode* source) const {
  if (prefix.isSingleIp()) return toAddress(prefix.addr);
  ResolvedDestination out;
  IpSet set;
  set.add(prefix);
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].hasAddressIn(set)) out.candidates.push_back(reach(i, source));
  if (out.candidates.empty()) out.unreachable = "no node holds an address in " + label + " (" + prefix.toString() + ")";
  return out;
}

core::Result<ResolvedDestination> NodeDirectory::resolve(const Policy& policy, std::string_view host,
                                                         const PolicyNode* source) const {
  if (auto ip = IpAddress::parse(host)) return toAddress(*ip);
  if (host.starts_with("tag:")) {
    ResolvedDestination out;
    if (auto it = byTag_.find(host); it != byTag_.end())
      for (auto i : it->second) out.candidates.push_back(reach(i, source));
    if (out.candidates.empty()) out.unreachable = "no node is tagged " + std::string(host);
    return out;
  }
  if (auto i = find(host)) {
    const PolicyNode& n = nodes_[*i];
    if (!n.ipv4 && !n.ipv6) return tl::unexpected(badDestination(host, "the node has no address"));
    return ResolvedDestination{{reach(*i, source)}, {}};
  }
  if (auto alias = policy.hosts.find(std::string(host)); alias != policy.hosts.end())
    return toPrefix(alias->second, "host " + alias->first, source);
  return tl::unexpected(badDestination(host, "is not a known node, tag, host or IP address (known nodes: " +
                                                 someNames() + ")"));
}

std::string NodeDirectory::someNames() const {
  std::string out;
  for (std::size_t i = 0; i < nodes_.size() && i < 20; ++i) out += (i ? ", " : "") + nodes_[i].name;
  if (nodes_.size() > 20) out += ", ...";
  return out.empty() ? "none" : out;
}

}  // namespace postured::policy
