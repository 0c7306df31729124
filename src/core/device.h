// A device (node) of the tailnet: identity, ownership, addresses, OS facts and
// hardware identifiers. Posture attributes live apart (DeviceAttribute).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace postured::core {

struct Device {
  std::string id;  // stable and opaque; the API's `id` and `nodeId`
  std::string hostname;
  std::string user;               // owner's login e-mail; empty for a tagged device
  std::vector<std::string> tags;  // "tag:..."; non-empty exactly when `user` is empty
  std::string ipv4;               // in 100.64.0.0/10
  std::string ipv6;               // in fd7a:115c:a1e0::/48
  std::string os;
  std::string osVersion;
  std::string clientVersion;
  Timestamp created{};
  std::optional<Timestamp> lastSeen;
  std::vector<std::string> serialNumbers;
  std::vector<std::string> macAddresses;
  bool postureIdentityDisabled = true;  // the device does not report its identity
  std::string nodeKey;                  // "nodekey:<hex>": the key an enrolled device signs with; empty otherwise
  bool ephemeral = false;               // enrolled with an ephemeral key: removed when it stops reporting
  // The headscale node this device mirrors (its id as headscale prints it);
  // empty for devices that are not headscale nodes. Such a device's
  // hostname, owner, tags, addresses, last seen and `online` are written
  // only by the headscale poller (src/enforce/headscale/node_sync.h).
  std::string headscaleNodeId;
  std::optional<bool> online;  // connected to its control server, when known (headscale nodes)

  bool isTagged() const { return !tags.empty(); }
};

}  // namespace postured::core
