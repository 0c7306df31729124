#include "enforce/headscale/resolution_addresses.h"

#include <algorithm>
#include <set>

#include "enforce/headscale/resolution_text.h"

namespace postured::enforce::headscale {
namespace {

using policy::IpAddress;
using policy::IpPrefix;
using policy::IpSet;
using policy::PolicyNode;

void appendMerged(IpSet& out, bool v6, const std::vector<IpSet::Range>& a, const std::vector<IpSet::Range>& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    const bool takeA = j == b.size() || (i < a.size() && a[i].first <= b[j].first);
    const auto& r = takeA ? a[i++] : b[j++];
    out.addRange(IpAddress{v6, r.first}, IpAddress{v6, r.last});
  }
}

void appendDifference(IpSet& out, bool v6, const std::vector<IpSet::Range>& a, const std::vector<IpSet::Range>& b) {
  for (const auto& range : a) {
    auto it = std::lower_bound(b.begin(), b.end(), range.first,
                               [](const IpSet::Range& r, policy::Uint128 v) { return r.last < v; });
    auto first = range.first;
    bool alive = true;
    for (; it != b.end() && it->first <= range.last; ++it) {
      if (it->first > first) out.addRange(IpAddress{v6, first}, IpAddress{v6, it->first - 1});
      if (it->last >= range.last) {
        alive = false;
        break;
      }
      first = it->last + 1;
    }
    if (alive) out.addRange(IpAddress{v6, first}, IpAddress{v6, range.last});
  }
}

bool wholeIn(const PolicyNode& n, const IpSet& set) {
  return (!n.ipv4 || set.contains(*n.ipv4)) && (!n.ipv6 || set.contains(*n.ipv6));
}

void appendDecimal(std::string& out, unsigned v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out.push_back(digits[--n]);
}

void appendHex(std::string& out, unsigned v) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned d = (v >> shift) & 0xF;
    if (d || started || shift == 0) {
      out.push_back(kHex[d]);
      started = true;
    }
  }
}

}  // namespace

std::string addressText(const IpAddress& a) {
  std::string out;
  if (!a.v6) {
    out.reserve(15);
    const auto v = static_cast<std::uint32_t>(a.value);
    for (int shift = 24; shift >= 0; shift -= 8) {
      appendDecimal(out, (v >> shift) & 0xFF);
      if (shift) out.push_back('.');
    }
    return out;
  }
  if ((a.value >> 48) == 0) return a.toString();  // ::ffff:1.2.3.4 and the like
  unsigned groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<unsigned>((a.value >> (112 - 16 * i)) & 0xFFFF);
  // The first longest run of at least two zero groups becomes "::".
  int bestStart = -1;
  int bestLength = 1;
  for (int i = 0; i < 8;) {
    if (groups[i]) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && !groups[j]) ++j;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  out.reserve(39);
  for (int i = 0; i < 8; ++i) {
    if (i == bestStart) {
      out += "::";
      i += bestLength - 1;
      continue;
    }
    if (i && !(bestStart >= 0 && i == bestStart + bestLength)) out.push_back(':');
    appendHex(out, groups[i]);
  }
  return out;
}

std::string prefixText(const IpPrefix& p) {
  std::string out = addressText(p.addr);
  if (p.isSingleIp()) return out;
  out.push_back('/');
  appendDecimal(out, static_cast<unsigned>(p.bits));
  return out;
}

bool addressLess(const IpAddress& a, const IpAddress& b) {
  if (a.v6 != b.v6) return !a.v6;
  return a.value < b.value;
}

IpSet unite(const IpSet& a, const IpSet& b) {
  if (b.empty()) return a;
  if (a.empty()) return b;
  IpSet out;
  appendMerged(out, false, a.v4Ranges(), b.v4Ranges());
  appendMerged(out, true, a.v6Ranges(), b.v6Ranges());
  return out;
}

IpSet minus(const IpSet& a, const IpSet& b) {
  if (a.empty() || b.empty()) return a;
  IpSet out;
  appendDifference(out, false, a.v4Ranges(), b.v4Ranges());
  appendDifference(out, true, a.v6Ranges(), b.v6Ranges());
  return out;
}

IpSet setOf(std::vector<IpAddress> addresses) {
  std::sort(addresses.begin(), addresses.end(), addressLess);
  IpSet out;
  for (const auto& a : addresses) out.addRange(a, a);
  return out;
}

AddressIndex::AddressIndex(const std::vector<PolicyNode>& nodes) : nodes_(nodes) {
  byAddress_.reserve(nodes.size() * 2);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].ipv4) byAddress_.push_back({*nodes[i].ipv4, i, {}});
    if (nodes[i].ipv6) byAddress_.push_back({*nodes[i].ipv6, i, {}});
  }
  std::sort(byAddress_.begin(), byAddress_.end(), [](const Holder& x, const Holder& y) {
    return addressLess(x.address, y.address) || (x.address == y.address && x.node < y.node);
  });
}

AddressIndex::Range AddressIndex::find(const IpAddress& a) {
  auto first = std::lower_bound(byAddress_.begin(), byAddress_.end(), a,
                                [](const Holder& h, const IpAddress& v) { return addressLess(h.address, v); });
  auto last = first;
  while (last != byAddress_.end() && last->address == a) ++last;
  return {first, last};
}

std::vector<std::size_t> AddressIndex::holders(const IpAddress& a) const {
  std::vector<std::size_t> out;
  auto it = std::lower_bound(byAddress_.begin(), byAddress_.end(), a,
                             [](const Holder& h, const IpAddress& v) { return addressLess(h.address, v); });
  for (; it != byAddress_.end() && it->address == a; ++it) out.push_back(it->node);
  return out;
}

std::vector<std::size_t> AddressIndex::nodesIn(const IpSet& set) const {
  std::vector<std::size_t> out;
  auto walk = [&](bool v6, const std::vector<IpSet::Range>& ranges) {
    for (const auto& r : ranges) {
      auto it = std::lower_bound(byAddress_.begin(), byAddress_.end(), IpAddress{v6, r.first},
                                 [](const Holder& h, const IpAddress& v) { return addressLess(h.address, v); });
      for (; it != byAddress_.end() && it->address.v6 == v6 && it->address.value <= r.last; ++it)
        out.push_back(it->node);
    }
  };
  walk(false, set.v4Ranges());
  walk(true, set.v6Ranges());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void AddressIndex::appendSingle(std::string& out, const IpPrefix& p, const IpSet& set, int line,
                                std::vector<std::string>& warnings) {
  auto [first, last] = find(p.addr);
  for (auto it = first; it != last; ++it) {
    const PolicyNode& n = nodes_[it->node];
    if (wholeIn(n, set)) continue;  // the common case
    IpSet extra = n.addressSet();
    extra.remove(set);
    std::string others;
    for (const auto& e : extra.toFilterStrings()) others += (others.empty() ? "" : ", ") + e;
    warnings.push_back("line " + std::to_string(line) + ": " + p.toShortString() + " (node " + n.name +
                       ") must be written as a single address, which names the whole node, so its other " +
                       "addresses (" + others + ") are admitted too; write the rule's prefixes so that they " +
                       "cover both of the node's addresses or neither");
  }
  if (first == last) {
    out += addressText(p.addr);
    return;
  }
  if (first->text.empty()) first->text = addressText(p.addr);
  out += first->text;
}

std::vector<std::string> AddressIndex::selectors(const IpSet& set, int line, std::vector<std::string>& warnings) {
  std::vector<std::string> out;
  for (const auto& p : set.prefixes()) {
    out.emplace_back();
    if (p.isSingleIp()) {
      appendSingle(out.back(), p, set, line, warnings);
    } else {
      out.back() = prefixText(p);
    }
  }
  return out;
}

std::shared_ptr<const std::string> AddressIndex::sourceText(const IpSet& set, int line,
                                                            std::vector<std::string>& warnings) {
  std::string key(reinterpret_cast<const char*>(set.v4Ranges().data()), set.v4Ranges().size() * sizeof(IpSet::Range));
  key += '|';
  key.append(reinterpret_cast<const char*>(set.v6Ranges().data()), set.v6Ranges().size() * sizeof(IpSet::Range));
  if (auto it = written_.find(key); it != written_.end()) return it->second;
  const std::size_t warned = warnings.size();
  const auto prefixes = set.prefixes();
  auto out = std::make_shared<std::string>();
  if (prefixes.empty()) {
    *out = "[]";
  } else {
    out->reserve(prefixes.size() * (kFieldIndent + 2 + 24) + kFieldIndent + 4);
    *out = "[\n";
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
      if (i) *out += ",\n";
      out->append(kFieldIndent + 2, ' ');
      out->push_back('"');
      if (prefixes[i].isSingleIp()) {
        appendSingle(*out, prefixes[i], set, line, warnings);
      } else {
        *out += prefixText(prefixes[i]);
      }
      out->push_back('"');
    }
    *out += '\n';
    out->append(kFieldIndent, ' ');
    *out += ']';
  }
  // With warnings, each rule must give its own (they name its line).
  if (warnings.size() == warned) written_.emplace(std::move(key), out);
  return out;
}

std::vector<std::string> AddressIndex::destinations(const IpSet& set, int line, std::vector<std::string>& warnings) {
  std::vector<std::string> out;
  std::set<std::size_t> written;  // nodes already named by one of their addresses
  for (const auto& p : set.prefixes()) {
    if (!p.isSingleIp()) {
      out.push_back(prefixText(p));
      continue;
    }
    auto [first, last] = find(p.addr);
    if (std::any_of(first, last, [&](const Holder& h) { return written.count(h.node) > 0; })) continue;
    for (auto it = first; it != last; ++it) written.insert(it->node);
    out.emplace_back();
    appendSingle(out.back(), p, set, line, warnings);
  }
  return out;
}

}  // namespace postured::enforce::headscale
