#include "node_store.h"

#include <algorithm>
#include <set>

#include "core/ip.h"

namespace postured::hsemu {

using core::ErrorKind;
using core::fail;

namespace {

constexpr std::uint32_t kFirstIpv4 = core::kTailnetIpv4Base + 1;  // 100.64.0.1

std::string joinField(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// The canonical text of an IP address, or nullopt.
std::optional<std::string> canonicalAddress(const std::string& text) {
  if (const auto v4 = core::parseIpv4(text)) return core::formatIpv4(*v4);
  if (const auto v6 = core::parseIpv6(text)) return core::formatIpv6(*v6);
  return std::nullopt;
}

std::string ipv6ForIndex(std::uint64_t index) {
  core::Ipv6Bytes bytes = {0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0};
  for (int i = 15; i >= 6 && index > 0; --i, index >>= 8) bytes[i] = static_cast<std::uint8_t>(index & 0xFF);
  return core::formatIpv6(bytes);
}

}  // namespace

std::optional<std::string> validateNodeTag(const std::string& tag) {
  if (tag.rfind("tag:", 0) != 0) return std::string("tag must start with the string 'tag:'");
  if (std::any_of(tag.begin(), tag.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return std::string("tag should be lowercase");
  if (tag.find_first_of(" \t\r\n") != std::string::npos) return std::string("tag should not contains space");
  return std::nullopt;
}

bool NodeStore::addressTaken(const std::string& address, std::uint64_t except) const {
  auto it = addressOwner_.find(address);
  return it != addressOwner_.end() && it->second != except;
}

void NodeStore::indexAddresses(const Node& node) {
  for (const auto& a : node.ipAddresses) addressOwner_[a] = node.id;
}

void NodeStore::releaseAddresses(const Node& node) {
  for (const auto& a : node.ipAddresses) {
    addressOwner_.erase(a);
    if (const auto v4 = core::parseIpv4(a)) {
      ipv4Hint_ = std::min(ipv4Hint_, *v4);
    } else if (const auto v6 = core::parseIpv6(a); v6 && core::inTailnetIpv6Range(*v6)) {
      ipv6Hint_ = 1;  // rare enough to rescan from the start
    }
  }
}

core::Result<std::vector<std::string>> NodeStore::claimAddresses(const std::vector<std::string>& addresses,
                                                                 std::uint64_t owner, const std::string& field) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const auto itemField = field + "[" + std::to_string(i) + "]";
    const auto canonical = canonicalAddress(addresses[i]);
    if (!canonical)
      return fail(ErrorKind::kInvalidArgument, "\"" + addresses[i] + "\" is not an IP address", itemField);
    if (std::find(out.begin(), out.end(), *canonical) != out.end())
      return fail(ErrorKind::kInvalidArgument, *canonical + " is listed twice", itemField);
    if (addressTaken(*canonical, owner))
      return fail(ErrorKind::kConflict, *canonical + " is already used by another node", itemField);
    out.push_back(*canonical);
  }
  return out;
}

std::vector<std::string> NodeStore::assignAddresses() {
  std::vector<std::string> out;
  for (auto a = std::max(ipv4Hint_, kFirstIpv4); a < core::kTailnetIpv4Base + core::kTailnetIpv4Size - 1; ++a) {
    if (core::isReservedTailnetIpv4(a)) continue;
    if (auto text = core::formatIpv4(a); !addressOwner_.count(text)) {
      out.push_back(text);
      ipv4Hint_ = a + 1;
      break;
    }
  }
  for (auto index = ipv6Hint_;; ++index) {
    if (auto text = ipv6ForIndex(index); !addressOwner_.count(text)) {
      out.push_back(text);
      ipv6Hint_ = index + 1;
      break;
    }
  }
  return out;
}

core::Result<std::uint64_t> NodeStore::resolveUser(const UserSpec& spec, Micros now, const std::string& field) {
  if (spec.name.empty()) return fail(ErrorKind::kInvalidArgument, "must be a non-empty string", field + ".name");
  for (auto& user : users_) {
    if (user.name != spec.name) continue;
    if (spec.email && !user.email.empty() && *spec.email != user.email)
      return fail(ErrorKind::kConflict, "user " + user.name + " already has email " + user.email, field + ".email");
    if (spec.email) user.email = *spec.email;
    if (spec.displayName) user.displayName = *spec.displayName;
    return user.id;
  }
  User user;
  user.id = users_.empty() ? 1 : users_.back().id + 1;
  user.name = spec.name;
  user.email = spec.email.value_or("");
  user.displayName = spec.displayName.value_or("");
  user.createdAt = now;
  users_.push_back(user);
  return user.id;
}

core::Result<Node> NodeStore::add(const NodeSpec& spec, Micros now, const std::string& field) {
  Node node;
  if (spec.id) {
    if (*spec.id == 0) return fail(ErrorKind::kInvalidArgument, "must be a positive integer", joinField(field, "id"));
    if (nodes_.count(*spec.id))
      return fail(ErrorKind::kConflict, "node " + std::to_string(*spec.id) + " already exists", joinField(field, "id"));
    node.id = *spec.id;
  } else {
    node.id = nodes_.empty() ? 1 : nodes_.rbegin()->first + 1;
  }
  if (spec.name.empty())
    return fail(ErrorKind::kInvalidArgument, "must be a non-empty string", joinField(field, "name"));
  for (std::size_t i = 0; i < spec.tags.size(); ++i)
    if (auto error = validateNodeTag(spec.tags[i]))
      return fail(ErrorKind::kInvalidArgument, *error, joinField(field, "tags[" + std::to_string(i) + "]"));
  if (!spec.user && spec.tags.empty())
    return fail(ErrorKind::kInvalidArgument, "required unless the node has tags", joinField(field, "user"));
  if (spec.ipAddresses) {
    auto addresses = claimAddresses(*spec.ipAddresses, 0, joinField(field, "ipAddresses"));
    if (!addresses) return tl::unexpected(addresses.error());
    node.ipAddresses = std::move(*addresses);
  } else {
    node.ipAddresses = assignAddresses();
  }
  if (spec.user) {
    auto userId = resolveUser(*spec.user, now, joinField(field, "user"));
    if (!userId) return tl::unexpected(userId.error());
    node.userId = *userId;
  }
  node.name = spec.name;
  node.givenName = spec.givenName.value_or(spec.name);
  node.tags = spec.tags;
  node.online = spec.online;
  node.lastSeen = spec.lastSeen;
  node.expiry = spec.expiry;
  node.createdAt = spec.createdAt.value_or(now);
  node.registerMethod = spec.registerMethod.value_or(spec.tags.empty() ? "cli" : "authkey");
  nodes_[node.id] = node;
  indexAddresses(node);
  return node;
}

core::Result<Node> NodeStore::patch(std::uint64_t id, const NodePatch& patch) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return fail(ErrorKind::kNotFound, "no node with id " + std::to_string(id), "id");
  Node next = it->second;
  if (patch.name) {
    if (patch.name->empty()) return fail(ErrorKind::kInvalidArgument, "must be a non-empty string", "name");
    next.name = *patch.name;
  }
  if (patch.givenName) next.givenName = *patch.givenName;
  if (patch.tags) {
    for (std::size_t i = 0; i < patch.tags->size(); ++i)
      if (auto error = validateNodeTag((*patch.tags)[i]))
        return fail(ErrorKind::kInvalidArgument, *error, "tags[" + std::to_string(i) + "]");
    next.tags = *patch.tags;
  }
  if (patch.ipAddresses) {
    auto addresses = claimAddresses(*patch.ipAddresses, id, "ipAddresses");
    if (!addresses) return tl::unexpected(addresses.error());
    next.ipAddresses = std::move(*addresses);
  }
  if (patch.online) next.online = *patch.online;
  if (patch.lastSeen) next.lastSeen = *patch.lastSeen;
  if (patch.expiry) next.expiry = *patch.expiry;
  const bool dropsUser = patch.user && !*patch.user;
  if ((dropsUser || (!patch.user && next.userId == 0)) && next.tags.empty())
    return fail(ErrorKind::kInvalidArgument, "required unless the node has tags", "user");
  if (patch.user) {
    if (*patch.user) {
      auto userId = resolveUser(**patch.user, nowMicros(), "user");
      if (!userId) return tl::unexpected(userId.error());
      next.userId = *userId;
    } else {
      next.userId = 0;
    }
  }
  releaseAddresses(it->second);
  it->second = next;
  indexAddresses(next);
  return next;
}

bool NodeStore::remove(std::uint64_t id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return false;
  releaseAddresses(it->second);
  nodes_.erase(it);
  return true;
}

const Node* NodeStore::find(std::uint64_t id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<const Node*> NodeStore::list() const {
  std::vector<const Node*> out;
  out.reserve(nodes_.size());
  for (const auto& [id, node] : nodes_) out.push_back(&node);
  return out;
}

const User* NodeStore::user(std::uint64_t id) const {
  for (const auto& u : users_)
    if (u.id == id) return &u;
  return nullptr;
}

const User* NodeStore::userByName(const std::string& name) const {
  for (const auto& u : users_)
    if (u.name == name) return &u;
  return nullptr;
}

core::Result<void> NodeStore::restore(std::vector<User> users, const std::vector<Node>& nodes) {
  std::map<std::uint64_t, Node> byId;
  std::set<std::string> addresses;
  for (const auto& node : nodes) {
    if (node.id == 0 || byId.count(node.id))
      return fail(ErrorKind::kInvalidArgument, "node id " + std::to_string(node.id) + " is missing or repeated",
                  "nodes");
    for (const auto& a : node.ipAddresses)
      if (!addresses.insert(a).second)
        return fail(ErrorKind::kInvalidArgument, "address " + a + " is held by two nodes", "nodes");
    byId[node.id] = node;
  }
  nodes_ = std::move(byId);
  users_ = std::move(users);
  addressOwner_.clear();
  ipv4Hint_ = 0;
  ipv6Hint_ = 1;
  for (const auto& [id, node] : nodes_) indexAddresses(node);
  return {};
}

}  // namespace postured::hsemu
