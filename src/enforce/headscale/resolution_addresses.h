// Addresses as resolution needs them: set operations that stay linear on the
// large sets of big tailnets, and an index of which node holds which address,
// which also writes sets back as policy selector strings.
//
// Writing a set: one string per CIDR prefix, in address order, single
// addresses without their length. A single address names its node whole (the
// compiler and headscale add the node's other addresses), so when `set` holds
// only part of that node a warning for the rule on `line` says so.
//
// Not thread-safe (address texts are made on first use). Refers to `nodes`,
// which must outlive it.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "policy/ip_set.h"
#include "policy/policy_node.h"

namespace postured::enforce::headscale {

// The union in one pass over both (IpSet::add inserts range by range, which
// is quadratic when both sets are large).
policy::IpSet unite(const policy::IpSet& a, const policy::IpSet& b);
// a minus b, finding each of a's ranges in b by binary search: a rule's few
// sources minus a big tailnet's failing nodes costs what the sources hold.
policy::IpSet minus(const policy::IpSet& a, const policy::IpSet& b);
// The set of these addresses, built in sorted order.
policy::IpSet setOf(std::vector<policy::IpAddress> addresses);
bool addressLess(const policy::IpAddress& a, const policy::IpAddress& b);
// IpAddress::toString and IpPrefix::toShortString without snprintf and
// inet_ntop (a push writes about a hundred thousand of them); the same text
// (RFC 5952 for IPv6; addresses that inet_ntop writes with an embedded IPv4
// part are left to it).
std::string addressText(const policy::IpAddress& a);
std::string prefixText(const policy::IpPrefix& p);

class AddressIndex {
 public:
  explicit AddressIndex(const std::vector<policy::PolicyNode>& nodes);

  // Positions of the nodes holding `a` (normally one), ascending.
  std::vector<std::size_t> holders(const policy::IpAddress& a) const;
  // Positions of the nodes with an address in `set`, ascending, in what the set holds.
  std::vector<std::size_t> nodesIn(const policy::IpSet& set) const;
  // Every address of the nodes `pick(position)` chooses, made in address order (no sorting).
  template <class Pick>
  policy::IpSet addressesOf(Pick pick) const {
    policy::IpSet out;
    for (const auto& h : byAddress_)
      if (pick(h.node)) out.addRange(h.address, h.address);
    return out;
  }

  // The strings of a set (an ipset written out among other selectors).
  std::vector<std::string> selectors(const policy::IpSet& set, int line, std::vector<std::string>& warnings);
  // A rule's `src` array as text at kFieldIndent (resolution_text.h). Rules
  // often share their sources (a group to many destinations): the text of a
  // set written without warnings is kept and shared with the next rule, until
  // forgetWritten().
  std::shared_ptr<const std::string> sourceText(const policy::IpSet& set, int line,
                                                std::vector<std::string>& warnings);
  void forgetWritten() { written_.clear(); }
  // As destinations: a node whose addresses are all in `set` appears once, at
  // its first address, which stands for all of them (the compiler would list
  // its addresses twice otherwise).
  std::vector<std::string> destinations(const policy::IpSet& set, int line, std::vector<std::string>& warnings);

 private:
  struct Holder {
    policy::IpAddress address;
    std::size_t node;
    std::string text;  // made when first written: most rules name few nodes
  };
  using Range = std::pair<std::vector<Holder>::iterator, std::vector<Holder>::iterator>;
  Range find(const policy::IpAddress& a);
  // Appends the address of `p`, a single address, as a selector (without quotes).
  void appendSingle(std::string& out, const policy::IpPrefix& p, const policy::IpSet& set, int line,
                    std::vector<std::string>& warnings);

  const std::vector<policy::PolicyNode>& nodes_;
  std::vector<Holder> byAddress_;  // sorted by address
  std::unordered_map<std::string, std::shared_ptr<const std::string>> written_;  // by the set's ranges as bytes
};

}  // namespace postured::enforce::headscale
