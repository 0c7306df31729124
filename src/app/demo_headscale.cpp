#include "app/demo_headscale.h"

#include <cstdio>

#include "http/client.h"

namespace postured::app {

using Json = nlohmann::json;

const char* const kDemoPolicy = R"({
  // Written by postured demo. postured resolves the postures and pushes the
  // result to headscale, which has no device posture of its own.
  "groups": {"group:admins": ["user1@example.com"]},
  "tagOwners": {"tag:server": ["group:admins"]},
  "postures": {
    "posture:healthy": [
      "sentinelOne:infected == false",
      "sentinelOne:firewallEnabled == true",
      "sentinelOne:agentVersion >= '23.1'",
    ],
  },
  "acls": [
    // Only healthy machines reach the servers.
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:server:*"], "srcPosture": ["posture:healthy"]},
    {"action": "accept", "src": ["tag:server"], "dst": ["tag:server:*"]},
    {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*"]},
  ],
}
)";

Json demoTailnetAddresses(std::size_t index) {
  const std::uint32_t offset = static_cast<std::uint32_t>(index) + 1;  // 100.64.0.0 is the network's own
  const std::uint32_t v4 = (100u << 24) | (64u << 16) | offset;
  char ipv4[16], ipv6[40];
  std::snprintf(ipv4, sizeof ipv4, "%u.%u.%u.%u", v4 >> 24, (v4 >> 16) & 0xFF, (v4 >> 8) & 0xFF, v4 & 0xFF);
  std::snprintf(ipv6, sizeof ipv6, "fd7a:115c:a1e0::%x", offset);
  return Json::array({ipv4, ipv6});
}

void assignDemoAddresses(Json& importBody) {
  std::size_t i = 0;
  for (auto& device : importBody["devices"]) device["addresses"] = demoTailnetAddresses(i++);
}

Json demoNodes(const Json& importBody) {
  Json nodes = Json::array();
  for (const auto& device : importBody["devices"]) {
    Json node = {{"name", device["hostname"]}, {"ipAddresses", device["addresses"]}, {"online", true}};
    if (device.contains("tags")) {
      node["tags"] = device["tags"];
    } else {
      const auto email = device.value("user", std::string());
      node["user"] = {{"name", email.substr(0, email.find('@'))}, {"email", email}};
    }
    nodes.push_back(std::move(node));
  }
  return Json{{"nodes", std::move(nodes)}};
}

core::Result<void> addEmulatorNodes(const std::string& baseUrl, const Json& nodes) {
  http::HttpClient client;
  auto res = client.send({"POST", baseUrl + "/_emu/nodes", {{"Content-Type", "application/json"}}, nodes.dump()});
  if (!res) return tl::unexpected(res.error());
  if (res->status != 201)
    return core::fail(core::ErrorKind::kInternal, "hsemu refused the demo's nodes (" + std::to_string(res->status) +
                                                      "): " + res->body);
  return {};
}

}  // namespace postured::app
