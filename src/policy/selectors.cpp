#include "policy/selectors.h"

#include <array>
#include <utility>

#include "policy/protocols.h"

namespace postured::policy {
namespace {

using core::ErrorKind;

constexpr std::array<std::pair<std::string_view, Autogroup>, 13> kAutogroups{{
    {"autogroup:member", Autogroup::kMember},
    {"autogroup:tagged", Autogroup::kTagged},
    {"autogroup:self", Autogroup::kSelf},
    {"autogroup:internet", Autogroup::kInternet},
    {"autogroup:danger-all", Autogroup::kDangerAll},
    {"autogroup:nonroot", Autogroup::kNonroot},
    {"autogroup:shared", Autogroup::kShared},
    {"autogroup:admin", Autogroup::kAdmin},
    {"autogroup:owner", Autogroup::kOwner},
    {"autogroup:it-admin", Autogroup::kItAdmin},
    {"autogroup:network-admin", Autogroup::kNetworkAdmin},
    {"autogroup:billing-admin", Autogroup::kBillingAdmin},
    {"autogroup:auditor", Autogroup::kAuditor},
}};

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Host names are DNS-like labels; anything else that is not another selector is a typo.
bool isHostName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view autogroupName(Autogroup a) {
  for (const auto& [name, value] : kAutogroups)
    if (value == a) return name;
  return "autogroup:?";
}

core::Result<Selector> parseSelector(std::string_view text, SourcePos pos) {
  Selector s;
  s.text = std::string(text);
  s.name = s.text;
  s.pos = pos;
  if (text == "*") {
    s.kind = SelectorKind::kWildcard;
    return s;
  }
  if (auto prefix = IpPrefix::parse(text)) {
    s.kind = SelectorKind::kPrefix;
    s.prefix = *prefix;
    return s;
  }
  if (startsWith(text, "autogroup:")) {
    for (const auto& [name, value] : kAutogroups) {
      if (text == name) {
        s.kind = SelectorKind::kAutogroup;
        s.autogroup = value;
        return s;
      }
    }
    return core::fail(ErrorKind::kInvalidArgument,
                      "autogroup \"" + s.text +
                          "\" is not known; use autogroup:member, autogroup:tagged, autogroup:self, "
                          "autogroup:internet or autogroup:danger-all");
  }
  if (startsWith(text, "group:")) {
    s.kind = SelectorKind::kGroup;
    return s;
  }
  if (startsWith(text, "tag:")) {
    s.kind = SelectorKind::kTag;
    return s;
  }
  if (startsWith(text, "ipset:")) {
    s.kind = SelectorKind::kIpSet;
    return s;
  }
  if (startsWith(text, "user:*@")) {
    s.kind = SelectorKind::kUserDomain;
    s.name = std::string(text.substr(7));
    return s;
  }
  if (text.find('@') != std::string_view::npos) {
    s.kind = SelectorKind::kUser;
    if (startsWith(text, "user:")) s.name = std::string(text.substr(5));
    return s;
  }
  if (isHostName(text)) {
    s.kind = SelectorKind::kHost;
    return s;
  }
  return core::fail(ErrorKind::kInvalidArgument,
                    "\"" + s.text +
                        "\" is not a valid selector; use \"*\", a user's login, group:, tag:, autogroup:, "
                        "a host name, an IP address or a CIDR prefix");
}

core::Result<DstSelector> parseDstSelector(std::string_view text, SourcePos pos) {
  std::string_view target;
  std::string_view ports;
  if (startsWith(text, "[")) {  // "[fd7a::1]:22" keeps an IPv6 address's colons apart from the port
    const auto close = text.find("]:");
    if (close == std::string_view::npos)
      return core::fail(ErrorKind::kInvalidArgument,
                        "dst=\"" + std::string(text) + "\": expected \"[address]:ports\"");
    target = text.substr(1, close - 1);
    ports = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return core::fail(ErrorKind::kInvalidArgument,
                        "dst=\"" + std::string(text) + "\": missing port; write \"" + std::string(text) +
                            ":*\" for every port or \"" + std::string(text) + ":22\" for one");
    target = text.substr(0, colon);
    ports = text.substr(colon + 1);
  }
  DstSelector d;
  d.text = std::string(text);
  d.pos = pos;
  auto portList = parsePortList(ports);
  if (!portList)
    return core::fail(ErrorKind::kInvalidArgument, "dst=\"" + std::string(text) + "\": " + portList.error().message);
  d.ports = std::move(*portList);
  auto sel = parseSelector(target, pos);
  if (!sel) return core::fail(ErrorKind::kInvalidArgument, "dst=\"" + std::string(text) + "\": " + sel.error().message);
  d.target = std::move(*sel);
  return d;
}

core::Result<ProtoPorts> parseGrantIp(std::string_view text, SourcePos pos) {
  ProtoPorts p;
  p.text = std::string(text);
  p.pos = pos;
  std::string_view portText = text;
  const auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    p.protoText = std::string(text.substr(0, colon));
    portText = text.substr(colon + 1);
  } else if (!text.empty() && !(text[0] >= '0' && text[0] <= '9') && text != "*") {
    p.protoText = std::string(text);  // a bare protocol name: every port
    portText = "*";
  }
  auto proto = parseProtocol(p.protoText);
  if (!proto) return tl::unexpected(proto.error());
  p.ipProto = std::move(*proto);
  auto ports = parsePortList(portText);
  if (!ports) return tl::unexpected(ports.error());
  p.ports = std::move(*ports);
  if (!protocolHasPorts(p.ipProto) && !(p.ports.size() == 1 && p.ports[0].isAll()))
    return core::fail(ErrorKind::kInvalidArgument,
                      "\"" + p.text + "\": protocol " + p.protoText + " has no ports; write \"" + p.protoText + ":*\"");
  return p;
}

}  // namespace postured::policy
