// A node as headscale's REST API lists it (GET /api/v1/node), read from
// either JSON dialect headscale has spoken:
//  - main (Huma): string-encoded uint64 ids, `tags`;
//  - v0.29 and older (grpc-gateway protojson): ids as strings of digits or
//    numbers, and on older releases `forcedTags`/`validTags` instead of
//    `tags` (the node's tags are then forced ∪ valid; invalid ones are not
//    the node's).
// Unknown members are ignored (headscale adds fields); a member postured
// relies on with the wrong type is an error naming it, e.g.
// `nodes[3].ipAddresses[1]: "100.64.0.300" is not an IP address`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace postured::enforce::headscale {

struct HeadscaleNode {
  std::string id;  // as headscale prints it: "17"
  std::string name;       // the machine's hostname
  std::string givenName;  // the MagicDNS name, which an admin may change
  std::string userName;
  std::string userEmail;
  std::vector<std::string> tags;  // sorted, unique
  std::string ipv4;               // canonical text; empty when the node has none
  std::string ipv6;
  std::optional<core::Timestamp> lastSeen;
  bool online = false;

  // The device's hostname: givenName, else name.
  const std::string& hostname() const { return givenName.empty() ? name : givenName; }
  // The device's owner as a policy names it: the e-mail, else the user name
  // with the "@" headscale's policy requires ("alice@"); empty when tagged.
  std::string owner() const;
};

core::Result<std::vector<HeadscaleNode>> parseNodeList(std::string_view body);

}  // namespace postured::enforce::headscale
