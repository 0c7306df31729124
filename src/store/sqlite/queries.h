// The Store operations as SQL over one Connection, without transaction
// handling or metrics (transactions.h adds those). Each function assumes the
// caller has begun a transaction on `c`.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/store.h"

namespace postured::store::sqlite {

// Reads.
Result<std::optional<core::Device>> queryDevice(Connection& c, std::string_view id);
Result<std::vector<core::Device>> queryDevices(Connection& c);
Result<UsedAddresses> queryUsedAddresses(Connection& c);
Result<std::vector<core::DeviceAttribute>> queryAttributes(Connection& c, std::string_view deviceId);
Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> queryAllAttributes(Connection& c);
Result<std::optional<AttributeKeyInfo>> queryAttributeKey(Connection& c, std::string_view key);
Result<std::vector<ExpiredAttribute>> queryExpiredAttributes(Connection& c, core::Timestamp now);
Result<std::vector<core::AuditEvent>> queryAuditEvents(Connection& c, const AuditQuery& query);
Result<std::optional<core::ApiKey>> queryApiKey(Connection& c, std::string_view id);
Result<std::vector<core::ApiKey>> queryApiKeys(Connection& c);
Result<std::optional<std::string>> querySetting(Connection& c, std::string_view name);
Result<std::vector<core::Integration>> queryIntegrations(Connection& c);
Result<std::optional<core::Integration>> queryIntegration(Connection& c, std::string_view id);
Result<std::vector<core::IntegrationRun>> queryIntegrationRuns(Connection& c, std::string_view integrationId,
                                                               std::size_t limit);
Result<std::optional<PolicyVersion>> queryCurrentPolicy(Connection& c);
Result<std::vector<PolicyVersion>> queryPolicyHistory(Connection& c, std::size_t limit);

// Writes.
Result<void> insertDevice(Connection& c, const core::Device& device);
Result<void> updateDevice(Connection& c, const core::Device& device);
Result<void> deleteDevice(Connection& c, std::string_view id);
Result<void> putAttribute(Connection& c, std::string_view deviceId, const core::DeviceAttribute& attribute);
Result<bool> deleteAttribute(Connection& c, std::string_view deviceId, std::string_view key);
Result<void> replaceProviderAttributes(Connection& c, std::string_view deviceId, std::string_view ns,
                                       const std::vector<core::DeviceAttribute>& attributes);
Result<void> appendAudit(Connection& c, const core::AuditEvent& event);
Result<void> insertApiKey(Connection& c, const core::ApiKey& key);
Result<void> revokeApiKey(Connection& c, std::string_view id, core::Timestamp at);
Result<bool> markAuthKeyUsed(Connection& c, std::string_view id, core::Timestamp at);
Result<void> putSetting(Connection& c, std::string_view name, std::string_view value);
Result<void> insertIntegration(Connection& c, const core::Integration& integration);
Result<void> updateIntegration(Connection& c, const core::Integration& integration);
Result<void> deleteIntegration(Connection& c, std::string_view id);
Result<void> insertRun(Connection& c, const core::IntegrationRun& run);
Result<void> updateRun(Connection& c, const core::IntegrationRun& run);
Result<std::int64_t> appendPolicyVersion(Connection& c, const PolicyVersion& version);

}  // namespace postured::store::sqlite
