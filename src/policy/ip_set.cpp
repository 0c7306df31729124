#include "policy/ip_set.h"

#include <algorithm>
#include <charconv>

#include "core/ip.h"

namespace postured::policy {
namespace {

Uint128 maxValue(bool v6) { return v6 ? ~Uint128{0} : Uint128{0xFFFFFFFFu}; }

// Mask of the host bits of a prefix of `bits` in a family of `width` bits.
Uint128 hostMask(int bits, int width) {
  const int hostBits = width - bits;
  if (hostBits <= 0) return 0;
  if (hostBits >= 128) return ~Uint128{0};
  return (Uint128{1} << hostBits) - 1;
}

using Ranges = std::vector<IpSet::Range>;

void insertRange(Ranges& ranges, Uint128 first, Uint128 last) {
  auto it = std::lower_bound(ranges.begin(), ranges.end(), first,
                             [](const IpSet::Range& r, Uint128 v) { return r.first < v; });
  it = ranges.insert(it, IpSet::Range{first, last});
  // Merge with an overlapping or adjacent predecessor, then swallow successors.
  if (it != ranges.begin()) {
    auto prev = it - 1;
    if (prev->last == ~Uint128{0} || prev->last + 1 >= it->first) {
      prev->last = std::max(prev->last, it->last);
      it = ranges.erase(it) - 1;
    }
  }
  auto next = it + 1;
  while (next != ranges.end() && (it->last == ~Uint128{0} || it->last + 1 >= next->first)) {
    it->last = std::max(it->last, next->last);
    next = ranges.erase(next);
  }
}

void removeRange(Ranges& ranges, Uint128 first, Uint128 last) {
  Ranges out;
  out.reserve(ranges.size() + 1);
  for (const auto& r : ranges) {
    if (r.last < first || r.first > last) {
      out.push_back(r);
      continue;
    }
    if (r.first < first) out.push_back({r.first, first - 1});
    if (r.last > last) out.push_back({last + 1, r.last});
  }
  ranges = std::move(out);
}

// Ranges are sorted and disjoint: the first range ending at or after `first` decides.
Ranges::const_iterator firstEndingFrom(const Ranges& a, Uint128 first) {
  return std::lower_bound(a.begin(), a.end(), first, [](const IpSet::Range& r, Uint128 v) { return r.last < v; });
}

bool rangesOverlap(const Ranges& a, Uint128 first, Uint128 last) {
  auto it = firstEndingFrom(a, first);
  return it != a.end() && it->first <= last;
}

bool rangesContain(const Ranges& a, Uint128 first, Uint128 last) {
  auto it = firstEndingFrom(a, first);
  return it != a.end() && it->first <= first && last <= it->last;
}

// a minus b in one pass over both (both sorted and disjoint).
void subtractRanges(Ranges& a, const Ranges& b) {
  if (a.empty() || b.empty()) return;
  Ranges out;
  out.reserve(a.size() + b.size());
  std::size_t j = 0;
  for (auto r : a) {
    while (j < b.size() && b[j].last < r.first) ++j;
    std::size_t k = j;
    bool alive = true;
    while (k < b.size() && b[k].first <= r.last) {
      if (b[k].first > r.first) out.push_back({r.first, b[k].first - 1});
      if (b[k].last >= r.last) {
        alive = false;
        break;
      }
      r.first = b[k].last + 1;
      ++k;
    }
    if (alive) out.push_back(r);
  }
  a = std::move(out);
}

// Splits [first, last] into the fewest aligned prefixes.
void appendPrefixes(std::vector<IpPrefix>& out, bool v6, Uint128 first, Uint128 last) {
  const int width = v6 ? 128 : 32;
  while (true) {
    int bits = width;
    // Widen while the block stays aligned at `first` and inside [first, last].
    while (bits > 0) {
      const Uint128 mask = hostMask(bits - 1, width);
      if ((first & mask) != 0) break;
      if ((first | mask) > last) break;
      --bits;
    }
    out.push_back(IpPrefix{IpAddress{v6, first}, bits});
    const Uint128 blockLast = first | hostMask(bits, width);
    if (blockLast >= last) return;
    first = blockLast + 1;
  }
}

std::optional<IpPrefix> rangeAsPrefix(bool v6, const IpSet::Range& r) {
  std::vector<IpPrefix> parts;
  appendPrefixes(parts, v6, r.first, r.last);
  if (parts.size() == 1) return parts.front();
  return std::nullopt;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (auto v4 = core::parseIpv4(text)) return IpAddress{false, *v4};
  if (text.find(':') == std::string_view::npos) return std::nullopt;
  if (text.find('%') != std::string_view::npos) return std::nullopt;  // zones have no place in a policy
  auto bytes = core::parseIpv6(text);
  if (!bytes) return std::nullopt;
  Uint128 v = 0;
  for (auto b : *bytes) v = (v << 8) | b;
  return IpAddress{true, v};
}

std::string IpAddress::toString() const {
  if (!v6) return core::formatIpv4(static_cast<std::uint32_t>(value));
  core::Ipv6Bytes bytes{};
  Uint128 v = value;
  for (int i = 15; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xFF);
    v >>= 8;
  }
  return core::formatIpv6(bytes);
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  if (slash == std::string_view::npos) return single(*addr);
  const auto bitsText = text.substr(slash + 1);
  int bits = -1;
  auto [ptr, ec] = std::from_chars(bitsText.data(), bitsText.data() + bitsText.size(), bits);
  if (ec != std::errc() || ptr != bitsText.data() + bitsText.size() || bitsText.empty()) return std::nullopt;
  if (bitsText.size() > 1 && bitsText[0] == '0') return std::nullopt;
  if (bits < 0 || bits > addr->bitLength()) return std::nullopt;
  addr->value &= ~hostMask(bits, addr->bitLength());
  return IpPrefix{*addr, bits};
}

IpAddress IpPrefix::last() const { return IpAddress{addr.v6, addr.value | hostMask(bits, addr.bitLength())}; }

bool IpPrefix::contains(const IpAddress& a) const {
  return a.v6 == addr.v6 && a.value >= addr.value && a.value <= last().value;
}

bool IpPrefix::overlaps(const IpPrefix& o) const {
  return o.addr.v6 == addr.v6 && o.addr.value <= last().value && addr.value <= o.last().value;
}

std::string IpPrefix::toString() const { return addr.toString() + "/" + std::to_string(bits); }

std::string IpPrefix::toShortString() const { return isSingleIp() ? addr.toString() : toString(); }

IpSet IpSet::all() {
  IpSet s;
  s.v4_.push_back({0, maxValue(false)});
  s.v6_.push_back({0, maxValue(true)});
  return s;
}

std::optional<IpSet> IpSet::parseFilterEntry(std::string_view text) {
  if (text == "*") return all();
  IpSet s;
  const auto dash = text.find('-');
  if (dash != std::string_view::npos) {
    auto first = IpAddress::parse(text.substr(0, dash));
    auto last = IpAddress::parse(text.substr(dash + 1));
    if (!first || !last || first->v6 != last->v6 || first->value > last->value) return std::nullopt;
    s.addRange(*first, *last);
    return s;
  }
  auto prefix = IpPrefix::parse(text);
  if (!prefix) return std::nullopt;
  s.add(*prefix);
  return s;
}

void IpSet::add(const IpPrefix& p) { insertRange(p.addr.v6 ? v6_ : v4_, p.first().value, p.last().value); }

void IpSet::addRange(const IpAddress& first, const IpAddress& last) {
  insertRange(first.v6 ? v6_ : v4_, first.value, last.value);
}

void IpSet::add(const IpSet& other) {
  for (const auto& r : other.v4_) insertRange(v4_, r.first, r.last);
  for (const auto& r : other.v6_) insertRange(v6_, r.first, r.last);
}

void IpSet::remove(const IpSet& other) {
  subtractRanges(v4_, other.v4_);
  subtractRanges(v6_, other.v6_);
}

void IpSet::remove(const IpPrefix& p) { removeRange(p.addr.v6 ? v6_ : v4_, p.first().value, p.last().value); }

bool IpSet::contains(const IpAddress& a) const { return rangesContain(a.v6 ? v6_ : v4_, a.value, a.value); }

bool IpSet::overlaps(const IpPrefix& p) const {
  return rangesOverlap(p.addr.v6 ? v6_ : v4_, p.first().value, p.last().value);
}

bool IpSet::overlaps(const IpSet& other) const {
  for (const auto& r : other.v4_)
    if (rangesOverlap(v4_, r.first, r.last)) return true;
  for (const auto& r : other.v6_)
    if (rangesOverlap(v6_, r.first, r.last)) return true;
  return false;
}

bool IpSet::containsAll(const IpSet& other) const {
  for (const auto& r : other.v4_)
    if (!rangesContain(v4_, r.first, r.last)) return false;
  for (const auto& r : other.v6_)
    if (!rangesContain(v6_, r.first, r.last)) return false;
  return true;
}

std::vector<IpPrefix> IpSet::prefixes() const {
  std::vector<IpPrefix> out;
  for (const auto& r : v4_) appendPrefixes(out, false, r.first, r.last);
  for (const auto& r : v6_) appendPrefixes(out, true, r.first, r.last);
  return out;
}

std::vector<std::string> IpSet::toFilterStrings() const {
  std::vector<std::string> out;
  auto emit = [&](bool v6, const Ranges& ranges) {
    for (const auto& r : ranges) {
      if (auto p = rangeAsPrefix(v6, r)) {
        out.push_back(p->toShortString());
      } else {
        out.push_back(IpAddress{v6, r.first}.toString() + "-" + IpAddress{v6, r.last}.toString());
      }
    }
  };
  emit(false, v4_);
  emit(true, v6_);
  return out;
}

IpPrefix tailnetIpv4Range() { return *IpPrefix::parse("100.64.0.0/10"); }
IpPrefix tailnetIpv6Range() { return *IpPrefix::parse("fd7a:115c:a1e0::/48"); }

const IpSet& tailnetAddresses() {
  static const IpSet kTailnet = [] {
    IpSet s;
    s.add(tailnetIpv4Range());
    s.remove(*IpPrefix::parse("100.115.92.0/23"));
    s.add(tailnetIpv6Range());
    return s;
  }();
  return kTailnet;
}

const IpSet& internetAddresses() {
  static const IpSet kInternet = [] {
    IpSet s;
    s.add(*IpPrefix::parse("0.0.0.0/0"));
    s.add(*IpPrefix::parse("2000::/3"));
    for (const char* p : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10"})
      s.remove(*IpPrefix::parse(p));
    s.remove(tailnetIpv4Range());
    s.remove(tailnetIpv6Range());
    return s;
  }();
  return kInternet;
}

}  // namespace postured::policy
