#include "core/attribute.h"
#include "store/sqlite/list_codec.h"
#include "store/sqlite/provider_attributes_codec.h"
#include "store/sqlite/queries.h"

namespace postured::store::sqlite {

namespace {

using core::ErrorKind;

// Provider attributes are kept per namespace (replaceProviderAttributes), so
// the per-key writes would miss them.
Result<void> refuseProviderKey(std::string_view key) {
  if (core::attributeNamespaceOf(key) != core::AttributeNamespace::kIntegration) return {};
  return core::fail(ErrorKind::kInvalidArgument,
                    "attribute " + std::string(key) +
                        " belongs to a posture integration; it is written only with replaceProviderAttributes",
                    "key");
}

// Maps a unique-constraint failure on devices to the field that clashed.
core::Error deviceClash(const core::Device& device, const Statement& st, core::Error error) {
  const int code = st.errorCode();
  if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
    const auto& m = error.message;
    if (m.find("devices.ipv4") != std::string::npos)
      return {ErrorKind::kConflict, "IPv4 address " + device.ipv4 + " is already used by another device", "ipv4"};
    if (m.find("devices.ipv6") != std::string::npos)
      return {ErrorKind::kConflict, "IPv6 address " + device.ipv6 + " is already used by another device", "ipv6"};
    if (m.find("devices.headscale_node_id") != std::string::npos)
      return {ErrorKind::kConflict, "headscale node " + device.headscaleNodeId + " is already another device",
              "headscaleNodeId"};
    if (m.find("devices.node_key") != std::string::npos)
      return {ErrorKind::kConflict, "node key " + device.nodeKey + " belongs to another device", "nodeKey"};
    if (m.find("devices.id") != std::string::npos)
      return {ErrorKind::kConflict, "a device with id " + device.id + " already exists", "id"};
  }
  return error;
}

bool isUniqueViolation(const Statement& st) {
  return st.errorCode() == SQLITE_CONSTRAINT_PRIMARYKEY || st.errorCode() == SQLITE_CONSTRAINT_UNIQUE;
}

// Maps a unique-constraint failure on integrations to the field that clashed.
core::Error integrationClash(const core::Integration& integration, const Statement& st, core::Error error) {
  if (isUniqueViolation(st)) {
    const auto& m = error.message;
    if (m.find("integrations.provider") != std::string::npos)
      return {ErrorKind::kConflict, "a " + integration.provider + " integration already exists", "provider"};
    if (m.find("integrations.id") != std::string::npos)
      return {ErrorKind::kConflict, "an integration with id " + integration.id + " already exists", "id"};
  }
  return error;
}

// The parameters shared by kIntegrationInsert and kIntegrationUpdate (which
// leaves some of them unused). An absent status is stored as has_status = 0
// with empty status columns.
void bindIntegration(Statement& st, const core::Integration& i) {
  // Static: text is bound without a copy and must outlive the statement's run().
  static const core::IntegrationStatus kNoStatus;
  const core::IntegrationStatus& s = i.status ? *i.status : kNoStatus;
  st.bindText(1, i.id);
  st.bindText(2, i.provider);
  st.bindText(3, i.cloudId);
  st.bindText(4, i.clientId);
  st.bindText(5, i.tenantId);
  st.bindText(6, i.sealedSecret);
  st.bindTime(7, i.created);
  st.bindTime(8, i.configUpdated);
  st.bindInt(9, i.status ? 1 : 0);
  st.bindTime(10, s.lastSync);
  st.bindTime(11, s.lastSuccess);
  st.bindTime(12, s.nextSync);
  st.bindTime(13, s.pausedUntil);
  st.bindText(14, s.error);
  st.bindInt(15, s.providerHostCount);
  st.bindInt(16, s.matchedCount);
  st.bindInt(17, s.possibleMatchedCount);
  st.bindInt(18, s.duplicateSerials);
  st.bindInt(19, s.durationMs);
}

// The parameters shared by kRunInsert and kRunUpdate (which leaves some unused).
void bindRun(Statement& st, const core::IntegrationRun& r) {
  st.bindText(1, r.id);
  st.bindText(2, r.integrationId);
  st.bindText(3, r.trigger);
  st.bindTime(4, r.startedAt);
  st.bindTime(5, r.finishedAt);
  st.bindText(6, r.outcome);
  st.bindText(7, r.error);
  st.bindInt(8, r.providerHostCount);
  st.bindInt(9, r.matchedCount);
  st.bindInt(10, r.attributesChanged);
  st.bindInt(11, r.durationMs);
}

// A device's list columns, encoded; bound without a copy, so they must outlive run().
struct EncodedDeviceLists {
  std::string tags, serials, macs;
};

// Binds every column of kDeviceInsert and kDeviceUpdate (same numbering).
void bindDevice(Statement& st, const core::Device& device, const EncodedDeviceLists& lists) {
  st.bindText(1, device.id);
  st.bindText(2, device.hostname);
  st.bindText(3, device.user);
  st.bindText(4, lists.tags);
  st.bindText(5, device.ipv4);
  st.bindText(6, device.ipv6);
  st.bindText(7, device.os);
  st.bindText(8, device.osVersion);
  st.bindText(9, device.clientVersion);
  st.bindTime(10, device.created);
  st.bindTime(11, device.lastSeen);
  st.bindText(12, lists.serials);
  st.bindText(13, lists.macs);
  st.bindInt(14, device.postureIdentityDisabled ? 1 : 0);
  st.bindText(15, device.nodeKey);
  st.bindInt(16, device.ephemeral ? 1 : 0);
  st.bindText(17, device.headscaleNodeId);
  if (device.online)
    st.bindInt(18, *device.online ? 1 : 0);
  else
    st.bindNull(18);
}

Result<void> writeDevice(Connection& c, Sql sql, const core::Device& device) {
  const EncodedDeviceLists lists{encodeList(device.tags), encodeList(device.serialNumbers),
                                 encodeList(device.macAddresses)};
  auto st = c.statement(sql);
  if (!st) return tl::unexpected(std::move(st.error()));
  bindDevice(*st, device, lists);
  auto done = st->run();
  if (!done) return tl::unexpected(deviceClash(device, *st, std::move(done.error())));
  return {};
}

}  // namespace

Result<void> insertDevice(Connection& c, const core::Device& device) {
  return writeDevice(c, Sql::kDeviceInsert, device);
}

Result<void> updateDevice(Connection& c, const core::Device& device) {
  if (auto ok = writeDevice(c, Sql::kDeviceUpdate, device); !ok) return ok;
  if (c.changes() == 0) return core::fail(ErrorKind::kNotFound, "device " + device.id + " not found", "id");
  return {};
}

Result<void> deleteDevice(Connection& c, std::string_view id) {
  auto st = c.statement(Sql::kDeviceDelete);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  if (auto done = st->run(); !done) return done;
  if (c.changes() == 0) return core::fail(ErrorKind::kNotFound, "device " + std::string(id) + " not found", "id");
  return {};
}

Result<void> putAttribute(Connection& c, std::string_view deviceId, const core::DeviceAttribute& attribute) {
  if (auto refused = refuseProviderKey(attribute.key); !refused) return refused;
  const std::string folded = core::foldKey(attribute.key);
  const std::string value = attribute.value.encode();
  auto st = c.statement(Sql::kAttributePut);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, deviceId);
  st->bindText(2, folded);
  st->bindText(3, attribute.key);
  st->bindText(4, core::attributeTypeName(attribute.value.type()));
  st->bindText(5, value);
  st->bindTime(6, attribute.expiry);
  st->bindTime(7, attribute.updated);
  auto done = st->run();
  if (!done) {
    // The foreign key is the existence check: no extra lookup per attribute.
    if (st->errorCode() == SQLITE_CONSTRAINT_FOREIGNKEY)
      return core::fail(ErrorKind::kNotFound, "device " + std::string(deviceId) + " not found", "deviceId");
    return done;
  }
  return {};
}

Result<bool> deleteAttribute(Connection& c, std::string_view deviceId, std::string_view key) {
  if (auto refused = refuseProviderKey(key); !refused) return tl::unexpected(refused.error());
  const std::string folded = core::foldKey(key);
  auto st = c.statement(Sql::kAttributeDelete);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, deviceId);
  st->bindText(2, folded);
  if (auto done = st->run(); !done) return tl::unexpected(std::move(done.error()));
  return c.changes() > 0;
}

Result<void> replaceProviderAttributes(Connection& c, std::string_view deviceId, std::string_view ns,
                                       const std::vector<core::DeviceAttribute>& attributes) {
  for (const auto& a : attributes) {
    const std::string& key = a.key;
    const auto colon = key.find(':');
    if (colon == std::string::npos || std::string_view(key).substr(0, colon) != ns)
      return core::fail(ErrorKind::kInvalidArgument,
                        "attribute " + key + " is not in provider namespace " + std::string(ns), "key");
  }
  auto st = c.statement(attributes.empty() ? Sql::kProviderAttributesDelete : Sql::kProviderAttributesPut);
  if (!st) return tl::unexpected(std::move(st.error()));
  const std::string encoded = encodeProviderAttributes(attributes);
  st->bindText(1, deviceId);
  st->bindText(2, ns);
  if (!attributes.empty()) st->bindText(3, encoded);
  auto done = st->run();
  if (!done && st->errorCode() == SQLITE_CONSTRAINT_FOREIGNKEY)
    return core::fail(ErrorKind::kNotFound, "device " + std::string(deviceId) + " not found", "deviceId");
  return done;
}

Result<void> appendAudit(Connection& c, const core::AuditEvent& e) {
  auto st = c.statement(Sql::kAuditAppend);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindTime(1, e.eventTime);
  st->bindText(2, e.eventGroupId);
  st->bindText(3, e.origin);
  st->bindText(4, e.actor.id);
  st->bindText(5, e.actor.type);
  st->bindText(6, e.actor.loginName);
  st->bindText(7, e.actor.displayName);
  st->bindText(8, e.target.id);
  st->bindText(9, e.target.name);
  st->bindText(10, e.target.type);
  st->bindText(11, e.target.property);
  st->bindText(12, e.action);
  st->bindText(13, e.oldJson);
  st->bindText(14, e.newJson);
  st->bindText(15, e.actionDetails);
  return st->run();
}

Result<void> insertApiKey(Connection& c, const core::ApiKey& key) {
  const std::string scopes = encodeList(key.scopes);
  const std::string tags = encodeList(key.capabilities.tags);
  auto st = c.statement(Sql::kApiKeyInsert);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, key.id);
  st->bindText(2, key.secretHash);
  st->bindText(3, key.keyType);
  st->bindText(4, key.description);
  st->bindText(5, scopes);
  st->bindTime(6, key.created);
  st->bindTime(7, key.expires);
  st->bindTime(8, key.revoked);
  st->bindInt(9, key.capabilities.reusable ? 1 : 0);
  st->bindInt(10, key.capabilities.ephemeral ? 1 : 0);
  st->bindInt(11, key.capabilities.preauthorized ? 1 : 0);
  st->bindText(12, tags);
  st->bindText(13, key.capabilities.user);
  st->bindTime(14, key.used);
  auto done = st->run();
  if (!done) {
    if (isUniqueViolation(*st))
      return core::fail(ErrorKind::kConflict, "an API key with id " + key.id + " already exists", "id");
    return done;
  }
  return {};
}

Result<void> revokeApiKey(Connection& c, std::string_view id, core::Timestamp at) {
  auto st = c.statement(Sql::kApiKeyRevoke);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  st->bindTime(2, at);
  if (auto done = st->run(); !done) return done;
  if (c.changes() == 0)
    return core::fail(ErrorKind::kNotFound, "API key " + std::string(id) + " not found or already revoked", "id");
  return {};
}

Result<bool> markAuthKeyUsed(Connection& c, std::string_view id, core::Timestamp at) {
  auto st = c.statement(Sql::kAuthKeyMarkUsed);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  st->bindTime(2, at);
  if (auto done = st->run(); !done) return tl::unexpected(std::move(done.error()));
  return c.changes() > 0;
}

Result<void> putSetting(Connection& c, std::string_view name, std::string_view value) {
  auto st = c.statement(Sql::kSettingPut);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, name);
  st->bindText(2, value);
  return st->run();
}

Result<void> insertIntegration(Connection& c, const core::Integration& integration) {
  auto st = c.statement(Sql::kIntegrationInsert);
  if (!st) return tl::unexpected(std::move(st.error()));
  bindIntegration(*st, integration);
  auto done = st->run();
  if (!done) return tl::unexpected(integrationClash(integration, *st, std::move(done.error())));
  return {};
}

Result<void> updateIntegration(Connection& c, const core::Integration& integration) {
  auto st = c.statement(Sql::kIntegrationUpdate);
  if (!st) return tl::unexpected(std::move(st.error()));
  bindIntegration(*st, integration);
  if (auto done = st->run(); !done) return done;
  if (c.changes() == 0) return core::fail(ErrorKind::kNotFound, "integration " + integration.id + " not found", "id");
  return {};
}

Result<void> deleteIntegration(Connection& c, std::string_view id) {
  auto st = c.statement(Sql::kIntegrationDelete);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  if (auto done = st->run(); !done) return done;
  if (c.changes() == 0) return core::fail(ErrorKind::kNotFound, "integration " + std::string(id) + " not found", "id");
  return {};
}

Result<void> insertRun(Connection& c, const core::IntegrationRun& run) {
  {
    auto st = c.statement(Sql::kRunInsert);
    if (!st) return tl::unexpected(std::move(st.error()));
    bindRun(*st, run);
    auto done = st->run();
    if (!done) {
      // The foreign key is the existence check, as for attributes.
      if (st->errorCode() == SQLITE_CONSTRAINT_FOREIGNKEY)
        return core::fail(ErrorKind::kNotFound, "integration " + run.integrationId + " not found", "integrationId");
      if (isUniqueViolation(*st))
        return core::fail(ErrorKind::kConflict, "a run with id " + run.id + " already exists", "id");
      return done;
    }
  }
  // Keep only the newest kRunsKept runs of this integration, in the same
  // transaction, so the table never grows past them.
  auto prune = c.statement(Sql::kRunPrune);
  if (!prune) return tl::unexpected(std::move(prune.error()));
  prune->bindText(1, run.integrationId);
  prune->bindInt(2, static_cast<std::int64_t>(kRunsKept));
  return prune->run();
}

Result<void> updateRun(Connection& c, const core::IntegrationRun& run) {
  auto st = c.statement(Sql::kRunUpdate);
  if (!st) return tl::unexpected(std::move(st.error()));
  bindRun(*st, run);
  if (auto done = st->run(); !done) return done;
  if (c.changes() == 0) return core::fail(ErrorKind::kNotFound, "run " + run.id + " not found", "id");
  return {};
}

Result<std::int64_t> appendPolicyVersion(Connection& c, const PolicyVersion& version) {
  auto st = c.statement(Sql::kPolicyAppend);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, version.text);
  st->bindText(2, version.etag);
  st->bindTime(3, version.created);
  st->bindText(4, version.actorId);
  st->bindText(5, version.actorLoginName);
  if (auto done = st->run(); !done) return tl::unexpected(std::move(done.error()));
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(c.handle()));
}

}  // namespace postured::store::sqlite
