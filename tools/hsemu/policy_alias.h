// The alias grammar of headscale's policy v2 (hscontrol/policy/v2/types.go
// and utils.go): what a src/dst/target/owner string is, how "alias:ports"
// splits, which autogroups each position accepts, and the protocol names.
// Every error text is headscale's, verbatim.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace postured::hsemu::policy {

template <class T>
using Parsed = tl::expected<T, std::string>;

enum class AliasKind { kPrefix, kWildcard, kUser, kGroup, kTag, kAutoGroup, kHost };

struct Alias {
  AliasKind kind = AliasKind::kHost;
  std::string text;  // as written; for a prefix, netip.Prefix's canonical form
  int prefixBits = 0;
};

struct PortRange {
  unsigned first = 0;
  unsigned last = 0;
};

struct Destination {
  Alias alias;
  std::vector<PortRange> ports;
};

// parseAlias: an IP or CIDR first, then "*", user (has '@'), group:, tag:,
// autogroup:, and a hosts name (no '@', no ':'); else `invalid alias format`.
Parsed<Alias> parseAlias(std::string_view text);
// An alias as ACL dst entries carry it, "alias:ports" (AliasWithPorts),
// validated as the dst position validates it.
Parsed<Destination> parseDestination(std::string_view text);
// parsePortRange: "*", or comma-separated ports and ranges.
Parsed<std::vector<PortRange>> parsePortRange(std::string_view text);
// Alias.Validate for the alias's type.
std::optional<std::string> validateAlias(const Alias& alias);
// The Go type name %T prints for the parsed alias ("*v2.Prefix").
std::string_view aliasGoType(AliasKind kind);
// A single IP (as a /32 or /128) or a CIDR, as Prefix.parseString accepts them.
std::optional<Alias> parsePrefix(std::string_view text);

// Where an autogroup appears decides which ones are allowed.
std::optional<std::string> validateAutogroupForSrc(const std::string& name);
std::optional<std::string> validateAutogroupForDst(const std::string& name);
std::optional<std::string> validateAutogroupForSshSrc(const std::string& name);
std::optional<std::string> validateAutogroupForSshDst(const std::string& name);
std::optional<std::string> validateAutogroupForNodeAttrs(const std::string& name);

// Protocol.UnmarshalJSON: lower-cased, IANA numbers mapped to names; the
// canonical name, or the error.
Parsed<std::string> parseProtocol(std::string_view raw);
// Protocol.validate alone: a known name or a number 0-255, as written.
std::optional<std::string> validateProtocol(const std::string& name);
// Only tcp, udp, sctp and "" carry specific ports.
bool protocolSupportsPorts(std::string_view protocol);

}  // namespace postured::hsemu::policy
