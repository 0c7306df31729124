#include "enforce/headscale/headscale_node.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/ip.h"

namespace postured::enforce::headscale {

namespace {

using core::ErrorKind;
using core::fail;
using Json = nlohmann::json;

constexpr std::size_t kMaxNodes = 1'000'000;

std::string at(const std::string& prefix, std::string_view member) { return prefix + "." + std::string(member); }

core::Result<std::string> optionalString(const Json& object, std::string_view member, const std::string& prefix) {
  const auto it = object.find(member);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return fail(ErrorKind::kInvalidArgument, at(prefix, member) + " must be a string");
  return it->get<std::string>();
}

// headscale's ids are uint64s: main prints them as strings, grpc-gateway as
// strings of digits too, and some proxies or older gateways as numbers.
core::Result<std::string> nodeId(const Json& node, const std::string& prefix) {
  const auto it = node.find("id");
  if (it == node.end() || it->is_null()) return fail(ErrorKind::kInvalidArgument, at(prefix, "id") + " is missing");
  std::string id;
  if (it->is_number_unsigned()) {
    id = std::to_string(it->get<std::uint64_t>());
  } else if (it->is_string()) {
    id = it->get<std::string>();
  } else {
    return fail(ErrorKind::kInvalidArgument, at(prefix, "id") + " must be a string or a number");
  }
  if (id.empty() || id.size() > 20 || id.find_first_not_of("0123456789") != std::string::npos)
    return fail(ErrorKind::kInvalidArgument, at(prefix, "id") + " \"" + id.substr(0, 40) + "\" is not a node id");
  return id;
}

core::Result<void> appendStrings(const Json& node, std::string_view member, const std::string& prefix,
                                 std::vector<std::string>& out) {
  const auto it = node.find(member);
  if (it == node.end() || it->is_null()) return {};
  if (!it->is_array()) return fail(ErrorKind::kInvalidArgument, at(prefix, member) + " must be an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    if (!v.is_string())
      return fail(ErrorKind::kInvalidArgument, at(prefix, member) + "[" + std::to_string(i) + "] must be a string");
    out.push_back(v.get<std::string>());
  }
  return {};
}

core::Result<void> readAddresses(const Json& node, const std::string& prefix, HeadscaleNode& out) {
  std::vector<std::string> addresses;
  if (auto ok = appendStrings(node, "ipAddresses", prefix, addresses); !ok) return ok;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const auto field = at(prefix, "ipAddresses") + "[" + std::to_string(i) + "]";
    if (auto v4 = core::parseIpv4(addresses[i])) {
      if (out.ipv4.empty()) out.ipv4 = core::formatIpv4(*v4);
    } else if (auto v6 = core::parseIpv6(addresses[i])) {
      if (out.ipv6.empty()) out.ipv6 = core::formatIpv6(*v6);
    } else {
      return fail(ErrorKind::kInvalidArgument, field + ": \"" + addresses[i].substr(0, 60) + "\" is not an IP address");
    }
  }
  return {};
}

// Go's zero time ("0001-01-01T00:00:00Z") is how headscale says "never".
core::Result<std::optional<core::Timestamp>> lastSeen(const Json& node, const std::string& prefix) {
  auto text = optionalString(node, "lastSeen", prefix);
  if (!text) return tl::unexpected(text.error());
  if (text->empty()) return std::nullopt;
  auto t = core::parseRfc3339(*text);
  if (!t) {
    if (text->starts_with("0001-01-01")) return std::nullopt;
    return fail(ErrorKind::kInvalidArgument, at(prefix, "lastSeen") + ": \"" + text->substr(0, 40) +
                                                 "\" is not an RFC 3339 time");
  }
  if (core::toUnixMillis(*t) <= 0) return std::nullopt;
  return *t;
}

core::Result<HeadscaleNode> readNode(const Json& node, const std::string& prefix) {
  if (!node.is_object()) return fail(ErrorKind::kInvalidArgument, prefix + " must be an object");
  HeadscaleNode out;
  auto id = nodeId(node, prefix);
  if (!id) return tl::unexpected(id.error());
  out.id = std::move(*id);
  for (auto [member, field] : {std::pair{"name", &out.name}, std::pair{"givenName", &out.givenName}}) {
    auto v = optionalString(node, member, prefix);
    if (!v) return tl::unexpected(v.error());
    *field = std::move(*v);
  }
  if (out.hostname().empty())
    return fail(ErrorKind::kInvalidArgument, at(prefix, "name") + " is missing: a node needs a name");
  if (const auto user = node.find("user"); user != node.end() && !user->is_null()) {
    if (!user->is_object()) return fail(ErrorKind::kInvalidArgument, at(prefix, "user") + " must be an object");
    auto name = optionalString(*user, "name", at(prefix, "user"));
    if (!name) return tl::unexpected(name.error());
    auto email = optionalString(*user, "email", at(prefix, "user"));
    if (!email) return tl::unexpected(email.error());
    out.userName = std::move(*name);
    out.userEmail = std::move(*email);
  }
  // main has `tags`; older releases split them into forced and valid ones.
  for (const auto* member : {"tags", "forcedTags", "validTags"})
    if (auto ok = appendStrings(node, member, prefix, out.tags); !ok) return tl::unexpected(ok.error());
  std::sort(out.tags.begin(), out.tags.end());
  out.tags.erase(std::unique(out.tags.begin(), out.tags.end()), out.tags.end());
  for (std::size_t i = 0; i < out.tags.size(); ++i)
    if (!out.tags[i].starts_with("tag:") || out.tags[i].size() == 4)
      return fail(ErrorKind::kInvalidArgument, at(prefix, "tags") + ": \"" + out.tags[i].substr(0, 60) +
                                                   "\" is not a tag (tag:name)");
  if (out.tags.empty() && out.owner().empty())
    return fail(ErrorKind::kInvalidArgument, at(prefix, "user") + " is missing: an untagged node needs a user");
  if (auto ok = readAddresses(node, prefix, out); !ok) return tl::unexpected(ok.error());
  auto seen = lastSeen(node, prefix);
  if (!seen) return tl::unexpected(seen.error());
  out.lastSeen = *seen;
  if (const auto online = node.find("online"); online != node.end() && !online->is_null()) {
    if (!online->is_boolean()) return fail(ErrorKind::kInvalidArgument, at(prefix, "online") + " must be a boolean");
    out.online = online->get<bool>();
  }
  return out;
}

}  // namespace

std::string HeadscaleNode::owner() const {
  if (!tags.empty()) return {};
  if (!userEmail.empty()) return userEmail;
  if (userName.empty() || userName.find('@') != std::string::npos) return userName;
  return userName + "@";
}

core::Result<std::vector<HeadscaleNode>> parseNodeList(std::string_view body) {
  const Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail(ErrorKind::kInvalidArgument, "the node list is not JSON");
  if (!doc.is_object()) return fail(ErrorKind::kInvalidArgument, "the node list must be a JSON object");
  const auto nodes = doc.find("nodes");
  // protojson leaves an empty list out.
  if (nodes == doc.end() || nodes->is_null()) return std::vector<HeadscaleNode>{};
  if (!nodes->is_array()) return fail(ErrorKind::kInvalidArgument, "nodes must be an array");
  if (nodes->size() > kMaxNodes) return fail(ErrorKind::kInvalidArgument, "nodes has more than 1,000,000 entries");
  std::vector<HeadscaleNode> out;
  out.reserve(nodes->size());
  for (std::size_t i = 0; i < nodes->size(); ++i) {
    auto node = readNode((*nodes)[i], "nodes[" + std::to_string(i) + "]");
    if (!node) return tl::unexpected(node.error());
    out.push_back(std::move(*node));
  }
  std::vector<const HeadscaleNode*> byId;
  for (const auto& n : out) byId.push_back(&n);
  std::sort(byId.begin(), byId.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (std::size_t i = 1; i < byId.size(); ++i)
    if (byId[i]->id == byId[i - 1]->id)
      return fail(ErrorKind::kInvalidArgument, "nodes: id " + byId[i]->id + " appears twice");
  return out;
}

}  // namespace postured::enforce::headscale
