#include "api/enrollment.h"

#include <algorithm>

#include "api/device_import.h"
#include "api/headscale_enrollment.h"
#include "api/json_shapes.h"
#include "api/tailnet_settings.h"
#include "core/api_key.h"
#include "core/device_signature.h"
#include "core/random.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

constexpr std::size_t kMaxSerials = 16, kMaxSerialLength = 128, kMaxMacs = 64, kMaxFactLength = 128;

// What a device says about itself in a registration or a report.
struct DeviceFacts {
  std::string hostname, os, osVersion, clientVersion;
  bool identityReported = false;  // absent or {"PostureDisabled": true}: false
  std::vector<std::string> serials, macs;
};

core::Result<std::string> optionalFact(const Json& body, const char* name) {
  if (!body.contains(name)) return std::string();
  if (!body[name].is_string() || body[name].get<std::string>().size() > kMaxFactLength)
    return fail(ErrorKind::kInvalidArgument, "must be a string of at most 128 characters", name);
  return body[name].get<std::string>();
}

core::Result<std::vector<std::string>> stringList(const Json& list, const std::string& field, std::size_t maxItems) {
  if (!list.is_array() || list.size() > maxItems)
    return fail(ErrorKind::kInvalidArgument, "must be a list of at most " + std::to_string(maxItems) + " strings",
                field);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string())
      return fail(ErrorKind::kInvalidArgument, "must be a string", field + "[" + std::to_string(i) + "]");
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

core::Result<void> parseIdentity(const Json& identity, DeviceFacts& facts) {
  if (!identity.is_object())
    return fail(ErrorKind::kInvalidArgument,
                "must be {\"SerialNumbers\": [...], \"IfaceHardwareAddrs\": [...]} or {\"PostureDisabled\": true}",
                "identity");
  if (auto ok = rejectUnknownFields(identity, {"SerialNumbers", "IfaceHardwareAddrs", "PostureDisabled"}, "identity");
      !ok)
    return ok;
  if (identity.contains("PostureDisabled")) {
    if (!identity["PostureDisabled"].is_boolean())
      return fail(ErrorKind::kInvalidArgument, "must be true or false", "identity.PostureDisabled");
    if (identity["PostureDisabled"].get<bool>()) return {};  // whatever else it holds is not to be kept
  }
  facts.identityReported = true;
  if (identity.contains("SerialNumbers")) {
    auto serials = stringList(identity["SerialNumbers"], "identity.SerialNumbers", kMaxSerials);
    if (!serials) return tl::unexpected(serials.error());
    for (std::size_t i = 0; i < serials->size(); ++i) {
      auto s = (*serials)[i];
      s.erase(0, s.find_first_not_of(" \t\r\n"));
      s.erase(s.find_last_not_of(" \t\r\n") + 1);
      if (s.size() > kMaxSerialLength)
        return fail(ErrorKind::kInvalidArgument, "a serial number has at most 128 characters",
                    "identity.SerialNumbers[" + std::to_string(i) + "]");
      if (!s.empty()) facts.serials.push_back(std::move(s));
    }
  }
  if (identity.contains("IfaceHardwareAddrs")) {
    auto macs = stringList(identity["IfaceHardwareAddrs"], "identity.IfaceHardwareAddrs", kMaxMacs);
    if (!macs) return tl::unexpected(macs.error());
    for (std::size_t i = 0; i < macs->size(); ++i) {
      auto mac = normaliseMacAddress((*macs)[i], "identity.IfaceHardwareAddrs[" + std::to_string(i) + "]");
      if (!mac) return tl::unexpected(mac.error());
      facts.macs.push_back(std::move(*mac));
    }
    std::sort(facts.macs.begin(), facts.macs.end());
    facts.macs.erase(std::unique(facts.macs.begin(), facts.macs.end()), facts.macs.end());
  }
  return {};
}

core::Result<DeviceFacts> parseFacts(const Json& body) {
  DeviceFacts facts;
  if (!body.contains("hostname") || !body["hostname"].is_string())
    return fail(ErrorKind::kInvalidArgument, "is required: the device's host name", "hostname");
  facts.hostname = body["hostname"].get<std::string>();
  if (auto ok = validateHostname(facts.hostname, "hostname"); !ok) return tl::unexpected(ok.error());
  if (!body.contains("os") || !body["os"].is_string() || body["os"].get<std::string>().empty())
    return fail(ErrorKind::kInvalidArgument, "is required: the device's OS, such as \"linux\"", "os");
  auto os = optionalFact(body, "os");
  auto osVersion = optionalFact(body, "osVersion");
  auto clientVersion = optionalFact(body, "clientVersion");
  for (auto* r : {&os, &osVersion, &clientVersion})
    if (!*r) return tl::unexpected(r->error());
  facts.os = std::move(*os);
  facts.osVersion = std::move(*osVersion);
  facts.clientVersion = std::move(*clientVersion);
  if (body.contains("identity"))
    if (auto ok = parseIdentity(body["identity"], facts); !ok) return tl::unexpected(ok.error());
  return facts;
}

core::Result<Json> parseObject(const http::Request& req, std::initializer_list<std::string_view> fields) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  if (auto ok = rejectUnknownFields(*body, fields, ""); !ok) return tl::unexpected(ok.error());
  return body;
}

Json identityJson(const core::Device& d) {
  return Json{
      {"disabled", d.postureIdentityDisabled}, {"serialNumbers", d.serialNumbers}, {"macAddresses", d.macAddresses}};
}

Json factsJson(const core::Device& d) {
  return Json{{"hostname", d.hostname}, {"os", d.os}, {"osVersion", d.osVersion}, {"clientVersion", d.clientVersion}};
}

// Applies what a device reported to its record, audits what changed and
// writes the device. Returns whether identity collection is on.
core::Result<bool> recordFacts(store::WriteTx& tx, core::Device& device, const DeviceFacts& facts,
                               const core::ChangeContext& context) {
  auto collectionOn = identityCollectionOn(tx);
  if (!collectionOn) return tl::unexpected(collectionOn.error());
  const core::Device before = device;
  // A headscale node's name and last seen are headscale's (node_sync.h).
  if (device.headscaleNodeId.empty()) {
    device.hostname = facts.hostname;
    device.lastSeen = context.now;
  }
  device.os = facts.os;
  device.osVersion = facts.osVersion;
  device.clientVersion = facts.clientVersion;
  const bool keep = *collectionOn && facts.identityReported;
  device.postureIdentityDisabled = !keep;
  device.serialNumbers = keep ? facts.serials : std::vector<std::string>{};
  device.macAddresses = keep ? facts.macs : std::vector<std::string>{};

  const core::AuditTarget target{device.id, device.hostname, "NODE", ""};
  if (factsJson(before) != factsJson(device)) {
    auto event = context.event(target, "UPDATE");
    event.oldJson = factsJson(before).dump();
    event.newJson = factsJson(device).dump();
    if (auto ok = tx.appendAudit(event); !ok) return tl::unexpected(ok.error());
  }
  if (identityJson(before) != identityJson(device)) {
    auto propertyTarget = target;
    propertyTarget.property = "POSTURE_IDENTITY";
    auto event = context.event(propertyTarget, "UPDATE");
    event.oldJson = identityJson(before).dump();
    event.newJson = identityJson(device).dump();
    if (auto ok = tx.appendAudit(event); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = tx.updateDevice(device); !ok) return tl::unexpected(ok.error());
  return *collectionOn;
}

std::int64_t unixSeconds(core::Timestamp t) { return core::toUnixMillis(t) / 1000; }

// The auth key presented, checked: known, not revoked, not expired, not spent.
core::Result<core::ApiKey> presentedAuthKey(store::WriteTx& tx, const http::Request& req, core::Timestamp now) {
  const auto text = keyFromAuthorization(req.header("authorization"));
  if (text.empty())
    return fail(ErrorKind::kUnauthenticated, "auth key required: send \"Authorization: Bearer <auth key>\"");
  const auto id = core::authKeyIdOf(text);
  if (!id) return fail(ErrorKind::kUnauthenticated, "auth key is malformed; auth keys start with \"postured-auth-\"");
  auto key = tx.apiKey(*id);
  if (!key) return tl::unexpected(key.error());
  if (!*key || !(*key)->isAuthKey() || !core::constantTimeEquals((*key)->secretHash, core::hashKeySecret(text)))
    return fail(ErrorKind::kUnauthenticated, "auth key is not valid");
  const auto& k = **key;
  if (k.revoked) return fail(ErrorKind::kUnauthenticated, "auth key " + k.id + " was revoked; create a new one");
  if (!k.usableAt(now))
    return fail(ErrorKind::kUnauthenticated,
                "auth key " + k.id + " expired at " + core::formatRfc3339(k.expires) + "; create a new one");
  if (k.spent())
    return fail(ErrorKind::kUnauthenticated,
                "auth key " + k.id +
                    " was already used: it is a one-off key; create a reusable key to enroll several "
                    "devices");
  return std::move(**key);
}

core::Result<std::vector<std::string>> deviceTags(const Json& body, const core::ApiKey& key) {
  if (!body.contains("tags")) return key.capabilities.tags;
  auto requested = stringList(body["tags"], "tags", 64);
  if (!requested) return tl::unexpected(requested.error());
  std::vector<std::string> tags;
  for (std::size_t i = 0; i < requested->size(); ++i) {
    const auto& tag = (*requested)[i];
    const auto& allowed = key.capabilities.tags;
    if (std::find(allowed.begin(), allowed.end(), tag) == allowed.end()) {
      std::string list;
      for (const auto& t : allowed) list += (list.empty() ? "" : ", ") + t;
      return fail(ErrorKind::kPermissionDenied,
                  "tag \"" + tag + "\" is not allowed by this auth key" +
                      (list.empty() ? " (it creates untagged devices)" : " (its tags: " + list + ")"),
                  "tags[" + std::to_string(i) + "]");
    }
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
  return tags.empty() ? key.capabilities.tags : tags;
}

Json registrationJson(const core::Device& d, const std::string& tailnet, bool created, bool collectionOn,
                      core::Timestamp now) {
  auto j = deviceToJson(d, tailnet, false, nullptr, now);
  j["deviceId"] = d.id;
  j["created"] = created;
  j["postureIdentityCollectionOn"] = collectionOn;
  return j;
}

}  // namespace

core::Result<http::Response> registerDevice(ApiContext& ctx, const http::Request& req) {
  auto body =
      parseObject(req, {"nodeKey", "hostname", "os", "osVersion", "clientVersion", "tags", "identity", "addresses"});
  if (!body) return tl::unexpected(body.error());
  auto addresses = parseReportedAddresses(*body);
  if (!addresses) return tl::unexpected(addresses.error());
  if (!body->contains("nodeKey") || !(*body)["nodeKey"].is_string() ||
      !core::isValidNodeKey((*body)["nodeKey"].get<std::string>()))
    return fail(ErrorKind::kInvalidArgument, "is required: \"nodekey:\" and 64 hex digits", "nodeKey");
  const auto nodeKey = (*body)["nodeKey"].get<std::string>();
  const auto now = ctx.clock.now();
  if (auto ok = core::verifyDeviceRequest(nodeKey, req.header(core::kSignatureHeader), req.method, req.path, req.body,
                                          unixSeconds(now));
      !ok)
    return tl::unexpected(ok.error());
  auto facts = parseFacts(*body);
  if (!facts) return tl::unexpected(facts.error());

  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto key = presentedAuthKey(**tx, req, now);
  if (!key) return tl::unexpected(key.error());
  auto tags = deviceTags(*body, *key);
  if (!tags) return tl::unexpected(tags.error());
  const core::AuditActor actor{key->id, "AUTH_KEY", key->id, key->description.empty() ? key->id : key->description};
  core::ChangeContext context(actor, "NODE_REGISTRATION", now);

  // The same node key is the same device: update it rather than create another.
  std::optional<core::Device> existing;
  for (const auto& state : ctx.store.allDeviceStates())
    if (state->device.nodeKey == nodeKey) existing = state->device;
  const bool headscaleMode = ctx.headscale != nullptr;
  std::optional<core::Device> node;
  if (!existing && headscaleMode) node = nodeDeviceHolding(ctx.store, *addresses);
  core::Device device;
  if (existing) {
    device = *existing;
  } else if (node) {
    // The machine is a headscale node's: the registration completes that device.
    device = *node;
    device.nodeKey = nodeKey;
    device.ephemeral = key->capabilities.ephemeral;
    auto event = context.event(core::AuditTarget{device.id, device.hostname, "NODE", ""}, "UPDATE");
    event.newJson = Json{{"nodeKey", nodeKey}}.dump();
    event.actionDetails = "enrolled on the machine of headscale node " + device.headscaleNodeId;
    if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  } else {
    DeviceSpec spec;
    spec.device.hostname = facts->hostname;
    spec.device.tags = *tags;
    spec.device.user = tags->empty() ? key->capabilities.user : std::string();
    spec.device.nodeKey = nodeKey;
    spec.device.ephemeral = key->capabilities.ephemeral;
    spec.device.os = facts->os;
    if (headscaleMode)  // so that the poller knows the machine when its node appears
      if (auto ok = keepTailnetAddresses(**tx, spec.device, *addresses); !ok) return tl::unexpected(ok.error());
    std::vector<DeviceSpec> specs;
    specs.push_back(std::move(spec));
    auto created = createDevices(**tx, std::move(specs), context, addressAssignment(headscaleMode));
    if (!created) return tl::unexpected(created.error());
    device = std::move(created->front());
  }
  auto collectionOn = recordFacts(**tx, device, *facts, context);
  if (!collectionOn) return tl::unexpected(collectionOn.error());
  if (auto ok = (*tx)->markAuthKeyUsed(key->id, now); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  const bool created = !existing && !node;
  return jsonResponse(created ? 201 : 200, registrationJson(device, ctx.tailnet, created, *collectionOn, now));
}

core::Result<http::Response> reportDevice(ApiContext& ctx, const http::Request& req, const std::string& deviceId) {
  const auto now = ctx.clock.now();
  auto state = ctx.store.deviceState(deviceId);
  // One answer for "no such device" and "not enrolled": neither can report.
  if (!state || state->device.nodeKey.empty())
    return fail(ErrorKind::kNotFound, "no enrolled device with id \"" + deviceId + "\"; enroll again");
  if (auto ok = core::verifyDeviceRequest(state->device.nodeKey, req.header(core::kSignatureHeader), req.method,
                                          req.path, req.body, unixSeconds(now));
      !ok)
    return tl::unexpected(ok.error());
  auto body = parseObject(req, {"hostname", "os", "osVersion", "clientVersion", "identity", "addresses"});
  if (!body) return tl::unexpected(body.error());
  auto facts = parseFacts(*body);
  if (!facts) return tl::unexpected(facts.error());
  auto addresses = parseReportedAddresses(*body);
  if (!addresses) return tl::unexpected(addresses.error());

  auto tx = ctx.store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto current = (*tx)->device(deviceId);  // the committed record, not the cache's view of it
  if (!current) return tl::unexpected(current.error());
  if (!*current || (*current)->nodeKey != state->device.nodeKey)
    return fail(ErrorKind::kNotFound, "no enrolled device with id \"" + deviceId + "\"; enroll again");
  core::Device device = **current;
  const core::AuditActor actor{device.id, "NODE", device.hostname, device.hostname};
  core::ChangeContext context(actor, "NODE", now);
  if (ctx.headscale && device.headscaleNodeId.empty()) {
    // Enrolled before its node was known: link it now if it can be.
    if (auto node = nodeDeviceHolding(ctx.store, *addresses, device.id)) {
      if (auto ok = takeOverNode(**tx, device, *node, context); !ok) return tl::unexpected(ok.error());
    } else if (auto ok = keepTailnetAddresses(**tx, device, *addresses); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  auto collectionOn = recordFacts(**tx, device, *facts, context);
  if (!collectionOn) return tl::unexpected(collectionOn.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return jsonResponse(200, registrationJson(device, ctx.tailnet, false, *collectionOn, now));
}

core::Result<std::size_t> removeSilentEphemeralDevices(store::CachedStore& store, core::Timestamp now,
                                                       std::chrono::milliseconds timeout) {
  std::vector<core::Device> silent;
  for (const auto& state : store.allDeviceStates()) {
    const auto& d = state->device;
    if (d.ephemeral && d.lastSeen.value_or(d.created) + timeout <= now) silent.push_back(d);
  }
  if (silent.empty()) return 0;
  auto tx = store.write();
  if (!tx) return tl::unexpected(tx.error());
  core::ChangeContext context(core::AuditActor{"ephemeral-cleanup", "AUTOMATED_WORKER", "", "ephemeral cleanup"},
                              "AUTOMATED", now);
  std::size_t removed = 0;
  for (const auto& d : silent) {
    auto current = (*tx)->device(d.id);  // it may have reported since the scan
    if (!current) return tl::unexpected(current.error());
    if (!*current || (*current)->lastSeen != d.lastSeen) continue;
    if (auto ok = (*tx)->deleteDevice(d.id); !ok) return tl::unexpected(ok.error());
    auto event = context.event(core::AuditTarget{d.id, d.hostname, "NODE", ""}, "DELETE");
    event.oldJson = Json{{"hostname", d.hostname}, {"ephemeral", true}}.dump();
    event.actionDetails = "ephemeral device silent for longer than the timeout";
    if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
    ++removed;
  }
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return removed;
}

}  // namespace postured::api
