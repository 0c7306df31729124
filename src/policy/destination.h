// Where a destination named in a question ("may this device reach X:443?")
// lands: the nodes that would receive the traffic and the address each is
// reached at. One resolution for the access check API and forward-auth.
//
// A destination host is, in this order:
//  - an IP address: the node that holds it, else the subnet routers that
//    route it, else (for an internet address) the exit nodes;
//  - `tag:NAME`: every node with that tag;
//  - a node's name or hostname: that node;
//  - a name in the policy's `hosts`: the node holding that address, or the
//    nodes holding an address in that prefix (else, as for an IP, routers).
// Anything else is an error naming the field "dst". A tag or address that no
// node holds is not an error: it resolves to no candidate, with the reason.
//
// NodeDirectory indexes the nodes by name, address and tag once, so a lookup
// costs no walk over the tailnet. It keeps a reference to the node vector,
// which must outlive it unchanged. Thread-safe for concurrent const use.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::policy {

struct DestinationCandidate {
  std::size_t node = 0;  // index into the directory's nodes
  IpAddress ip;          // the address the traffic is sent to
};

struct ResolvedDestination {
  std::vector<DestinationCandidate> candidates;
  std::string unreachable;  // when there is no candidate: why, in words
};

// "host:port", "[v6]:port", a bare host or IPv6 address (no port), and
// names with colons (`tag:wiki:443`: the port is after the last colon).
struct DestinationText {
  std::string host;
  std::optional<std::uint16_t> port;
};
core::Result<DestinationText> parseDestination(std::string_view text);

class NodeDirectory {
 public:
  explicit NodeDirectory(const std::vector<PolicyNode>& nodes);

  const std::vector<PolicyNode>& nodes() const { return nodes_; }
  // By name, then hostname, then address (as the API lets people name a device).
  std::optional<std::size_t> find(std::string_view name) const;
  std::optional<std::size_t> holding(const IpAddress& address) const;

  // `source`, when given, picks the address family: a node is reached at its
  // IPv4 address when both have one, else at its IPv6 address.
  core::Result<ResolvedDestination> resolve(const Policy& policy, std::string_view host,
                                            const PolicyNode* source) const;

  // Up to 20 node names, for error messages.
  std::string someNames() const;

 private:
  struct AddressHash {
    std::size_t operator()(const IpAddress& a) const;
  };
  ResolvedDestination toAddress(const IpAddress& ip) const;
  ResolvedDestination toPrefix(const IpPrefix& prefix, const std::string& label, const PolicyNode* source) const;
  DestinationCandidate reach(std::size_t node, const PolicyNode* source) const;

  const std::vector<PolicyNode>& nodes_;
  std::unordered_map<std::string_view, std::size_t> byName_, byHostname_;
  std::unordered_map<IpAddress, std::size_t, AddressHash> byAddress_;
  std::unordered_map<std::string_view, std::vector<std::size_t>> byTag_;
  std::vector<std::size_t> routers_;
};

}  // namespace postured::policy
