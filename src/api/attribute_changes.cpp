#include "api/attribute_changes.h"

#include <map>
#include <unordered_map>

#include "api/json_shapes.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

core::AuditTarget nodeTarget(const core::Device& device) {
  return core::AuditTarget{device.id, device.hostname, "NODE", "ATTRIBUTES"};
}

// Old and new values of the keys a change touches on one device.
struct DeviceDiff {
  core::Device device;
  Json before = Json::object();
  Json after = Json::object();
};

}  // namespace

core::Result<std::size_t> applyAttributeChanges(store::WriteTx& tx, const std::vector<AttributeChange>& changes,
                                                const ChangeContext& context) {
  // Phase 1: validate everything against the store and the batch itself.
  std::unordered_map<std::string, std::optional<store::AttributeKeyInfo>> keyInfo;  // by folded key
  std::unordered_map<std::string, std::optional<core::Device>> devices;
  std::unordered_map<std::string, std::vector<core::DeviceAttribute>> current;
  for (const auto& change : changes) {
    const auto keyField = change.field;
    if (auto ok = core::validateCustomKey(change.key, keyField); !ok) return tl::unexpected(ok.error());

    auto [devIt, fresh] = devices.try_emplace(change.deviceId);
    if (fresh) {
      auto device = tx.device(change.deviceId);
      if (!device) return tl::unexpected(device.error());
      devIt->second = std::move(*device);
      if (devIt->second) {
        auto attrs = tx.attributes(change.deviceId);
        if (!attrs) return tl::unexpected(attrs.error());
        current[change.deviceId] = std::move(*attrs);
      }
    }
    if (!devIt->second) return fail(ErrorKind::kNotFound, "no device with id \"" + change.deviceId + "\"", keyField);
    if (!change.value) continue;

    if (auto ok = core::validateCustomValue(*change.value, keyField + ".value"); !ok)
      return tl::unexpected(ok.error());
    if (change.expiry && *change.expiry <= context.now)
      return fail(ErrorKind::kInvalidArgument, "expiry must be in the future", keyField + ".expiry");

    const auto folded = core::foldKey(change.key);
    auto [infoIt, unseen] = keyInfo.try_emplace(folded);
    if (unseen) {
      auto info = tx.attributeKey(change.key);
      if (!info) return tl::unexpected(info.error());
      infoIt->second = std::move(*info);
    }
    auto& info = infoIt->second;
    if (info && info->key != change.key)
      return fail(ErrorKind::kInvalidArgument,
                  "attribute key \"" + change.key + "\" clashes with the existing key \"" + info->key +
                      "\": keys are unique regardless of case; use \"" + info->key + "\"",
                  keyField);
    if (info && info->type != change.value->type())
      return fail(ErrorKind::kInvalidArgument,
                  "attribute \"" + change.key + "\" holds " + std::string(core::attributeTypeName(info->type)) +
                      " values in this tailnet; a " + std::string(core::attributeTypeName(change.value->type())) +
                      " cannot be stored (delete it from every device to change its type)",
                  keyField + ".value");
    if (!info) info = store::AttributeKeyInfo{change.key, change.value->type()};  // first write fixes the type
  }

  // Phase 2: apply, recording old and new values per device.
  std::map<std::string, DeviceDiff> diffs;  // ordered for stable audit output
  for (const auto& change : changes) {
    auto& attrs = current[change.deviceId];
    const auto folded = core::foldKey(change.key);
    auto it = std::find_if(attrs.begin(), attrs.end(), [&](const auto& a) { return core::foldKey(a.key) == folded; });
    const bool live = it != attrs.end() && !(it->expiry && *it->expiry <= context.now);
    const Json before = live ? attributeValueToJson(it->value) : Json(nullptr);

    if (change.value) {
      const core::DeviceAttribute next{change.key, *change.value, change.expiry, context.now};
      if (live && it->value == next.value && it->expiry == next.expiry) continue;  // nothing changes
      if (auto ok = tx.putAttribute(change.deviceId, next); !ok) return tl::unexpected(ok.error());
      if (it != attrs.end())
        *it = next;
      else
        attrs.push_back(next);
    } else {
      if (it == attrs.end()) continue;
      if (auto ok = tx.deleteAttribute(change.deviceId, change.key); !ok) return tl::unexpected(ok.error());
      attrs.erase(it);
      if (!live) continue;  // an expired value vanishing is not a visible change
    }
    auto& diff = diffs[change.deviceId];
    if (diff.device.id.empty()) diff.device = *devices[change.deviceId];
    if (!diff.before.contains(change.key)) diff.before[change.key] = before;
    diff.after[change.key] = change.value ? attributeValueToJson(*change.value) : Json(nullptr);
  }

  for (const auto& [id, diff] : diffs) {
    auto event = context.event(nodeTarget(diff.device), "UPDATE");
    event.oldJson = diff.before.dump();
    event.newJson = diff.after.dump();
    if (auto ok = tx.appendAudit(event); !ok) return tl::unexpected(ok.error());
  }
  return diffs.size();
}

core::Result<std::size_t> sweepExpiredAttributes(store::Store& store, core::Timestamp now) {
  auto tx = store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto expired = (*tx)->expiredAttributes(now);
  if (!expired) return tl::unexpected(expired.error());
  if (expired->empty()) return 0;

  ChangeContext context(
      core::AuditActor{"attribute-expiry", "AUTOMATED_WORKER", "attribute-expiry", "attribute expiry"}, "CONTROL",
      now);
  context.comment = "expired";
  std::map<std::string, DeviceDiff> diffs;
  for (const auto& e : *expired) {
    if (auto ok = (*tx)->deleteAttribute(e.deviceId, e.attribute.key); !ok) return tl::unexpected(ok.error());
    auto& diff = diffs[e.deviceId];
    if (diff.device.id.empty()) {
      auto device = (*tx)->device(e.deviceId);
      if (!device) return tl::unexpected(device.error());
      if (*device) diff.device = **device;
      diff.device.id = e.deviceId;
    }
    diff.before[e.attribute.key] = attributeValueToJson(e.attribute.value);
    diff.after[e.attribute.key] = nullptr;
  }
  for (const auto& [id, diff] : diffs) {
    auto event = context.event(nodeTarget(diff.device), "UPDATE");
    event.oldJson = diff.before.dump();
    event.newJson = diff.after.dump();
    if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return expired->size();
}

}  // namespace postured::api
