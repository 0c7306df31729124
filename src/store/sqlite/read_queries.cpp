#include <algorithm>
#include <limits>

#include "store/sqlite/provider_attributes_codec.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/rows.h"

namespace postured::store::sqlite {

namespace {

using core::ErrorKind;

// Collects every row of `st` through `decode` (Statement -> Result<T>).
template <class T, class Decode>
Result<std::vector<T>> collect(Statement& st, Decode decode) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) return out;
    auto item = decode(st);
    if (!item) return tl::unexpected(std::move(item.error()));
    out.push_back(std::move(*item));
  }
}

Result<core::ApiKey> apiKeyFromRow(const Statement& st) {
  core::ApiKey k;
  k.id = st.string(0);
  k.secretHash = st.string(1);
  k.keyType = st.string(2);
  k.description = st.string(3);
  auto scopes = listFromColumn(st, 4, "scope list of API key", k.id);
  if (!scopes) return tl::unexpected(std::move(scopes.error()));
  k.scopes = std::move(*scopes);
  k.created = st.time(5);
  k.expires = st.time(6);
  k.revoked = st.optionalTime(7);
  k.capabilities.reusable = st.integer(8) != 0;
  k.capabilities.ephemeral = st.integer(9) != 0;
  k.capabilities.preauthorized = st.integer(10) != 0;
  auto tags = listFromColumn(st, 11, "device tag list of auth key", k.id);
  if (!tags) return tl::unexpected(std::move(tags.error()));
  k.capabilities.tags = std::move(*tags);
  k.capabilities.user = st.string(12);
  k.used = st.optionalTime(13);
  return k;
}

Result<core::AuditEvent> auditEventFromRow(const Statement& st) {
  core::AuditEvent e;
  e.sequence = st.integer(0);
  e.eventTime = st.time(1);
  e.eventGroupId = st.string(2);
  e.origin = st.string(3);
  e.actor = {st.string(4), st.string(5), st.string(6), st.string(7)};
  e.target = {st.string(8), st.string(9), st.string(10), st.string(11)};
  e.action = st.string(12);
  e.oldJson = st.string(13);
  e.newJson = st.string(14);
  e.actionDetails = st.string(15);
  return e;
}

Result<ExpiredAttribute> expiredFromRow(const Statement& st) {
  auto attribute = attributeFromRow(st, 1);
  if (!attribute) return tl::unexpected(std::move(attribute.error()));
  return ExpiredAttribute{st.string(0), std::move(*attribute)};
}

// Decodes a provider_attributes row (namespace, attributes at `first`) onto `out`.
Result<void> appendProviderAttributes(const Statement& st, int first, std::vector<core::DeviceAttribute>& out) {
  auto decoded = decodeProviderAttributes(st.text(first + 1));
  if (!decoded) {
    return core::fail(ErrorKind::kInternal,
                      "the store holds malformed " + st.string(first) + " attributes for a device");
  }
  for (auto& a : *decoded) out.push_back(std::move(a));
  return {};
}

void sortByFoldedKey(std::vector<core::DeviceAttribute>& attributes) {
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return core::foldKey(a.key) < core::foldKey(b.key); });
}

// A LIMIT parameter: SQLite takes a signed 64-bit integer.
std::int64_t limitParameter(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(limit, kMax));
}

// Only the filters that are set appear in the SQL, so SQLite can pick an index
// for them; the parameter numbers stay fixed across the variants.
std::string auditSql(const AuditQuery& q) {
  std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_events";
  const char* separator = " WHERE ";
  auto where = [&](const char* condition) {
    sql += separator;
    sql += condition;
    separator = " AND ";
  };
  if (q.start) where("event_time >= ?1");
  if (q.end) where("event_time < ?2");
  if (!q.actor.empty()) where("(actor_id = ?3 OR actor_login_name = ?3)");
  if (!q.target.empty()) where("(target_id = ?4 OR target_name = ?4)");
  if (!q.event.empty()) where("(action = ?5 COLLATE NOCASE OR target_property = ?5 COLLATE NOCASE)");
  // The newest events when the limit cuts: readers want what happened last.
  sql += " ORDER BY event_time DESC, sequence DESC LIMIT ?6";
  return sql;
}

}  // namespace

Result<std::optional<core::Device>> queryDevice(Connection& c, std::string_view id) {
  auto st = c.statement(Sql::kDeviceGet);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::nullopt;
  auto device = deviceFromRow(*st);
  if (!device) return tl::unexpected(std::move(device.error()));
  return std::move(*device);
}

Result<std::vector<core::Device>> queryDevices(Connection& c) {
  auto st = c.statement(Sql::kDeviceList);
  if (!st) return tl::unexpected(std::move(st.error()));
  return collect<core::Device>(*st, deviceFromRow);
}

Result<UsedAddresses> queryUsedAddresses(Connection& c) {
  auto st = c.statement(Sql::kUsedAddresses);
  if (!st) return tl::unexpected(std::move(st.error()));
  UsedAddresses used;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) return used;
    if (!st->isNull(0)) used.ipv4.emplace(st->text(0));
    if (!st->isNull(1)) used.ipv6.emplace(st->text(1));
  }
}

Result<std::vector<core::DeviceAttribute>> queryAttributes(Connection& c, std::string_view deviceId) {
  auto st = c.statement(Sql::kAttributes);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, deviceId);
  auto attributes = collect<core::DeviceAttribute>(*st, [](const Statement& s) { return attributeFromRow(s, 0); });
  if (!attributes) return attributes;
  auto provided = c.statement(Sql::kProviderAttributes);
  if (!provided) return tl::unexpected(std::move(provided.error()));
  provided->bindText(1, deviceId);
  bool merged = false;
  for (;;) {
    auto row = provided->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    if (auto ok = appendProviderAttributes(*provided, 0, *attributes); !ok) return tl::unexpected(ok.error());
    merged = true;
  }
  if (merged) sortByFoldedKey(*attributes);
  return attributes;
}

Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> queryAllAttributes(Connection& c) {
  auto st = c.statement(Sql::kAllAttributes);
  if (!st) return tl::unexpected(std::move(st.error()));
  std::unordered_map<std::string, std::vector<core::DeviceAttribute>> all;
  // Rows arrive grouped by device; look the device up once per group.
  std::vector<core::DeviceAttribute>* current = nullptr;
  std::string currentId;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    if (!current || st->text(0) != currentId) {
      currentId = st->string(0);
      current = &all[currentId];
    }
    auto attribute = attributeFromRow(*st, 1);
    if (!attribute) return tl::unexpected(std::move(attribute.error()));
    current->push_back(std::move(*attribute));
  }
  auto provided = c.statement(Sql::kAllProviderAttributes);
  if (!provided) return tl::unexpected(std::move(provided.error()));
  for (;;) {
    auto row = provided->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    if (auto ok = appendProviderAttributes(*provided, 1, all[provided->string(0)]); !ok)
      return tl::unexpected(ok.error());
  }
  for (auto& [id, attributes] : all) sortByFoldedKey(attributes);
  return all;
}

Result<std::optional<AttributeKeyInfo>> queryAttributeKey(Connection& c, std::string_view key) {
  const std::string folded = core::foldKey(key);
  auto st = c.statement(Sql::kAttributeKey);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, folded);
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::nullopt;
  const auto type = core::parseAttributeType(st->text(1));
  if (!type) {
    return core::fail(ErrorKind::kInternal,
                      "the store holds attribute " + st->string(0) + " with an unknown type " + st->string(1));
  }
  return AttributeKeyInfo{st->string(0), *type};
}

Result<std::vector<ExpiredAttribute>> queryExpiredAttributes(Connection& c, core::Timestamp now) {
  auto st = c.statement(Sql::kExpiredAttributes);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindTime(1, now);
  return collect<ExpiredAttribute>(*st, expiredFromRow);
}

Result<std::vector<core::AuditEvent>> queryAuditEvents(Connection& c, const AuditQuery& query) {
  auto st = c.statement(auditSql(query));
  if (!st) return tl::unexpected(std::move(st.error()));
  if (query.start) st->bindTime(1, *query.start);
  if (query.end) st->bindTime(2, *query.end);
  if (!query.actor.empty()) st->bindText(3, query.actor);
  if (!query.target.empty()) st->bindText(4, query.target);
  if (!query.event.empty()) st->bindText(5, query.event);
  st->bindInt(6, limitParameter(query.limit));
  auto events = collect<core::AuditEvent>(*st, auditEventFromRow);
  if (events) std::reverse(events->begin(), events->end());  // oldest first, as the API lists them
  return events;
}

Result<std::optional<core::ApiKey>> queryApiKey(Connection& c, std::string_view id) {
  auto st = c.statement(Sql::kApiKeyGet);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::nullopt;
  auto key = apiKeyFromRow(*st);
  if (!key) return tl::unexpected(std::move(key.error()));
  return std::move(*key);
}

Result<std::vector<core::ApiKey>> queryApiKeys(Connection& c) {
  auto st = c.statement(Sql::kApiKeyList);
  if (!st) return tl::unexpected(std::move(st.error()));
  return collect<core::ApiKey>(*st, apiKeyFromRow);
}

Result<std::optional<std::string>> querySetting(Connection& c, std::string_view name) {
  auto st = c.statement(Sql::kSettingGet);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, name);
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::nullopt;
  return st->string(0);
}

Result<std::vector<core::Integration>> queryIntegrations(Connection& c) {
  auto st = c.statement(Sql::kIntegrationList);
  if (!st) return tl::unexpected(std::move(st.error()));
  return collect<core::Integration>(*st, integrationFromRow);
}

Result<std::optional<core::Integration>> queryIntegration(Connection& c, std::string_view id) {
  auto st = c.statement(Sql::kIntegrationGet);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::nullopt;
  auto integration = integrationFromRow(*st);
  if (!integration) return tl::unexpected(std::move(integration.error()));
  return std::move(*integration);
}

Result<std::vector<core::IntegrationRun>> queryIntegrationRuns(Connection& c, std::string_view integrationId,
                                                               std::size_t limit) {
  auto st = c.statement(Sql::kRunList);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindText(1, integrationId);
  st->bindInt(2, limitParameter(limit));
  return collect<core::IntegrationRun>(*st, runFromRow);
}

namespace {

PolicyVersion policyFromRow(const Statement& st) {
  PolicyVersion v;
  v.sequence = st.integer(0);
  v.text = st.string(1);
  v.etag = st.string(2);
  v.created = st.time(3);
  v.actorId = st.string(4);
  v.actorLoginName = st.string(5);
  return v;
}

}  // namespace

Result<std::optional<PolicyVersion>> queryCurrentPolicy(Connection& c) {
  auto st = c.statement(Sql::kPolicyCurrent);
  if (!st) return tl::unexpected(std::move(st.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::nullopt;
  return policyFromRow(*st);
}

Result<std::vector<PolicyVersion>> queryPolicyHistory(Connection& c, std::size_t limit) {
  auto st = c.statement(Sql::kPolicyHistory);
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindInt(1, limitParameter(limit));
  return collect<PolicyVersion>(*st, [](const Statement& s) -> Result<PolicyVersion> { return policyFromRow(s); });
}

}  // namespace postured::store::sqlite
