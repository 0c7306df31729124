#include <charconv>

#include "control_api.h"
#include "node_input.h"
#include "node_json.h"
#include "policy_api.h"

namespace postured::hsemu {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::optional<std::uint64_t> nodeId(const std::string& text) {
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id == 0) return std::nullopt;
  return id;
}

http::Response noSuchNode(const std::string& id) {
  return controlError(core::Error{core::ErrorKind::kNotFound, "no node with id " + id, "id"});
}

http::Response addNodes(Emulator& emu, const http::Request& request) {
  auto body = parseControlBody(request);
  if (!body) return controlError(body.error());
  std::vector<std::pair<json, std::string>> specs;  // spec, field prefix
  if (body->is_object() && body->contains("nodes")) {
    const auto& list = (*body)["nodes"];
    if (!list.is_array() || body->size() != 1)
      return controlError(
          {core::ErrorKind::kInvalidArgument, "must be {\"nodes\": [NodeSpec...]} or one NodeSpec", "nodes"});
    for (std::size_t i = 0; i < list.size(); ++i) specs.emplace_back(list[i], "nodes[" + std::to_string(i) + "]");
  } else {
    specs.emplace_back(*body, "");
  }
  std::lock_guard lock(emu.mutex);
  // Added to a copy and swapped in, so a bad spec adds none of them.
  NodeStore next = emu.nodes;
  std::vector<std::uint64_t> ids;
  const auto now = nowMicros();
  for (const auto& [spec, field] : specs) {
    auto parsed = parseNodeSpec(spec, field);
    if (!parsed) return controlError(parsed.error());
    auto added = next.add(*parsed, now, field);
    if (!added) return controlError(added.error());
    ids.push_back(added->id);
  }
  std::swap(emu.nodes, next);
  if (auto saved = emu.save(); !saved) {
    std::swap(emu.nodes, next);
    return controlError(saved.error());
  }
  ordered_json created = ordered_json::array();
  for (const auto id : ids) created.push_back(controlNodeJson(*emu.nodes.find(id), emu.nodes));
  return controlJson(201, ordered_json{{"nodes", created}});
}

http::Response patchNode(Emulator& emu, const http::Request& request, const std::string& idText) {
  const auto id = nodeId(idText);
  if (!id) return noSuchNode(idText);
  auto body = parseControlBody(request);
  if (!body) return controlError(body.error());
  auto patch = parseNodePatch(*body);
  if (!patch) return controlError(patch.error());
  std::lock_guard lock(emu.mutex);
  if (!emu.nodes.find(*id)) return noSuchNode(idText);
  NodeStore next = emu.nodes;
  auto patched = next.patch(*id, *patch);
  if (!patched) return controlError(patched.error());
  std::swap(emu.nodes, next);
  if (auto saved = emu.save(); !saved) {
    std::swap(emu.nodes, next);
    return controlError(saved.error());
  }
  return controlJson(200, ordered_json{{"node", controlNodeJson(*emu.nodes.find(*id), emu.nodes)}});
}

http::Response deleteNode(Emulator& emu, const std::string& idText) {
  const auto id = nodeId(idText);
  if (!id) return noSuchNode(idText);
  std::lock_guard lock(emu.mutex);
  if (!emu.nodes.remove(*id)) return noSuchNode(idText);
  if (auto saved = emu.save(); !saved) return controlError(saved.error());
  http::Response response;
  response.status = 204;
  return response;
}

}  // namespace

void registerControlNodes(http::Router& router, Emulator& emu) {
  router.add("GET", "/_emu/nodes", [&emu](const http::Request&, const http::PathParams&) {
    std::lock_guard lock(emu.mutex);
    ordered_json nodes = ordered_json::array();
    for (const Node* node : emu.nodes.list()) nodes.push_back(controlNodeJson(*node, emu.nodes));
    return controlJson(200, ordered_json{{"nodes", nodes}});
  });
  router.add(
      "POST", "/_emu/nodes",
      [&emu](const http::Request& request, const http::PathParams&) { return addNodes(emu, request); },
      kMaxPolicyBodyBytes);
  router.add("PATCH", "/_emu/nodes/{id}", [&emu](const http::Request& request, const http::PathParams& params) {
    return patchNode(emu, request, params.at("id"));
  });
  router.add("DELETE", "/_emu/nodes/{id}",
             [&emu](const http::Request&, const http::PathParams& params) { return deleteNode(emu, params.at("id")); });
}

}  // namespace postured::hsemu
