// The typed persistence interface. No SQL exists outside src/store/.
//
// Work happens in transactions: read() gives a consistent snapshot, write()
// an exclusive writer (writers are serialised; readers never block writers).
// A WriteTx that is destroyed without commit() rolls back, so a failure
// anywhere leaves the store as it was. Transactions are used by one thread
// at a time; the Store itself is thread-safe.
//
// Every backend (SQLite now, PostgreSQL later) passes the same conformance
// suite, tests/store/store_conformance.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/api_key.h"
#include "core/attribute.h"
#include "core/audit.h"
#include "core/device.h"
#include "core/integration.h"
#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"

namespace postured::store {

using core::Result;

// Tailnet-wide registration of an attribute key: its spelling as first written
// and its type. Derived from the attributes held by devices, so a key whose
// last value was deleted is free again.
struct AttributeKeyInfo {
  std::string key;
  core::AttributeType type;
};

struct ExpiredAttribute {
  std::string deviceId;
  core::DeviceAttribute attribute;
};

struct AuditQuery {
  std::optional<core::Timestamp> start;  // inclusive
  std::optional<core::Timestamp> end;    // exclusive
  std::string actor;                     // matches actor id or loginName, when set
  std::string target;                    // matches target id or name, when set
  std::string event;                     // matches action (CREATE, UPDATE, ...) or target property, case-insensitively
  std::size_t limit = 10000;
};

struct UsedAddresses {
  std::unordered_set<std::string> ipv4;
  std::unordered_set<std::string> ipv6;
};

inline constexpr std::size_t kRunsKept = 200;

// One saved version of the tailnet policy file. Versions are appended, never
// changed; the newest is the policy in force.
struct PolicyVersion {
  std::int64_t sequence = 0;  // assigned by the store, increasing
  std::string text;           // the body exactly as posted (HuJSON kept verbatim)
  std::string etag;           // opaque to the store
  core::Timestamp created{};
  std::string actorId;  // who saved it (API key id, ...)
  std::string actorLoginName;
};

class ReadTx {
 public:
  virtual ~ReadTx() = default;

  virtual Result<std::optional<core::Device>> device(std::string_view id) = 0;
  virtual Result<std::vector<core::Device>> devices() = 0;  // ordered by creation
  virtual Result<UsedAddresses> usedAddresses() = 0;

  // A device's attributes (those written with putAttribute and those of every
  // provider namespace), ordered by key. Empty when the device has none or
  // does not exist.
  virtual Result<std::vector<core::DeviceAttribute>> attributes(std::string_view deviceId) = 0;
  // Every device's attributes, keyed by device id (for fields=all lists).
  virtual Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> allAttributes() = 0;
  // Case-insensitive lookup of a key written with putAttribute and held by
  // any device. Provider keys are not registered: their types are the provider's.
  virtual Result<std::optional<AttributeKeyInfo>> attributeKey(std::string_view key) = 0;
  // Attributes whose expiry is at or before `now` (provider attributes never expire).
  virtual Result<std::vector<ExpiredAttribute>> expiredAttributes(core::Timestamp now) = 0;

  // Events in order of (eventTime, sequence), filtered by the query; when
  // more than `limit` match, the newest `limit` of them.
  virtual Result<std::vector<core::AuditEvent>> auditEvents(const AuditQuery& query) = 0;

  virtual Result<std::optional<core::ApiKey>> apiKey(std::string_view id) = 0;
  virtual Result<std::vector<core::ApiKey>> apiKeys() = 0;  // including revoked ones, by creation

  // Small named values (allocator hints, tailnet settings). nullopt when unset.
  virtual Result<std::optional<std::string>> setting(std::string_view name) = 0;

  // Posture integrations, by creation; at most one per provider.
  virtual Result<std::vector<core::Integration>> integrations() = 0;
  virtual Result<std::optional<core::Integration>> integration(std::string_view id) = 0;
  // The integration's runs, newest first, at most `limit`.
  virtual Result<std::vector<core::IntegrationRun>> integrationRuns(std::string_view integrationId,
                                                                    std::size_t limit) = 0;

  // The newest policy version, or nullopt when the policy was never set.
  virtual Result<std::optional<PolicyVersion>> currentPolicy() = 0;
  // Policy versions, newest first, at most `limit`.
  virtual Result<std::vector<PolicyVersion>> policyHistory(std::size_t limit) = 0;
};

class WriteTx : public ReadTx {
 public:
  // Fails with kConflict if the id or one of the addresses is already used.
  virtual Result<void> insertDevice(const core::Device& device) = 0;
  // Replaces every field but id and created. kNotFound when absent.
  virtual Result<void> updateDevice(const core::Device& device) = 0;
  // Removes the device and its attributes. kNotFound when absent.
  virtual Result<void> deleteDevice(std::string_view id) = 0;

  // Inserts or replaces one attribute of an existing device (kNotFound
  // otherwise). A key of a provider namespace (core::AttributeNamespace::
  // kIntegration) is refused with kInvalidArgument: see replaceProviderAttributes.
  virtual Result<void> putAttribute(std::string_view deviceId, const core::DeviceAttribute& attribute) = 0;
  // Returns false when the device did not hold the key. Refuses provider keys as putAttribute does.
  virtual Result<bool> deleteAttribute(std::string_view deviceId, std::string_view key) = 0;
  // Replaces every attribute the device holds in provider namespace `ns`
  // ("sentinelOne") by `attributes` (keys all in `ns`, no expiry; kInvalidArgument
  // otherwise). An empty list removes them, and is no error for a device that
  // does not exist; a non-empty one gives kNotFound then. A sync writes a
  // provider's whole set per device, so the set is stored as one unit.
  virtual Result<void> replaceProviderAttributes(std::string_view deviceId, std::string_view ns,
                                                 std::vector<core::DeviceAttribute> attributes) = 0;

  // Appends; the store assigns `sequence`. Events are never changed or removed.
  virtual Result<void> appendAudit(const core::AuditEvent& event) = 0;

  virtual Result<void> insertApiKey(const core::ApiKey& key) = 0;
  // Sets `revoked`; kNotFound when absent or already revoked.
  virtual Result<void> revokeApiKey(std::string_view id, core::Timestamp at) = 0;
  // Records an auth key's first use; false when it had been used before.
  virtual Result<bool> markAuthKeyUsed(std::string_view id, core::Timestamp at) = 0;

  virtual Result<void> putSetting(std::string_view name, std::string_view value) = 0;

  // kConflict when an integration of the same provider (or id) exists.
  virtual Result<void> insertIntegration(const core::Integration& integration) = 0;
  // Replaces every field but id, provider and created, status included. kNotFound when absent.
  virtual Result<void> updateIntegration(const core::Integration& integration) = 0;
  // Removes the integration and its runs. kNotFound when absent.
  virtual Result<void> deleteIntegration(std::string_view id) = 0;
  // Records a run; the store keeps only the newest kRunsKept runs of each integration.
  virtual Result<void> insertRun(const core::IntegrationRun& run) = 0;
  // Replaces every field but id, integrationId and startedAt. kNotFound when absent.
  virtual Result<void> updateRun(const core::IntegrationRun& run) = 0;

  // Appends a version, which becomes the current policy; the store assigns
  // and returns its `sequence` (the one passed in is ignored).
  virtual Result<std::int64_t> appendPolicyVersion(const PolicyVersion& version) = 0;

  // Makes every change visible at once. After commit() the transaction is finished.
  virtual Result<void> commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<ReadTx>> read() = 0;
  virtual Result<std::unique_ptr<WriteTx>> write() = 0;
  // Flushes and closes; later calls fail. Called once at shutdown.
  virtual void close() = 0;
};

}  // namespace postured::store
