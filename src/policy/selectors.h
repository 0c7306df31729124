// Selectors: the names a rule's `src`, `dst` and `via` use for sets of
// devices or addresses, parsed from their text but not yet resolved against
// the nodes (selector_resolver.h does that).
//
//   *                      every tailnet address (and approved subnet routes)
//   alice@example.com      a user's untagged devices (also "alice@" forms)
//   user:*@example.com     every user in a domain
//   group:eng  tag:web     a group's members' devices; devices with a tag
//   autogroup:member|tagged|self|internet|danger-all|nonroot|...
//   webserver              a name from `hosts`
//   ipset:office           a name from `ipsets`
//   100.64.0.1  10.0.0.0/8 addresses and prefixes
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/hujson.h"
#include "policy/ip_set.h"
#include "policy/ports.h"

namespace postured::policy {

enum class SelectorKind { kWildcard, kUser, kUserDomain, kGroup, kTag, kAutogroup, kHost, kIpSet, kPrefix };

enum class Autogroup {
  kMember,
  kTagged,
  kSelf,
  kInternet,
  kDangerAll,
  kNonroot,
  kShared,
  kAdmin,
  kOwner,
  kItAdmin,
  kNetworkAdmin,
  kBillingAdmin,
  kAuditor,
};

struct Selector {
  SelectorKind kind = SelectorKind::kWildcard;
  std::string text;          // as written
  std::string name;          // user login, "group:x", "tag:x", host or ipset name, domain for kUserDomain
  Autogroup autogroup = Autogroup::kMember;
  IpPrefix prefix;           // for kPrefix
  SourcePos pos;

  bool is(Autogroup a) const { return kind == SelectorKind::kAutogroup && autogroup == a; }
};

// Syntax only: whether a group, tag or host exists is checked by validation.
// Errors name no place; the caller prefixes it.
core::Result<Selector> parseSelector(std::string_view text, SourcePos pos);

// An ACL destination, "selector:ports" ("tag:web:80,443", "[fd7a::1]:22", "*:*").
struct DstSelector {
  Selector target;
  std::vector<PortRange> ports;
  std::string text;
  SourcePos pos;
};

core::Result<DstSelector> parseDstSelector(std::string_view text, SourcePos pos);

// One entry of a grant's `ip`: "*", "22", "80-443", "tcp:443", "icmp:*", "udp".
struct ProtoPorts {
  std::string protoText;    // "" when not restricted
  std::vector<int> ipProto; // IANA numbers; empty means not restricted
  std::vector<PortRange> ports;
  std::string text;
  SourcePos pos;
};

core::Result<ProtoPorts> parseGrantIp(std::string_view text, SourcePos pos);

std::string_view autogroupName(Autogroup a);

}  // namespace postured::policy
