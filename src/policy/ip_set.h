// IP addresses, prefixes and sets of addresses, as the filter compiler needs
// them: union, difference, containment and overlap over IPv4 and IPv6, and the
// text forms Tailscale writes into packet filters ("100.64.0.1", "10.0.0.0/8",
// "100.64.0.0-100.115.91.255", "*").
//
// An IpSet is a value: sorted, disjoint, non-adjacent ranges per family, so two
// sets holding the same addresses compare equal whatever order they were built in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postured::policy {

__extension__ using Uint128 = unsigned __int128;

struct IpAddress {
  bool v6 = false;
  Uint128 value = 0;  // IPv4 addresses use the low 32 bits

  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::uint32_t value) { return IpAddress{false, value}; }
  int bitLength() const { return v6 ? 128 : 32; }
  std::string toString() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct IpPrefix {
  IpAddress addr;  // masked: host bits are zero
  int bits = 0;

  // "10.0.0.0/8", "fd7a::/48", or a bare address (a /32 or /128). Host bits
  // set in the text are masked off, as Go's netip.Prefix.Masked does.
  static std::optional<IpPrefix> parse(std::string_view text);
  static IpPrefix single(IpAddress addr) { return IpPrefix{addr, addr.bitLength()}; }
  bool isSingleIp() const { return bits == addr.bitLength(); }
  IpAddress first() const { return addr; }
  IpAddress last() const;
  bool contains(const IpAddress& a) const;
  bool overlaps(const IpPrefix& other) const;
  // "10.0.0.0/8"; a single address keeps its "/32" or "/128" (CapGrant Dsts form).
  std::string toString() const;
  // A single address without its length ("100.64.0.1"), otherwise toString() (DstPorts form).
  std::string toShortString() const;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

class IpSet {
 public:
  struct Range {
    Uint128 first;
    Uint128 last;
    friend bool operator==(const Range&, const Range&) = default;
  };

  static IpSet all();  // 0.0.0.0/0 and ::/0
  // One element of a SrcIPs or DstPorts list: "*", an address, a prefix or "a-b".
  static std::optional<IpSet> parseFilterEntry(std::string_view text);

  void add(const IpAddress& a) { add(IpPrefix::single(a)); }
  void add(const IpPrefix& p);
  void addRange(const IpAddress& first, const IpAddress& last);  // same family
  void add(const IpSet& other);
  void remove(const IpSet& other);
  void remove(const IpPrefix& p);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool contains(const IpAddress& a) const;
  bool overlaps(const IpPrefix& p) const;
  bool overlaps(const IpSet& other) const;
  bool containsAll(const IpSet& other) const;  // other is a subset of this

  // The fewest CIDR prefixes covering exactly this set, in address order, IPv4 first.
  std::vector<IpPrefix> prefixes() const;
  // Tailscale's SrcIPs form: each range as a prefix when it is one ("100.64.0.1",
  // "fd7a:115c:a1e0::/48"), else as "first-last"; IPv4 first, in address order.
  std::vector<std::string> toFilterStrings() const;

  const std::vector<Range>& v4Ranges() const { return v4_; }
  const std::vector<Range>& v6Ranges() const { return v6_; }
  friend bool operator==(const IpSet&, const IpSet&) = default;

 private:
  std::vector<Range> v4_;
  std::vector<Range> v6_;
};

// Tailscale's address spaces: 100.64.0.0/10 and fd7a:115c:a1e0::/48.
IpPrefix tailnetIpv4Range();
IpPrefix tailnetIpv6Range();
// What "*" means as a source: the tailnet ranges minus ChromeOS's 100.115.92.0/23,
// which Tailscale never hands to a node.
const IpSet& tailnetAddresses();
// Public unicast space: everything except private, shared, loopback, link-local,
// multicast and Tailscale ranges (Tailscale's tsaddr internet set, used for
// autogroup:internet and exit nodes). Both sets are built once; thread-safe.
const IpSet& internetAddresses();

}  // namespace postured::policy
