// Every fixed SQL statement of the SQLite backend, named. Connections prepare
// each one once (persistent) and index their cache by this enum, so using a
// statement costs an array lookup rather than a parse or a hash.
#pragma once

#include <cstddef>

namespace postured::store::sqlite {

enum class Sql : std::size_t {
  kBegin,
  kBeginImmediate,
  kCommit,
  kRollback,
  kSnapshot,

  kDeviceGet,
  kDeviceList,
  kUsedAddresses,
  kDeviceInsert,
  kDeviceUpdate,
  kDeviceDelete,

  kAttributes,
  kAllAttributes,
  kAttributeKey,
  kExpiredAttributes,
  kAttributePut,
  kAttributeDelete,
  kProviderAttributes,
  kAllProviderAttributes,
  kProviderAttributesPut,
  kProviderAttributesDelete,

  kAuditAppend,

  kApiKeyGet,
  kApiKeyList,
  kApiKeyInsert,
  kApiKeyRevoke,
  kAuthKeyMarkUsed,

  kSettingGet,
  kSettingPut,

  kIntegrationGet,
  kIntegrationList,
  kIntegrationInsert,
  kIntegrationUpdate,
  kIntegrationDelete,

  kRunList,
  kRunInsert,
  kRunPrune,
  kRunUpdate,

  kPolicyCurrent,
  kPolicyHistory,
  kPolicyAppend,

  kCount,
};

inline constexpr std::size_t kSqlCount = static_cast<std::size_t>(Sql::kCount);

const char* sqlText(Sql sql);

// Column lists shared by the statements and by the code reading their rows.
// Device rows: id, hostname, user_login, tags, ipv4, ipv6, os, os_version,
// client_version, created, last_seen, serial_numbers, mac_addresses,
// posture_identity_disabled (columns 0..13).
// Audit rows: see kAuditColumns.
// Integration rows: id, provider, cloud_id, client_id, tenant_id,
// sealed_secret, created, config_updated, has_status, last_sync, last_success,
// next_sync, paused_until, error, provider_host_count, matched_count,
// possible_matched_count, duplicate_serials, duration_ms (columns 0..18).
// Run rows: id, integration_id, trigger, started_at, finished_at, outcome,
// error, provider_host_count, matched_count, attributes_changed, duration_ms
// (columns 0..10).
extern const char* const kAuditColumns;

}  // namespace postured::store::sqlite
