#include "control_api.h"

namespace postured::hsemu {

namespace {

using core::ErrorKind;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr int kMaxDelayMs = 60'000;

ordered_json faultsJson(const Faults& f) {
  return {
      {"unavailable", f.unavailable}, {"failPuts", f.failPuts}, {"failStatus", f.failStatus}, {"delayMs", f.delayMs}};
}

core::Result<void> mergeFaults(Faults& faults, const json& body) {
  if (!body.is_object()) return core::fail(ErrorKind::kInvalidArgument, "must be a JSON object", "body");
  for (const auto& [name, value] : body.items()) {
    if (name == "unavailable") {
      if (!value.is_boolean()) return core::fail(ErrorKind::kInvalidArgument, "must be true or false", name);
      faults.unavailable = value.get<bool>();
      continue;
    }
    int low = 0, high = 0;
    int* target = nullptr;
    if (name == "failPuts") target = &faults.failPuts, low = 0, high = 1'000'000;
    if (name == "failStatus") target = &faults.failStatus, low = 400, high = 599;
    if (name == "delayMs") target = &faults.delayMs, low = 0, high = kMaxDelayMs;
    if (!target)
      return core::fail(ErrorKind::kInvalidArgument,
                        "unknown fault (known: unavailable, failPuts, failStatus, delayMs)", name);
    if (!value.is_number_integer() || value.get<long long>() < low || value.get<long long>() > high)
      return core::fail(ErrorKind::kInvalidArgument,
                        "must be an integer from " + std::to_string(low) + " to " + std::to_string(high), name);
    *target = value.get<int>();
  }
  return {};
}

ordered_json pushJson(const Push& push, bool withPolicy) {
  ordered_json out = {
      {"receivedAtMicros", push.receivedAt}, {"at", formatMicrosTime(push.at)}, {"atMicros", push.at},
      {"outcome", push.outcome},
      {"status", push.status},           {"error", push.error}, {"sha256", push.sha256},
      {"bytes", push.policy.size()}};
  if (withPolicy) out["policy"] = push.policy;
  return out;
}

http::Response noContent() {
  http::Response response;
  response.status = 204;
  return response;
}

}  // namespace

http::Response controlJson(int status, const ordered_json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

http::Response controlError(const core::Error& error) {
  const auto message = error.field.empty() ? error.message : error.field + ": " + error.message;
  return controlJson(error.kind == ErrorKind::kNotFound   ? 404
                     : error.kind == ErrorKind::kInternal ? 500
                                                          : 400,
                     ordered_json{{"error", message}});
}

core::Result<json> parseControlBody(const http::Request& request) {
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return core::fail(ErrorKind::kInvalidArgument, "is not valid JSON", "body");
  return body;
}

void registerControlApi(http::Router& router, Emulator& emu) {
  registerControlNodes(router, emu);

  router.add("GET", "/_emu/pushes", [&emu](const http::Request& request, const http::PathParams&) {
    const auto without = request.queryParam("withoutPolicy");
    const bool withPolicy = without.empty() || without == "0" || without == "false";
    std::lock_guard lock(emu.mutex);
    ordered_json pushes = ordered_json::array();
    for (const auto& push : emu.pushes) pushes.push_back(pushJson(push, withPolicy));
    return controlJson(200, ordered_json{{"pushes", std::move(pushes)}});
  });
  router.add("DELETE", "/_emu/pushes", [&emu](const http::Request&, const http::PathParams&) {
    std::lock_guard lock(emu.mutex);
    emu.pushes.clear();
    return noContent();
  });

  router.add("GET", "/_emu/mode", [&emu](const http::Request&, const http::PathParams&) {
    std::lock_guard lock(emu.mutex);
    return controlJson(200, ordered_json{{"mode", policyModeName(emu.mode)}});
  });
  router.add("PUT", "/_emu/mode", [&emu](const http::Request& request, const http::PathParams&) {
    auto body = parseControlBody(request);
    if (!body) return controlError(body.error());
    const auto it = body->is_object() ? body->find("mode") : body->end();
    const auto mode = it != body->end() && it->is_string() ? parsePolicyMode(it->get<std::string>()) : std::nullopt;
    if (!mode || body->size() != 1)
      return controlError(
          {ErrorKind::kInvalidArgument, "must be {\"mode\": \"database\"} or {\"mode\": \"file\"}", "mode"});
    std::lock_guard lock(emu.mutex);
    emu.mode = *mode;
    if (auto saved = emu.save(); !saved) return controlError(saved.error());
    return controlJson(200, ordered_json{{"mode", policyModeName(emu.mode)}});
  });

  router.add("GET", "/_emu/faults", [&emu](const http::Request&, const http::PathParams&) {
    std::lock_guard lock(emu.mutex);
    return controlJson(200, faultsJson(emu.faults));
  });
  router.add("POST", "/_emu/faults", [&emu](const http::Request& request, const http::PathParams&) {
    auto body = parseControlBody(request);
    if (!body) return controlError(body.error());
    std::lock_guard lock(emu.mutex);
    Faults next = emu.faults;
    if (auto ok = mergeFaults(next, *body); !ok) return controlError(ok.error());
    emu.faults = next;
    return controlJson(200, faultsJson(emu.faults));
  });
  router.add("DELETE", "/_emu/faults", [&emu](const http::Request&, const http::PathParams&) {
    std::lock_guard lock(emu.mutex);
    emu.faults = Faults{};
    return controlJson(200, faultsJson(emu.faults));
  });

  router.add("GET", "/_emu/stats", [&emu](const http::Request&, const http::PathParams&) {
    return controlJson(200, ordered_json{{"nodeListRequests", emu.nodeListRequests.load()},
                                         {"policyGets", emu.policyGets.load()},
                                         {"policyPuts", emu.policyPuts.load()},
                                         {"policyChecks", emu.policyChecks.load()}});
  });
}

}  // namespace postured::hsemu
