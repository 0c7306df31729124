// The SQLite ReadTx and WriteTx. Both are used by one thread at a time.
//
// SqliteReadTx owns a pooled read-only connection inside BEGIN (deferred) with
// its WAL snapshot already pinned, so everything it reads is as of read();
// destroying it ends the transaction and returns the connection.
//
// SqliteWriteTx borrows the store's single writer inside BEGIN IMMEDIATE.
// commit() or destruction (which rolls back) releases the writer to the next
// write(). After either, and after SQLite itself abandoned the transaction
// because of an I/O error, every call fails instead of running outside it.
#pragma once

#include <memory>

#include "store/sqlite/connection.h"
#include "store/sqlite/store_state.h"
#include "store/store.h"

namespace postured::store::sqlite {

// Begins a read transaction on `reader` and pins its snapshot.
Result<void> beginRead(Connection& reader);
// Begins the write transaction on `writer` (BEGIN IMMEDIATE).
Result<void> beginWrite(Connection& writer);

class SqliteReadTx final : public ReadTx {
 public:
  SqliteReadTx(std::shared_ptr<StoreState> state, std::unique_ptr<Connection> connection);
  ~SqliteReadTx() override;
  SqliteReadTx(const SqliteReadTx&) = delete;
  SqliteReadTx& operator=(const SqliteReadTx&) = delete;

  Result<std::optional<core::Device>> device(std::string_view id) override;
  Result<std::vector<core::Device>> devices() override;
  Result<UsedAddresses> usedAddresses() override;
  Result<std::vector<core::DeviceAttribute>> attributes(std::string_view deviceId) override;
  Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> allAttributes() override;
  Result<std::optional<AttributeKeyInfo>> attributeKey(std::string_view key) override;
  Result<std::vector<ExpiredAttribute>> expiredAttributes(core::Timestamp now) override;
  Result<std::vector<core::AuditEvent>> auditEvents(const AuditQuery& query) override;
  Result<std::optional<core::ApiKey>> apiKey(std::string_view id) override;
  Result<std::vector<core::ApiKey>> apiKeys() override;
  Result<std::optional<std::string>> setting(std::string_view name) override;
  Result<std::vector<core::Integration>> integrations() override;
  Result<std::optional<core::Integration>> integration(std::string_view id) override;
  Result<std::vector<core::IntegrationRun>> integrationRuns(std::string_view integrationId, std::size_t limit) override;
  Result<std::optional<PolicyVersion>> currentPolicy() override;
  Result<std::vector<PolicyVersion>> policyHistory(std::size_t limit) override;

 private:
  std::shared_ptr<StoreState> state_;
  std::unique_ptr<Connection> connection_;
};

class SqliteWriteTx final : public WriteTx {
 public:
  SqliteWriteTx(std::shared_ptr<StoreState> state, Connection& writer);
  ~SqliteWriteTx() override;
  SqliteWriteTx(const SqliteWriteTx&) = delete;
  SqliteWriteTx& operator=(const SqliteWriteTx&) = delete;

  Result<std::optional<core::Device>> device(std::string_view id) override;
  Result<std::vector<core::Device>> devices() override;
  Result<UsedAddresses> usedAddresses() override;
  Result<std::vector<core::DeviceAttribute>> attributes(std::string_view deviceId) override;
  Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> allAttributes() override;
  Result<std::optional<AttributeKeyInfo>> attributeKey(std::string_view key) override;
  Result<std::vector<ExpiredAttribute>> expiredAttributes(core::Timestamp now) override;
  Result<std::vector<core::AuditEvent>> auditEvents(const AuditQuery& query) override;
  Result<std::optional<core::ApiKey>> apiKey(std::string_view id) override;
  Result<std::vector<core::ApiKey>> apiKeys() override;
  Result<std::optional<std::string>> setting(std::string_view name) override;
  Result<std::vector<core::Integration>> integrations() override;
  Result<std::optional<core::Integration>> integration(std::string_view id) override;
  Result<std::vector<core::IntegrationRun>> integrationRuns(std::string_view integrationId, std::size_t limit) override;
  Result<std::optional<PolicyVersion>> currentPolicy() override;
  Result<std::vector<PolicyVersion>> policyHistory(std::size_t limit) override;

  Result<void> insertDevice(const core::Device& device) override;
  Result<void> updateDevice(const core::Device& device) override;
  Result<void> deleteDevice(std::string_view id) override;
  Result<void> putAttribute(std::string_view deviceId, const core::DeviceAttribute& attribute) override;
  Result<bool> deleteAttribute(std::string_view deviceId, std::string_view key) override;
  Result<void> replaceProviderAttributes(std::string_view deviceId, std::string_view ns,
                                         std::vector<core::DeviceAttribute> attributes) override;
  Result<void> appendAudit(const core::AuditEvent& event) override;
  Result<void> insertApiKey(const core::ApiKey& key) override;
  Result<void> revokeApiKey(std::string_view id, core::Timestamp at) override;
  Result<bool> markAuthKeyUsed(std::string_view id, core::Timestamp at) override;
  Result<void> putSetting(std::string_view name, std::string_view value) override;
  Result<void> insertIntegration(const core::Integration& integration) override;
  Result<void> updateIntegration(const core::Integration& integration) override;
  Result<void> deleteIntegration(std::string_view id) override;
  Result<void> insertRun(const core::IntegrationRun& run) override;
  Result<void> updateRun(const core::IntegrationRun& run) override;
  Result<std::int64_t> appendPolicyVersion(const PolicyVersion& version) override;
  Result<void> commit() override;

 private:
  // Runs `work` when the transaction is still open, and counts the outcome.
  template <class Work>
  auto guarded(Op op, Work&& work) -> decltype(work());
  void finish(bool committed);

  std::shared_ptr<StoreState> state_;
  Connection* connection_;  // the store's writer, ours until finish()
  bool finished_ = false;
};

}  // namespace postured::store::sqlite
