// Devices: list, get, delete (Tailscale's shapes) and import (our extension).
#include "api/device_import.h"
#include "api/json_shapes.h"
#include "api/routes.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

core::Result<bool> fieldsAll(const http::Request& req) {
  const auto fields = req.queryParam("fields");
  if (fields.empty() || fields == "default") return false;
  if (fields == "all") return true;
  return fail(ErrorKind::kInvalidArgument, "must be \"all\" or \"default\"", "fields");
}

core::Result<http::Response> listDevices(ApiContext& ctx, const http::Request& req) {
  auto all = fieldsAll(req);
  if (!all) return tl::unexpected(all.error());
  auto tx = ctx.store.read();
  if (!tx) return tl::unexpected(tx.error());
  auto devices = (*tx)->devices();
  if (!devices) return tl::unexpected(devices.error());
  std::unordered_map<std::string, std::vector<core::DeviceAttribute>> attributes;
  if (*all) {
    auto loaded = (*tx)->allAttributes();
    if (!loaded) return tl::unexpected(loaded.error());
    attributes = std::move(*loaded);
  }
  const auto now = ctx.clock.now();
  const std::vector<core::DeviceAttribute> none;
  Json list = Json::array();
  for (const auto& d : *devices) {
    const auto it = attributes.find(d.id);
    list.push_back(deviceToJson(d, ctx.tailnet, *all, it == attributes.end() ? &none : &it->second, now));
  }
  return jsonResponse(200, Json{{"devices", std::move(list)}});
}

core::Result<http::Response> getDevice(ApiContext& ctx, const http::Request& req, const std::string& id) {
  auto all = fieldsAll(req);
  if (!all) return tl::unexpected(all.error());
  auto tx = ctx.store.read();
  if (!tx) return tl::unexpected(tx.error());
  auto device = (*tx)->device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorKind::kNotFound, "no device with id \"" + id + "\"");
  std::vector<core::DeviceAttribute> attributes;
  if (*all) {
    auto loaded = (*tx)->attributes(id);
    if (!loaded) return tl::unexpected(loaded.error());
    attributes = std::move(*loaded);
  }
  return jsonResponse(200, deviceToJson(**device, ctx.tailnet, *all, &attributes, ctx.clock.now()));
}

core::Result<http::Response> deleteDevice(ApiContext& ctx, const std::string& id, const Caller& caller) {
  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto device = (*tx)->device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorKind::kNotFound, "no device with id \"" + id + "\"");
  auto attributes = (*tx)->attributes(id);
  if (!attributes) return tl::unexpected(attributes.error());

  ChangeContext change(caller.actor(), "CONFIG_API", ctx.clock.now());
  auto snapshot = deviceToJson(**device, ctx.tailnet, true, &*attributes, change.now);
  auto event = change.event(core::AuditTarget{id, (*device)->hostname, "NODE", ""}, "DELETE");
  event.oldJson = snapshot.dump();
  if (auto ok = (*tx)->deleteDevice(id); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return http::Response::json(200, "{}");
}

core::Result<http::Response> importDevices(ApiContext& ctx, const http::Request& req, const Caller& caller) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  auto specs = parseDeviceImport(*body);
  if (!specs) return tl::unexpected(specs.error());

  ChangeContext change(caller.actor(), "CONFIG_API", ctx.clock.now());
  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto created = createDevices(**tx, std::move(*specs), change, addressAssignment(ctx.headscale != nullptr));
  if (!created) return tl::unexpected(created.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());

  Json list = Json::array();
  const std::vector<core::DeviceAttribute> none;
  for (const auto& d : *created) list.push_back(deviceToJson(d, ctx.tailnet, true, &none, change.now));
  return jsonResponse(200, Json{{"devices", std::move(list)}});
}

}  // namespace

void registerDeviceRoutes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v2/tailnet/{tailnet}/devices",
             guarded(ctx, "devices:core:read",
                     [&ctx](const http::Request& req, auto&, auto&) { return listDevices(ctx, req); }));
  router.add(
      "POST", "/api/v2/tailnet/{tailnet}/devices",
      guarded(ctx, "devices:core",
              [&ctx](const http::Request& req, auto&, const Caller& caller) { return importDevices(ctx, req, caller); }),
      kImportMaxBodyBytes);
  router.add("GET", "/api/v2/device/{id}",
             guarded(ctx, "devices:core:read", [&ctx](const http::Request& req, const http::PathParams& p, auto&) {
               return getDevice(ctx, req, p.at("id"));
             }));
  router.add("DELETE", "/api/v2/device/{id}",
             guarded(ctx, "devices:core", [&ctx](auto&, const http::PathParams& p, const Caller& caller) {
               return deleteDevice(ctx, p.at("id"), caller);
             }));
}

}  // namespace postured::api
