#include "node_json.h"

#include "core/sha256.h"

namespace postured::hsemu {

namespace {

using nlohmann::ordered_json;

// types.TaggedDevices: the user headscale shows for tagged nodes in lists.
constexpr std::uint64_t kTaggedDevicesUserId = 2147455555;

std::string formatTime(Flavor flavor, Micros t) { return isGrpcGateway(flavor) ? formatProtoTime(t) : formatGoTime(t); }

ordered_json optionalTime(Flavor flavor, const std::optional<Micros>& t) {
  return t ? ordered_json(formatTime(flavor, *t)) : ordered_json(nullptr);
}

// Stable key material per node, in the text forms tailscale's key types
// marshal to, so clients see well-formed keys that never change.
std::string key(const char* prefix, const char* kind, std::uint64_t id) {
  return std::string(prefix) + core::sha256Hex(std::string(kind) + ":" + std::to_string(id));
}

ordered_json userJson(Flavor flavor, std::uint64_t id, const std::string& name, Micros createdAt,
                      const std::string& displayName, const std::string& email) {
  return {{"id", std::to_string(id)},
          {"name", name.empty() ? (email.empty() ? std::to_string(id) : email) : name},
          {"createdAt", formatTime(flavor, createdAt)},
          {"displayName", displayName},
          {"email", email},
          {"providerId", ""},
          {"provider", ""},
          {"profilePicUrl", ""}};
}

ordered_json nodeUser(Flavor flavor, const Node& node, const NodeStore& store, NodeView view) {
  if (view == NodeView::kList && flavor != Flavor::kV025 && !node.tags.empty())
    return userJson(flavor, kTaggedDevicesUserId, "tagged-devices", kGoZeroTime, "Tagged Devices", "");
  const User* user = node.userId ? store.user(node.userId) : nullptr;
  if (!user) return nullptr;
  return userJson(flavor, user->id, user->name, user->createdAt, user->displayName, user->email);
}

}  // namespace

std::string registerMethodEnum(const std::string& method) {
  if (method == "authkey") return "REGISTER_METHOD_AUTH_KEY";
  if (method == "cli") return "REGISTER_METHOD_CLI";
  if (method == "oidc") return "REGISTER_METHOD_OIDC";
  return "REGISTER_METHOD_UNSPECIFIED";
}

ordered_json apiNodeJson(Flavor flavor, const Node& node, const NodeStore& store, NodeView view) {
  ordered_json out;
  out["id"] = std::to_string(node.id);
  out["machineKey"] = key("mkey:", "machine", node.id);
  out["nodeKey"] = key("nodekey:", "node", node.id);
  out["discoKey"] = key("discokey:", "disco", node.id);
  out["ipAddresses"] = node.ipAddresses;
  out["name"] = node.name;
  out["user"] = nodeUser(flavor, node, store, view);
  out["lastSeen"] = optionalTime(flavor, node.lastSeen);
  out["expiry"] = optionalTime(flavor, node.expiry);
  out["preAuthKey"] = nullptr;
  out["createdAt"] = formatTime(flavor, node.createdAt);
  out["registerMethod"] = registerMethodEnum(node.registerMethod);
  if (flavor == Flavor::kV025) {
    // Tags set by the API or a tagged key are forced tags; the list adds
    // them to the valid ones as its nodesToProto does.
    out["forcedTags"] = node.tags;
    out["invalidTags"] = ordered_json::array();
    out["validTags"] = view == NodeView::kList ? ordered_json(node.tags) : ordered_json::array();
    out["givenName"] = node.givenName;
    out["online"] = node.online;
    return out;
  }
  out["givenName"] = node.givenName;
  out["online"] = node.online;
  out["approvedRoutes"] = ordered_json::array();
  out["availableRoutes"] = ordered_json::array();
  out["subnetRoutes"] = ordered_json::array();
  out["tags"] = node.tags;
  return out;
}

ordered_json controlNodeJson(const Node& node, const NodeStore& store) {
  return apiNodeJson(Flavor::kMain, node, store, NodeView::kSingle);
}

}  // namespace postured::hsemu
