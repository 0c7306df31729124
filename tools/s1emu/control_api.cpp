#include "control_api.h"

#include "s1_errors.h"
#include "timestamps.h"

namespace postured::s1emu {

namespace {

using nlohmann::ordered_json;

http::Response jsonResponse(int status, const ordered_json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

http::Response errorResponse(const core::Error& error) {
  const auto detail = error.field.empty() ? error.message : error.field + ": " + error.message;
  switch (error.kind) {
    case core::ErrorKind::kNotFound:
      return notFound(detail);
    case core::ErrorKind::kConflict:
      return conflict(detail);
    default:
      return validationError(detail);
  }
}

// Parses a request body, or explains why it is not JSON.
core::Result<ordered_json> parseBody(const http::Request& request) {
  try {
    return ordered_json::parse(request.body);
  } catch (const ordered_json::parse_error& e) {
    return core::fail(core::ErrorKind::kInvalidArgument, std::string("the body is not valid JSON: ") + e.what());
  }
}

}  // namespace

void registerControlApi(http::Router& router, Emulator& emu) {
  router.add("GET", "/_emu/faults", [&emu](const http::Request&, const http::PathParams&) {
    return jsonResponse(200, faultsToJson(emu.faults.get()));
  });
  router.add("POST", "/_emu/faults", [&emu](const http::Request& request, const http::PathParams&) {
    auto body = parseBody(request);
    if (!body) return errorResponse(body.error());
    Faults faults = emu.faults.get();
    if (auto ok = mergeFaults(faults, *body); !ok) return errorResponse(ok.error());
    emu.faults.set(faults);
    return jsonResponse(200, faultsToJson(faults));
  });
  router.add("DELETE", "/_emu/faults", [&emu](const http::Request&, const http::PathParams&) {
    emu.faults.set(Faults{});
    return jsonResponse(200, faultsToJson(Faults{}));
  });
  router.add("GET", "/_emu/stats", [&emu](const http::Request&, const http::PathParams&) {
    return jsonResponse(200, {{"agents", emu.fleet.size()}, {"requests", emu.agentRequests.load()}});
  });

  router.add("POST", "/_emu/agents", [&emu](const http::Request& request, const http::PathParams&) {
    auto body = parseBody(request);
    if (!body) return errorResponse(body.error());
    auto added = emu.fleet.add(std::move(*body), /*fillDefaults=*/true, nowMicros());
    if (!added) return errorResponse(added.error());
    return jsonResponse(201, *added);
  });
  router.add("GET", "/_emu/agents/{uuid}", [&emu](const http::Request&, const http::PathParams& params) {
    const auto& uuid = params.at("uuid");
    auto agent = emu.fleet.find(uuid);
    if (!agent) return notFound("no agent with uuid " + uuid);
    return jsonResponse(200, *agent);
  });
  router.add("PATCH", "/_emu/agents/{uuid}", [&emu](const http::Request& request, const http::PathParams& params) {
    auto body = parseBody(request);
    if (!body) return errorResponse(body.error());
    auto patched = emu.fleet.patch(params.at("uuid"), *body, nowMicros());
    if (!patched) return errorResponse(patched.error());
    return jsonResponse(200, *patched);
  });
  router.add("DELETE", "/_emu/agents/{uuid}", [&emu](const http::Request&, const http::PathParams& params) {
    const auto& uuid = params.at("uuid");
    if (!emu.fleet.remove(uuid)) return notFound("no agent with uuid " + uuid);
    http::Response response;
    response.status = 204;
    return response;
  });
}

}  // namespace postured::s1emu
