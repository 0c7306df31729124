// The emulated headscale database: users and nodes. Node ids are assigned
// upward from the highest in use; users are created on first mention of
// their name, with ids in order of creation. Missing addresses come from
// 100.64.0.1 and fd7a:115c:a1e0::1 upward, the lowest free first, and no
// address is ever held by two nodes.
//
// Not thread-safe: the Emulator's mutex guards it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "time_format.h"

namespace postured::hsemu {

struct User {
  std::uint64_t id = 0;
  std::string name;
  std::string email;
  std::string displayName;
  Micros createdAt = 0;
};

struct Node {
  std::uint64_t id = 0;
  std::string name;  // the hostname
  std::string givenName;
  std::uint64_t userId = 0;  // 0: no user (a tagged node registered without one)
  std::vector<std::string> tags;
  std::vector<std::string> ipAddresses;
  bool online = false;
  std::optional<Micros> lastSeen;
  std::optional<Micros> expiry;
  Micros createdAt = 0;
  std::string registerMethod = "cli";  // "cli", "authkey" or "oidc", headscale's stored values
};

struct UserSpec {
  std::string name;
  std::optional<std::string> email;
  std::optional<std::string> displayName;
};

// A node as the input form describes it; absent fields get defaults.
struct NodeSpec {
  std::optional<std::uint64_t> id;
  std::string name;
  std::optional<std::string> givenName;
  std::optional<UserSpec> user;
  std::vector<std::string> tags;
  std::optional<std::vector<std::string>> ipAddresses;  // absent: one IPv4 and one IPv6 assigned
  bool online = false;
  std::optional<Micros> lastSeen;
  std::optional<Micros> expiry;
  std::optional<Micros> createdAt;
  std::optional<std::string> registerMethod;
};

// Changes to one node; absent fields stay. A null user or lastSeen clears it.
struct NodePatch {
  std::optional<std::string> name;
  std::optional<std::string> givenName;
  std::optional<std::optional<UserSpec>> user;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<std::string>> ipAddresses;
  std::optional<bool> online;
  std::optional<std::optional<Micros>> lastSeen;
  std::optional<std::optional<Micros>> expiry;
};

class NodeStore {
 public:
  // Errors name the field under `field` ("nodes[2].ipAddresses[0]").
  core::Result<Node> add(const NodeSpec& spec, Micros now, const std::string& field = "");
  core::Result<Node> patch(std::uint64_t id, const NodePatch& patch);
  bool remove(std::uint64_t id);

  const Node* find(std::uint64_t id) const;
  std::vector<const Node*> list() const;  // ascending id
  const User* user(std::uint64_t id) const;
  const User* userByName(const std::string& name) const;
  const std::vector<User>& users() const { return users_; }
  std::size_t size() const { return nodes_.size(); }

  // Replaces everything with a saved database (state_file.h).
  core::Result<void> restore(std::vector<User> users, const std::vector<Node>& nodes);

 private:
  core::Result<std::uint64_t> resolveUser(const UserSpec& spec, Micros now, const std::string& field);
  core::Result<std::vector<std::string>> claimAddresses(const std::vector<std::string>& addresses, std::uint64_t owner,
                                                        const std::string& field) const;
  std::vector<std::string> assignAddresses();
  bool addressTaken(const std::string& address, std::uint64_t except) const;
  void indexAddresses(const Node& node);
  void releaseAddresses(const Node& node);

  std::map<std::uint64_t, Node> nodes_;
  std::vector<User> users_;
  std::unordered_map<std::string, std::uint64_t> addressOwner_;
  // Where the search for the lowest free address starts: nothing below is free.
  std::uint32_t ipv4Hint_ = 0;
  std::uint64_t ipv6Hint_ = 1;
};

// headscale's validateTag, with its messages.
std::optional<std::string> validateNodeTag(const std::string& tag);

}  // namespace postured::hsemu
