#include "policy/devices_file.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace postured::policy {

namespace {

using nlohmann::json;

core::Result<void> bad(const std::string& field, const std::string& what) {
  return core::fail(core::ErrorKind::kInvalidArgument, field + ": " + what, field);
}

core::Result<std::vector<std::string>> stringList(const json& node, const char* key, const std::string& field) {
  std::vector<std::string> out;
  if (!node.contains(key) || node[key].is_null()) return out;
  const json& list = node[key];
  if (!list.is_array()) return tl::unexpected(bad(field, "expected an array of strings, found " + list.dump()).error());
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string())
      return tl::unexpected(
          bad(field + "[" + std::to_string(i) + "]", "expected a string, found " + list[i].dump()).error());
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

}  // namespace

std::optional<core::AttributeValue> attributeFromJson(const json& value) {
  if (value.is_boolean()) return core::AttributeValue(value.get<bool>());
  if (value.is_number()) return core::AttributeValue(value.get<double>());
  if (value.is_string()) return core::AttributeValue(value.get<std::string>());
  return std::nullopt;
}

json attributeToJson(const core::AttributeValue& value) {
  switch (value.type()) {
    case core::AttributeType::kBool:
      return value.asBool();
    case core::AttributeType::kNumber: {
      const double d = value.asNumber();
      if (d == static_cast<double>(static_cast<long long>(d)) && d > -9.2e18 && d < 9.2e18)
        return static_cast<long long>(d);
      return d;
    }
    case core::AttributeType::kString:
      return value.asString();
  }
  return nullptr;
}

core::Result<std::vector<PolicyNode>> nodesFromDevicesJson(const json& topology) {
  if (!topology.is_object())
    return core::fail(core::ErrorKind::kInvalidArgument, "expected a JSON object with \"nodes\"");
  for (const auto& [key, value] : topology.items())
    if (key != "users" && key != "nodes")
      return tl::unexpected(bad(key, "unknown field; expected \"users\" and \"nodes\"").error());

  std::map<std::string, std::string> loginByUser;  // name and email -> email
  if (topology.contains("users")) {
    const json& users = topology["users"];
    if (!users.is_array()) return tl::unexpected(bad("users", "expected an array of {name, email}").error());
    for (std::size_t i = 0; i < users.size(); ++i) {
      const std::string field = "users[" + std::to_string(i) + "]";
      const json& u = users[i];
      if (!u.is_object() || !u.contains("email") || !u["email"].is_string())
        return tl::unexpected(bad(field + ".email", "expected a string (the user's login)").error());
      const std::string email = u["email"].get<std::string>();
      loginByUser[email] = email;
      if (u.contains("name")) {
        if (!u["name"].is_string()) return tl::unexpected(bad(field + ".name", "expected a string").error());
        loginByUser[u["name"].get<std::string>()] = email;
      }
    }
  }

  if (!topology.contains("nodes") || !topology["nodes"].is_object())
    return core::fail(core::ErrorKind::kInvalidArgument, "nodes: expected an object of node name -> node", "nodes");
  std::vector<PolicyNode> nodes;
  const json& all = topology["nodes"];
  for (auto it = all.begin(); it != all.end(); ++it) {
    const std::string& name = it.key();
    const json& n = it.value();
    const std::string at = "nodes." + name;
    if (!n.is_object()) return tl::unexpected(bad(at, "expected an object").error());
    static const char* kKnown[] = {"hostname",        "tags",       "ipv4", "ipv6", "user", "routable_ips",
                                   "approved_routes", "attributes", "id"};
    for (const auto& [key, value] : n.items())
      if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown))
        return tl::unexpected(bad(at + "." + key, "unknown field").error());

    PolicyNode node;
    node.id = name;
    node.name = name;
    node.hostname = name;
    if (n.contains("hostname")) {
      if (!n["hostname"].is_string()) return tl::unexpected(bad(at + ".hostname", "expected a string").error());
      node.hostname = n["hostname"].get<std::string>();
    }
    auto tags = stringList(n, "tags", at + ".tags");
    if (!tags) return tl::unexpected(tags.error());
    for (std::size_t i = 0; i < tags->size(); ++i)
      if ((*tags)[i].rfind("tag:", 0) != 0)
        return tl::unexpected(
            bad(at + ".tags[" + std::to_string(i) + "]", "\"" + (*tags)[i] + "\" is not a tag (tag:name)").error());
    node.tags = *tags;
    if (n.contains("user") && !n["user"].is_null()) {
      if (!n["user"].is_string()) return tl::unexpected(bad(at + ".user", "expected a string").error());
      const std::string user = n["user"].get<std::string>();
      auto found = loginByUser.find(user);
      if (found != loginByUser.end()) {
        if (node.tags.empty()) node.userLogin = found->second;
      } else if (user.find('@') != std::string::npos) {
        if (node.tags.empty()) node.userLogin = user;
      } else {
        return tl::unexpected(bad(at + ".user", "\"" + user + "\" is not in users (by name or email)").error());
      }
    }
    for (const char* family : {"ipv4", "ipv6"}) {
      if (!n.contains(family) || n[family].is_null()) continue;
      const std::string field = at + "." + family;
      const bool v6 = std::string(family) == "ipv6";
      const std::string kind = v6 ? "an IPv6 address" : "an IPv4 address";
      if (!n[family].is_string()) return tl::unexpected(bad(field, "expected a string, " + kind).error());
      const std::string text = n[family].get<std::string>();
      auto addr = IpAddress::parse(text);
      if (!addr || addr->v6 != v6) return tl::unexpected(bad(field, "\"" + text + "\" is not " + kind).error());
      (v6 ? node.ipv6 : node.ipv4) = *addr;
    }
    auto routable = stringList(n, "routable_ips", at + ".routable_ips");
    if (!routable) return tl::unexpected(routable.error());
    for (std::size_t i = 0; i < routable->size(); ++i)
      if (!IpPrefix::parse((*routable)[i]))
        return tl::unexpected(
            bad(at + ".routable_ips[" + std::to_string(i) + "]", "\"" + (*routable)[i] + "\" is not an IP prefix")
                .error());
    auto approved = stringList(n, "approved_routes", at + ".approved_routes");
    if (!approved) return tl::unexpected(approved.error());
    for (std::size_t i = 0; i < approved->size(); ++i) {
      auto prefix = IpPrefix::parse((*approved)[i]);
      if (!prefix)
        return tl::unexpected(
            bad(at + ".approved_routes[" + std::to_string(i) + "]", "\"" + (*approved)[i] + "\" is not an IP prefix")
                .error());
      node.approvedRoutes.push_back(*prefix);
    }
    if (n.contains("attributes") && !n["attributes"].is_null()) {
      const json& attrs = n["attributes"];
      if (!attrs.is_object())
        return tl::unexpected(bad(at + ".attributes", "expected an object of key -> bool, number or string").error());
      for (auto a = attrs.begin(); a != attrs.end(); ++a) {
        const std::string field = at + ".attributes." + a.key();
        if (a.key().find(':') == std::string::npos)
          return tl::unexpected(bad(field, "an attribute key is namespace:name, e.g. custom:tier").error());
        auto value = attributeFromJson(a.value());
        if (!value)
          return tl::unexpected(bad(field, "expected a bool, number or string, found " + a.value().dump()).error());
        node.attributes.set(a.key(), *value);
      }
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

core::Result<std::vector<PolicyNode>> readDevicesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorKind::kInvalidArgument, path + ": cannot read the devices file");
  std::stringstream ss;
  ss << in.rdbuf();
  json topology = json::parse(ss.str(), nullptr, false);
  if (topology.is_discarded()) return core::fail(core::ErrorKind::kInvalidArgument, path + ": not valid JSON");
  auto nodes = nodesFromDevicesJson(topology);
  if (!nodes) return core::fail(nodes.error().kind, path + ": " + nodes.error().message, nodes.error().field);
  return nodes;
}

}  // namespace postured::policy
