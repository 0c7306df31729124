#include "store/sqlite/statements.h"

#include <iterator>

namespace postured::store::sqlite {

#define POSTURED_DEVICE_COLUMNS                                                                      \
  "id, hostname, user_login, tags, ipv4, ipv6, os, os_version, client_version, created, last_seen, " \
  "serial_numbers, mac_addresses, posture_identity_disabled, node_key, ephemeral, headscale_node_id, online"

#define POSTURED_API_KEY_COLUMNS                                                          \
  "id, secret_hash, key_type, description, scopes, created, expires, revoked, reusable, " \
  "ephemeral, preauthorized, device_tags, device_user, used"

#define POSTURED_INTEGRATION_COLUMNS                                                                   \
  "id, provider, cloud_id, client_id, tenant_id, sealed_secret, created, config_updated, has_status, " \
  "last_sync, last_success, next_sync, paused_until, error, provider_host_count, matched_count, "      \
  "possible_matched_count, duplicate_serials, duration_ms"

#define POSTURED_RUN_COLUMNS                                                                                   \
  "id, integration_id, trigger, started_at, finished_at, outcome, error, provider_host_count, matched_count, " \
  "attributes_changed, duration_ms"

#define POSTURED_POLICY_COLUMNS "sequence, text, etag, created, actor_id, actor_login_name"

const char* const kAuditColumns =
    "sequence, event_time, event_group_id, origin, actor_id, actor_type, actor_login_name, "
    "actor_display_name, target_id, target_name, target_type, target_property, action, old_json, "
    "new_json, action_details";

namespace {

constexpr const char* kTexts[] = {
    // kBegin: deferred, so readers never take the write lock.
    "BEGIN",
    // kBeginImmediate: take the write lock now rather than fail on first write.
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    // kSnapshot: a deferred BEGIN only pins a WAL snapshot at the first read;
    // this read pins it when read() returns.
    "SELECT 1 FROM schema_migrations LIMIT 1",

    // kDeviceGet
    "SELECT " POSTURED_DEVICE_COLUMNS " FROM devices WHERE id = ?1",
    // kDeviceList
    "SELECT " POSTURED_DEVICE_COLUMNS " FROM devices ORDER BY seq",
    // kUsedAddresses
    "SELECT ipv4, ipv6 FROM devices",
    // kDeviceInsert: empty addresses become NULL so they do not collide.
    "INSERT INTO devices (" POSTURED_DEVICE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, NULLIF(?5, ''), NULLIF(?6, ''), ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULLIF(?15, ''), "
    "?16, NULLIF(?17, ''), ?18)",
    // kDeviceUpdate: every field but id and created (?10, bound but unused:
    // both statements share the parameter numbers of bindDevice()).
    "UPDATE devices SET hostname = ?2, user_login = ?3, tags = ?4, ipv4 = NULLIF(?5, ''), "
    "ipv6 = NULLIF(?6, ''), os = ?7, os_version = ?8, client_version = ?9, last_seen = ?11, "
    "serial_numbers = ?12, mac_addresses = ?13, posture_identity_disabled = ?14, node_key = NULLIF(?15, ''), "
    "ephemeral = ?16, headscale_node_id = NULLIF(?17, ''), online = ?18 WHERE id = ?1",
    // kDeviceDelete: attributes go with it (ON DELETE CASCADE).
    "DELETE FROM devices WHERE id = ?1",

    // kAttributes: the hot path; served by the primary key alone.
    "SELECT key, type, value, expiry, updated FROM attributes WHERE device_id = ?1 ORDER BY key_folded",
    // kAllAttributes
    "SELECT device_id, key, type, value, expiry, updated FROM attributes ORDER BY device_id, key_folded",
    // kAttributeKey
    "SELECT key, type FROM attributes WHERE key_folded = ?1 LIMIT 1",
    // kExpiredAttributes
    "SELECT device_id, key, type, value, expiry, updated FROM attributes "
    "WHERE expiry IS NOT NULL AND expiry <= ?1 ORDER BY expiry, device_id, key_folded",
    // kAttributePut: a key differing only in case replaces the value but keeps
    // the spelling first written.
    "INSERT INTO attributes (device_id, key_folded, key, type, value, expiry, updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (device_id, key_folded) DO UPDATE SET "
    "type = excluded.type, value = excluded.value, expiry = excluded.expiry, updated = excluded.updated",
    // kAttributeDelete
    "DELETE FROM attributes WHERE device_id = ?1 AND key_folded = ?2",

    // kProviderAttributes
    "SELECT namespace, attributes FROM provider_attributes WHERE device_id = ?1",
    // kAllProviderAttributes
    "SELECT device_id, namespace, attributes FROM provider_attributes ORDER BY device_id",
    // kProviderAttributesPut
    "INSERT INTO provider_attributes (device_id, namespace, attributes) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (device_id, namespace) DO UPDATE SET attributes = excluded.attributes",
    // kProviderAttributesDelete
    "DELETE FROM provider_attributes WHERE device_id = ?1 AND namespace = ?2",

    // kAuditAppend
    "INSERT INTO audit_events (event_time, event_group_id, origin, actor_id, actor_type, "
    "actor_login_name, actor_display_name, target_id, target_name, target_type, target_property, "
    "action, old_json, new_json, action_details) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",

    // kApiKeyGet
    "SELECT " POSTURED_API_KEY_COLUMNS " FROM api_keys WHERE id = ?1",
    // kApiKeyList: keys are never deleted, so rowid order is creation order.
    "SELECT " POSTURED_API_KEY_COLUMNS " FROM api_keys ORDER BY rowid",
    // kApiKeyInsert
    "INSERT INTO api_keys (" POSTURED_API_KEY_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    // kApiKeyRevoke
    "UPDATE api_keys SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
    // kAuthKeyMarkUsed: the first use only.
    "UPDATE api_keys SET used = ?2 WHERE id = ?1 AND used IS NULL",

    // kSettingGet
    "SELECT value FROM settings WHERE name = ?1",
    // kSettingPut
    "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",

    // kIntegrationGet
    "SELECT " POSTURED_INTEGRATION_COLUMNS " FROM integrations WHERE id = ?1",
    // kIntegrationList
    "SELECT " POSTURED_INTEGRATION_COLUMNS " FROM integrations ORDER BY seq",
    // kIntegrationInsert
    "INSERT INTO integrations (" POSTURED_INTEGRATION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    // kIntegrationUpdate: every field but id, provider and created; the
    // parameter numbers are those of kIntegrationInsert.
    "UPDATE integrations SET cloud_id = ?3, client_id = ?4, tenant_id = ?5, sealed_secret = ?6, "
    "config_updated = ?8, has_status = ?9, last_sync = ?10, last_success = ?11, next_sync = ?12, "
    "paused_until = ?13, error = ?14, provider_host_count = ?15, matched_count = ?16, "
    "possible_matched_count = ?17, duplicate_serials = ?18, duration_ms = ?19 WHERE id = ?1",
    // kIntegrationDelete: runs go with it (ON DELETE CASCADE).
    "DELETE FROM integrations WHERE id = ?1",

    // kRunList: newest first, from integration_runs_by_integration.
    "SELECT " POSTURED_RUN_COLUMNS
    " FROM integration_runs WHERE integration_id = ?1 "
    "ORDER BY sequence DESC LIMIT ?2",
    // kRunInsert
    "INSERT INTO integration_runs (" POSTURED_RUN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    // kRunPrune: deletes every run older than the newest ?2 of integration ?1.
    // The subquery finds the newest run that goes (NULL while there are at
    // most ?2, and then nothing matches).
    "DELETE FROM integration_runs WHERE integration_id = ?1 AND sequence <= "
    "(SELECT sequence FROM integration_runs WHERE integration_id = ?1 ORDER BY sequence DESC LIMIT 1 OFFSET ?2)",
    // kRunUpdate: every field but id, integration_id and started_at; the
    // parameter numbers are those of kRunInsert.
    "UPDATE integration_runs SET trigger = ?3, finished_at = ?5, outcome = ?6, error = ?7, "
    "provider_host_count = ?8, matched_count = ?9, attributes_changed = ?10, duration_ms = ?11 WHERE id = ?1",

    // kPolicyCurrent
    "SELECT " POSTURED_POLICY_COLUMNS " FROM policy_versions ORDER BY sequence DESC LIMIT 1",
    // kPolicyHistory: newest first.
    "SELECT " POSTURED_POLICY_COLUMNS " FROM policy_versions ORDER BY sequence DESC LIMIT ?1",
    // kPolicyAppend
    "INSERT INTO policy_versions (text, etag, created, actor_id, actor_login_name) VALUES (?1, ?2, ?3, ?4, ?5)",
};
static_assert(std::size(kTexts) == kSqlCount, "one SQL text per Sql enumerator, in order");

}  // namespace

#undef POSTURED_DEVICE_COLUMNS
#undef POSTURED_API_KEY_COLUMNS
#undef POSTURED_INTEGRATION_COLUMNS
#undef POSTURED_RUN_COLUMNS
#undef POSTURED_POLICY_COLUMNS

const char* sqlText(Sql sql) { return kTexts[static_cast<std::size_t>(sql)]; }

}  // namespace postured::store::sqlite
