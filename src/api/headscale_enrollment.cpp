#include "api/headscale_enrollment.h"

#include <algorithm>

#include "api/json_shapes.h"
#include "core/attribute.h"
#include "core/ip.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

constexpr std::size_t kMaxAddresses = 64;

bool inTailnetRange(const std::string& address) {
  if (auto v4 = core::parseIpv4(address)) return (*v4 & 0xffc00000u) == core::kTailnetIpv4Base;  // 100.64.0.0/10
  const auto v6 = core::parseIpv6(address);
  static constexpr std::uint8_t kUla[6] = {0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0};  // fd7a:115c:a1e0::/48
  return v6 && std::equal(std::begin(kUla), std::end(kUla), v6->begin());
}

bool holds(const core::Device& d, const std::vector<std::string>& addresses) {
  return std::any_of(addresses.begin(), addresses.end(),
                     [&](const std::string& a) { return a == d.ipv4 || a == d.ipv6; });
}

}  // namespace

core::Result<std::vector<std::string>> parseReportedAddresses(const Json& body) {
  std::vector<std::string> out;
  const auto it = body.find("addresses");
  if (it == body.end()) return out;
  if (!it->is_array() || it->size() > kMaxAddresses)
    return fail(ErrorKind::kInvalidArgument, "must be a list of at most 64 IP addresses", "addresses");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto field = "addresses[" + std::to_string(i) + "]";
    const auto& v = (*it)[i];
    if (!v.is_string()) return fail(ErrorKind::kInvalidArgument, "must be a string", field);
    const auto text = v.get<std::string>();
    if (auto v4 = core::parseIpv4(text))
      out.push_back(core::formatIpv4(*v4));
    else if (auto v6 = core::parseIpv6(text))
      out.push_back(core::formatIpv6(*v6));
    else
      return fail(ErrorKind::kInvalidArgument, "\"" + text.substr(0, 60) + "\" is not an IP address", field);
  }
  return out;
}

std::optional<core::Device> nodeDeviceHolding(const store::CachedStore& store, const std::vector<std::string>& addresses,
                                              const std::string& except) {
  if (addresses.empty()) return std::nullopt;
  for (const auto& state : store.allDeviceStates()) {
    const auto& d = state->device;
    if (!d.headscaleNodeId.empty() && d.nodeKey.empty() && d.id != except && holds(d, addresses)) return d;
  }
  return std::nullopt;
}

core::Result<void> keepTailnetAddresses(store::WriteTx& tx, core::Device& device,
                                        const std::vector<std::string>& addresses) {
  auto used = tx.usedAddresses();
  if (!used) return tl::unexpected(used.error());
  for (const auto& a : addresses) {
    if (!inTailnetRange(a)) continue;
    const bool v4 = core::parseIpv4(a).has_value();
    auto& slot = v4 ? device.ipv4 : device.ipv6;
    auto& taken = v4 ? used->ipv4 : used->ipv6;
    if (slot == a || taken.count(a)) continue;
    if (slot.empty()) slot = a;
  }
  return {};
}

core::Result<void> takeOverNode(store::WriteTx& tx, core::Device& device, const core::Device& node,
                                const core::ChangeContext& context) {
  auto attributes = tx.attributes(node.id);
  if (!attributes) return tl::unexpected(attributes.error());
  if (auto ok = tx.deleteDevice(node.id); !ok) return tl::unexpected(ok.error());
  auto removed = context.event(core::AuditTarget{node.id, node.hostname, "NODE", ""}, "DELETE");
  removed.oldJson = Json{{"hostname", node.hostname}, {"headscaleNodeId", node.headscaleNodeId}}.dump();
  removed.actionDetails = "headscale node " + node.headscaleNodeId + " is the enrolled device " + device.id;
  if (auto ok = tx.appendAudit(removed); !ok) return tl::unexpected(ok.error());

  const Json before{{"hostname", device.hostname}, {"headscaleNodeId", device.headscaleNodeId}};
  device.headscaleNodeId = node.headscaleNodeId;
  device.hostname = node.hostname;
  device.user = node.user;
  device.tags = node.tags;
  device.ipv4 = node.ipv4;
  device.ipv6 = node.ipv6;
  device.online = node.online;
  device.lastSeen = node.lastSeen;
  if (auto ok = tx.updateDevice(device); !ok) return tl::unexpected(ok.error());
  for (const auto& a : *attributes)  // provider attributes come back with the next sync, by serial
    if (core::attributeNamespaceOf(a.key) == core::AttributeNamespace::kCustom)
      if (auto ok = tx.putAttribute(device.id, a); !ok) return tl::unexpected(ok.error());
  auto event = context.event(core::AuditTarget{device.id, device.hostname, "NODE", ""}, "UPDATE");
  event.oldJson = before.dump();
  event.newJson = Json{{"hostname", device.hostname}, {"headscaleNodeId", device.headscaleNodeId}}.dump();
  event.actionDetails = "the enrolled device is headscale node " + node.headscaleNodeId + ", which holds its address";
  return tx.appendAudit(event);
}

}  // namespace postured::api
