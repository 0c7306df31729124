#include "policy_alias.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/ip.h"
#include "go_text.h"
#include "policy_decode.h"

namespace postured::hsemu::policy {

namespace {

const std::vector<std::string> kAutogroups = {"autogroup:internet", "autogroup:member", "autogroup:nonroot",
                                              "autogroup:tagged",   "autogroup:self",   "autogroup:danger-all"};
const std::vector<std::string> kAutogroupsForSrc = {"autogroup:member", "autogroup:tagged", "autogroup:danger-all"};
const std::vector<std::string> kAutogroupsForDst = {"autogroup:internet", "autogroup:member", "autogroup:tagged",
                                                    "autogroup:self"};
const std::vector<std::string> kAutogroupsForSshSrc = {"autogroup:member", "autogroup:tagged"};
const std::vector<std::string> kAutogroupsForSshDst = {"autogroup:member", "autogroup:tagged", "autogroup:self"};
const std::vector<std::string> kAutogroupsForNodeAttrs = {"autogroup:member", "autogroup:tagged"};

constexpr std::string_view kErrAutogroupInternetSrc = "autogroup:internet can only be used in ACL destinations";

bool contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string notAllowed(std::string_view error, const std::string& name, const std::vector<std::string>& allowed) {
  return std::string(error) + ": " + goQuote(name) + ", can be " + goList(allowed);
}

// An address as netip.ParseAddr reads it, in netip's canonical text.
std::optional<std::pair<std::string, int>> parseAddress(std::string_view text, bool allowZone) {
  if (const auto v4 = core::parseIpv4(text)) return std::make_pair(core::formatIpv4(*v4), 32);
  std::string_view zone;
  if (const auto percent = text.find('%'); percent != std::string_view::npos) {
    if (!allowZone || percent + 1 == text.size()) return std::nullopt;
    zone = text.substr(percent);
    text = text.substr(0, percent);
  }
  const auto v6 = core::parseIpv6(text);
  if (!v6) return std::nullopt;
  return std::make_pair(core::formatIpv6(*v6) + std::string(zone), 128);
}

// strconv.Atoi's grammar, for parsePort.
std::optional<long> atoi(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return std::nullopt;
  long value = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
    if (value > 1'000'000'000L) value = 1'000'000'000L;  // out of range either way
  }
  return negative ? -value : value;
}

Parsed<unsigned> parsePort(std::string_view text) {
  const auto port = atoi(text);
  if (!port) return tl::unexpected(std::string("invalid port number"));
  if (*port < 0 || *port > 65535) return tl::unexpected(std::string("port number out of range"));
  return static_cast<unsigned>(*port);
}

Parsed<std::pair<std::string, std::string>> splitDestinationAndPort(std::string_view input) {
  std::string joined;
  if (startsWith(input, "[")) {
    constexpr std::string_view kBrackets = "square brackets are only valid around IPv6 addresses";
    const auto close = input.find(']');
    if (close == std::string_view::npos) return tl::unexpected(std::string(kBrackets));
    const auto host = input.substr(1, close - 1);
    const auto addr = parseAddress(host, true);
    if (!addr || addr->second != 128) return tl::unexpected(std::string(kBrackets) + ": " + goQuote(host));
    const auto rest = input.substr(close + 1);
    if (rest.empty() || (rest[0] != ':' && rest[0] != '/'))
      return tl::unexpected(std::string(kBrackets) + ": " + goQuote(input));
    joined = std::string(host) + std::string(rest);
    input = joined;
  }
  const auto colon = input.rfind(':');
  if (colon == std::string_view::npos)
    return tl::unexpected(std::string("input must contain a colon character separating destination and port"));
  if (colon == 0) return tl::unexpected(std::string("input cannot start with a colon character"));
  if (colon == input.size() - 1) return tl::unexpected(std::string("input cannot end with a colon character"));
  return std::make_pair(std::string(input.substr(0, colon)), std::string(input.substr(colon + 1)));
}

const std::array<std::pair<int, std::string_view>, 13> kProtocolNumbers = {{{1, "icmp"},
                                                                            {2, "igmp"},
                                                                            {4, "ipv4"},
                                                                            {6, "tcp"},
                                                                            {8, "egp"},
                                                                            {9, "igp"},
                                                                            {17, "udp"},
                                                                            {47, "gre"},
                                                                            {50, "esp"},
                                                                            {51, "ah"},
                                                                            {58, "ipv6-icmp"},
                                                                            {132, "sctp"},
                                                                            {133, "fc"}}};

bool knownProtocolName(std::string_view name) {
  if (name.empty() || name == "ip-in-ip") return true;
  return std::any_of(kProtocolNumbers.begin(), kProtocolNumbers.end(),
                     [&](const auto& entry) { return entry.second == name; });
}

}  // namespace

std::optional<Alias> parsePrefix(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    const auto addr = parseAddress(text, true);
    if (!addr) return std::nullopt;
    // A zone does not survive addr.Prefix(); the canonical form drops it.
    const auto percent = addr->first.find('%');
    return Alias{AliasKind::kPrefix, addr->first.substr(0, percent) + "/" + std::to_string(addr->second), addr->second};
  }
  const auto addr = parseAddress(text.substr(0, slash), false);
  const auto bitsText = text.substr(slash + 1);
  if (!addr || bitsText.empty() || bitsText.size() > 3) return std::nullopt;
  if (bitsText.size() > 1 && bitsText[0] == '0') return std::nullopt;
  int bits = 0;
  for (const char c : bitsText) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
  }
  if (bits > addr->second) return std::nullopt;
  return Alias{AliasKind::kPrefix, addr->first + "/" + std::to_string(bits), bits};
}

Parsed<Alias> parseAlias(std::string_view text) {
  if (auto prefix = parsePrefix(text)) return *prefix;
  const std::string s(text);
  if (s == "*") return Alias{AliasKind::kWildcard, s};
  if (s.find('@') != std::string::npos) return Alias{AliasKind::kUser, s};
  if (startsWith(s, "group:")) return Alias{AliasKind::kGroup, s};
  if (startsWith(s, "tag:")) return Alias{AliasKind::kTag, s};
  if (startsWith(s, "autogroup:")) return Alias{AliasKind::kAutoGroup, s};
  if (s.find(':') == std::string::npos) return Alias{AliasKind::kHost, s};
  return tl::unexpected("invalid alias format: " + goQuote(s));
}

Parsed<std::vector<PortRange>> parsePortRange(std::string_view text) {
  if (text == "*") return std::vector<PortRange>{{0, 65535}};
  std::vector<PortRange> ranges;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const auto part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (part.find('-') != std::string_view::npos) {
      std::vector<std::string_view> bounds;
      std::size_t from = 0;
      while (true) {
        const auto dash = part.find('-', from);
        const auto piece = part.substr(from, dash == std::string_view::npos ? std::string_view::npos : dash - from);
        if (!piece.empty()) bounds.push_back(piece);
        if (dash == std::string_view::npos) break;
        from = dash + 1;
      }
      if (bounds.size() != 2) return tl::unexpected(std::string("invalid port range format"));
      const auto first = parsePort(bounds[0]);
      if (!first) return tl::unexpected(first.error());
      const auto last = parsePort(bounds[1]);
      if (!last) return tl::unexpected(last.error());
      if (*first > *last)
        return tl::unexpected(std::string("invalid port range: first port is greater than last port"));
      ranges.push_back({*first, *last});
    } else {
      const auto port = parsePort(part);
      if (!port) return tl::unexpected(port.error());
      if (*port < 1) return tl::unexpected(std::string("first port must be >0, or use '*' for wildcard"));
      ranges.push_back({*port, *port});
    }
    if (comma == std::string_view::npos) return ranges;
    start = comma + 1;
  }
}

Parsed<Destination> parseDestination(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return tl::unexpected(std::string("hostport must contain a colon"));
  const auto split = splitDestinationAndPort(text);
  if (!split) return tl::unexpected(split.error());
  const auto ports = parsePortRange(split->second);
  if (!ports)
    return tl::unexpected("dst=" + goQuote(text) + ": port range " + goQuote(split->second) + ": " + ports.error());
  auto alias = parseAlias(split->first);
  if (!alias) return tl::unexpected(alias.error());
  if (auto error = validateAlias(*alias)) return tl::unexpected(*error);
  return Destination{std::move(*alias), *ports};
}

std::optional<std::string> validateAlias(const Alias& alias) {
  switch (alias.kind) {
    case AliasKind::kTag: {
      const auto rest = std::string_view(alias.text).substr(4);
      if (rest.empty() || !((rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z')))
        return std::string(kErrTagNameMustStartWithLetter);
      return std::nullopt;
    }
    case AliasKind::kAutoGroup:
      if (contains(kAutogroups, alias.text)) return std::nullopt;
      return "invalid autogroup: got " + goQuote(alias.text) + ", must be one of " + goList(kAutogroups);
    default:
      return std::nullopt;
  }
}

std::string_view aliasGoType(AliasKind kind) {
  switch (kind) {
    case AliasKind::kPrefix:
      return "*v2.Prefix";
    case AliasKind::kWildcard:
      return "v2.Asterix";
    case AliasKind::kUser:
      return "*v2.Username";
    case AliasKind::kGroup:
      return "*v2.Group";
    case AliasKind::kTag:
      return "*v2.Tag";
    case AliasKind::kAutoGroup:
      return "*v2.AutoGroup";
    case AliasKind::kHost:
      return "*v2.Host";
  }
  return "v2.Alias";
}

std::optional<std::string> validateAutogroupForSrc(const std::string& name) {
  if (name == "autogroup:internet") return std::string(kErrAutogroupInternetSrc);
  if (name == "autogroup:self") return std::string("\"autogroup:self\" not valid on the src side of a rule");
  if (!contains(kAutogroupsForSrc, name))
    return notAllowed("autogroup not supported for ACL sources", name, kAutogroupsForSrc);
  return std::nullopt;
}

std::optional<std::string> validateAutogroupForDst(const std::string& name) {
  if (name == "autogroup:danger-all") return std::string("cannot use autogroup:danger-all as a dst");
  if (!contains(kAutogroupsForDst, name))
    return notAllowed("autogroup not supported for ACL destinations", name, kAutogroupsForDst);
  return std::nullopt;
}

std::optional<std::string> validateAutogroupForSshSrc(const std::string& name) {
  if (name == "autogroup:internet") return std::string(kErrAutogroupInternetSrc);
  if (!contains(kAutogroupsForSshSrc, name))
    return notAllowed("autogroup not supported for SSH sources", name, kAutogroupsForSshSrc);
  return std::nullopt;
}

std::optional<std::string> validateAutogroupForSshDst(const std::string& name) {
  if (name == "autogroup:internet") return std::string(kErrAutogroupInternetSrc);
  if (!contains(kAutogroupsForSshDst, name))
    return notAllowed("autogroup not supported for SSH destinations", name, kAutogroupsForSshDst);
  return std::nullopt;
}

std::optional<std::string> validateAutogroupForNodeAttrs(const std::string& name) {
  if (!contains(kAutogroupsForNodeAttrs, name))
    return notAllowed("nodeAttrs target does not support this autogroup", name, kAutogroupsForNodeAttrs);
  return std::nullopt;
}

Parsed<std::string> parseProtocol(std::string_view raw) {
  std::string name(raw);
  for (auto& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  // Numbers in range become names first, as Atoi reads them ("06" is tcp).
  if (const auto number = atoi(name); number && *number >= 0 && *number <= 255)
    for (const auto& [value, protocolName] : kProtocolNumbers)
      if (value == *number) return std::string(protocolName);
  if (auto error = validateProtocol(name)) return tl::unexpected(*error);
  return name;
}

std::optional<std::string> validateProtocol(const std::string& name) {
  if (knownProtocolName(name)) return std::nullopt;
  if (name == "*")
    return std::string("proto name \"*\" not known; use protocol number 0-255 or protocol name (icmp, tcp, udp, etc.)");
  if (name == "0" || (name.size() > 1 && name[0] == '0'))
    return "leading 0 not permitted in protocol number: " + goQuote(name);
  const auto number = atoi(name);
  if (!number)
    return "invalid protocol number: " + goQuote(name) +
           " must be a known protocol name or valid protocol number 0-255";
  if (*number < 0 || *number > 255) return "protocol number out of range (0-255): " + std::to_string(*number);
  return std::nullopt;
}

bool protocolSupportsPorts(std::string_view protocol) {
  return protocol.empty() || protocol == "tcp" || protocol == "udp" || protocol == "sctp";
}

}  // namespace postured::hsemu::policy
