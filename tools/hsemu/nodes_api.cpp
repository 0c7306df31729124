#include "nodes_api.h"

#include <charconv>

#include "api_errors.h"
#include "api_guard.h"
#include "api_response.h"
#include "go_text.h"
#include "node_json.h"

namespace postured::hsemu {

namespace {

using nlohmann::ordered_json;

// strconv.ParseUint(text, 10, 64), with its error text.
std::optional<std::string> parseUint64(const std::string& text, std::uint64_t& out) {
  const auto prefix = "strconv.ParseUint: parsing " + goQuote(text) + ": ";
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return prefix + "invalid syntax";
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return prefix + "value out of range";
  return std::nullopt;
}

http::Response listNodes(Emulator& emu, const http::Request& request) {
  const std::string userName(request.queryParam("user"));
  std::lock_guard lock(emu.mutex);
  const User* user = userName.empty() ? nullptr : emu.nodes.userByName(userName);
  // main looks the user up first (404 when unknown); the gRPC handler
  // filters by name and answers an empty list.
  if (!userName.empty() && !user && emu.flavor == Flavor::kMain)
    return renderError(emu.flavor, wrappedError(404, grpc::kNotFound, "listing nodes", "user not found"));
  ordered_json nodes = ordered_json::array();
  for (const Node* node : emu.nodes.list()) {
    if (!userName.empty() && (!user || node->userId != user->id)) continue;
    nodes.push_back(apiNodeJson(emu.flavor, *node, emu.nodes, NodeView::kList));
  }
  return apiJson(emu.flavor, ordered_json{{"nodes", std::move(nodes)}});
}

http::Response getNode(Emulator& emu, const std::string& idText) {
  std::uint64_t id = 0;
  if (auto error = parseUint64(idText, id))
    return renderError(emu.flavor,
                       plainError(400, grpc::kInvalidArgument, "type mismatch, parameter: node_id, error: " + *error));
  std::lock_guard lock(emu.mutex);
  const Node* node = emu.nodes.find(id);
  if (!node) {
    // v0.25 passed gorm's error through as a plain error (500).
    if (emu.flavor == Flavor::kV025)
      return renderError(emu.flavor, plainError(500, grpc::kUnknown, "record not found"));
    return renderError(emu.flavor, plainError(404, grpc::kNotFound, "node not found"));
  }
  return apiJson(emu.flavor, ordered_json{{"node", apiNodeJson(emu.flavor, *node, emu.nodes, NodeView::kSingle)}});
}

}  // namespace

void registerNodesApi(http::Router& router, Emulator& emu) {
  router.add("GET", "/api/v1/node",
             guarded(emu, ApiOp::kNodeList, [&emu](const http::Request& request, const http::PathParams&) {
               return listNodes(emu, request);
             }));
  router.add("GET", "/api/v1/node/{nodeId}",
             guarded(emu, ApiOp::kNodeGet, [&emu](const http::Request&, const http::PathParams& params) {
               return getNode(emu, params.at("nodeId"));
             }));
}

}  // namespace postured::hsemu
