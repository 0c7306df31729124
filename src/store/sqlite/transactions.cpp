#include "store/sqlite/transactions.h"

#include <exception>

#include "store/sqlite/queries.h"

namespace postured::store::sqlite {

namespace {

using core::ErrorKind;

Result<void> runStatement(Connection& c, Sql sql) {
  auto st = c.statement(sql);
  if (!st) return tl::unexpected(std::move(st.error()));
  return st->run();
}

void rollbackQuietly(Connection& c) {
  if (c.inTransaction()) (void)runStatement(c, Sql::kRollback);
}

// Runs `work`, counts its outcome, and keeps exceptions (allocation failures)
// from crossing the module boundary.
template <class Work>
auto counted(const StoreMetrics& metrics, Op op, Work&& work) -> decltype(work()) {
  try {
    auto result = work();
    metrics.operation(op, result.has_value());
    return result;
  } catch (const std::exception& e) {
    metrics.operation(op, false);
    return core::fail(ErrorKind::kInternal, std::string("store operation failed: ") + e.what());
  }
}

}  // namespace

Result<void> beginRead(Connection& reader) {
  auto begun = runStatement(reader, Sql::kBegin);
  if (begun) begun = runStatement(reader, Sql::kSnapshot);
  if (!begun) rollbackQuietly(reader);
  return begun;
}

Result<void> beginWrite(Connection& writer) {
  rollbackQuietly(writer);  // never inherit a transaction a failed ROLLBACK left behind
  return runStatement(writer, Sql::kBeginImmediate);
}

// ---- SqliteReadTx ----

SqliteReadTx::SqliteReadTx(std::shared_ptr<StoreState> state, std::unique_ptr<Connection> connection)
    : state_(std::move(state)), connection_(std::move(connection)) {}

SqliteReadTx::~SqliteReadTx() {
  try {
    // For a read-only transaction COMMIT and ROLLBACK are the same: both
    // release the snapshot so the WAL can be checkpointed past it.
    const bool ended = runStatement(*connection_, Sql::kCommit).has_value();
    if (!ended) rollbackQuietly(*connection_);
    state_->metrics().transaction(TxKind::kRead, ended);
    if (!connection_->inTransaction()) state_->returnReader(std::move(connection_));
  } catch (...) {
    // A destructor must not throw; the connection closes with this object.
  }
}

Result<std::optional<core::Device>> SqliteReadTx::device(std::string_view id) {
  return counted(state_->metrics(), Op::kDevice, [&] { return queryDevice(*connection_, id); });
}

Result<std::vector<core::Device>> SqliteReadTx::devices() {
  return counted(state_->metrics(), Op::kDevices, [&] { return queryDevices(*connection_); });
}

Result<UsedAddresses> SqliteReadTx::usedAddresses() {
  return counted(state_->metrics(), Op::kUsedAddresses, [&] { return queryUsedAddresses(*connection_); });
}

Result<std::vector<core::DeviceAttribute>> SqliteReadTx::attributes(std::string_view deviceId) {
  return counted(state_->metrics(), Op::kAttributes, [&] { return queryAttributes(*connection_, deviceId); });
}

Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> SqliteReadTx::allAttributes() {
  return counted(state_->metrics(), Op::kAllAttributes, [&] { return queryAllAttributes(*connection_); });
}

Result<std::optional<AttributeKeyInfo>> SqliteReadTx::attributeKey(std::string_view key) {
  return counted(state_->metrics(), Op::kAttributeKey, [&] { return queryAttributeKey(*connection_, key); });
}

Result<std::vector<ExpiredAttribute>> SqliteReadTx::expiredAttributes(core::Timestamp now) {
  return counted(state_->metrics(), Op::kExpiredAttributes, [&] { return queryExpiredAttributes(*connection_, now); });
}

Result<std::vector<core::AuditEvent>> SqliteReadTx::auditEvents(const AuditQuery& query) {
  return counted(state_->metrics(), Op::kAuditEvents, [&] { return queryAuditEvents(*connection_, query); });
}

Result<std::optional<core::ApiKey>> SqliteReadTx::apiKey(std::string_view id) {
  return counted(state_->metrics(), Op::kApiKey, [&] { return queryApiKey(*connection_, id); });
}

Result<std::vector<core::ApiKey>> SqliteReadTx::apiKeys() {
  return counted(state_->metrics(), Op::kApiKeys, [&] { return queryApiKeys(*connection_); });
}

Result<std::optional<std::string>> SqliteReadTx::setting(std::string_view name) {
  return counted(state_->metrics(), Op::kSetting, [&] { return querySetting(*connection_, name); });
}

Result<std::vector<core::Integration>> SqliteReadTx::integrations() {
  return counted(state_->metrics(), Op::kIntegrations, [&] { return queryIntegrations(*connection_); });
}

Result<std::optional<core::Integration>> SqliteReadTx::integration(std::string_view id) {
  return counted(state_->metrics(), Op::kIntegration, [&] { return queryIntegration(*connection_, id); });
}

Result<std::vector<core::IntegrationRun>> SqliteReadTx::integrationRuns(std::string_view integrationId,
                                                                        std::size_t limit) {
  return counted(state_->metrics(), Op::kIntegrationRuns,
                 [&] { return queryIntegrationRuns(*connection_, integrationId, limit); });
}

Result<std::optional<PolicyVersion>> SqliteReadTx::currentPolicy() {
  return counted(state_->metrics(), Op::kCurrentPolicy, [&] { return queryCurrentPolicy(*connection_); });
}

Result<std::vector<PolicyVersion>> SqliteReadTx::policyHistory(std::size_t limit) {
  return counted(state_->metrics(), Op::kPolicyHistory, [&] { return queryPolicyHistory(*connection_, limit); });
}

// ---- SqliteWriteTx ----

SqliteWriteTx::SqliteWriteTx(std::shared_ptr<StoreState> state, Connection& writer)
    : state_(std::move(state)), connection_(&writer) {}

SqliteWriteTx::~SqliteWriteTx() {
  if (finished_) return;
  try {
    rollbackQuietly(*connection_);
  } catch (...) {
    // Nothing to add: beginWrite() rolls back whatever is left.
  }
  finish(false);
}

void SqliteWriteTx::finish(bool committed) {
  finished_ = true;
  try {
    state_->metrics().transaction(TxKind::kWrite, committed);
  } catch (...) {
    // Losing one sample must not keep the writer from being released.
  }
  state_->releaseWriter();
}

template <class Work>
auto SqliteWriteTx::guarded(Op op, Work&& work) -> decltype(work()) {
  return counted(state_->metrics(), op, [&]() -> decltype(work()) {
    if (finished_) {
      return core::fail(ErrorKind::kInternal,
                        "this write transaction has already finished (committed or rolled back); "
                        "start a new one with write()");
    }
    if (!connection_->inTransaction()) {
      return core::fail(ErrorKind::kInternal,
                        "this write transaction was rolled back by SQLite after an earlier error; "
                        "discard it and start a new one");
    }
    return work();
  });
}

Result<std::optional<core::Device>> SqliteWriteTx::device(std::string_view id) {
  return guarded(Op::kDevice, [&] { return queryDevice(*connection_, id); });
}

Result<std::vector<core::Device>> SqliteWriteTx::devices() {
  return guarded(Op::kDevices, [&] { return queryDevices(*connection_); });
}

Result<UsedAddresses> SqliteWriteTx::usedAddresses() {
  return guarded(Op::kUsedAddresses, [&] { return queryUsedAddresses(*connection_); });
}

Result<std::vector<core::DeviceAttribute>> SqliteWriteTx::attributes(std::string_view deviceId) {
  return guarded(Op::kAttributes, [&] { return queryAttributes(*connection_, deviceId); });
}

Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> SqliteWriteTx::allAttributes() {
  return guarded(Op::kAllAttributes, [&] { return queryAllAttributes(*connection_); });
}

Result<std::optional<AttributeKeyInfo>> SqliteWriteTx::attributeKey(std::string_view key) {
  return guarded(Op::kAttributeKey, [&] { return queryAttributeKey(*connection_, key); });
}

Result<std::vector<ExpiredAttribute>> SqliteWriteTx::expiredAttributes(core::Timestamp now) {
  return guarded(Op::kExpiredAttributes, [&] { return queryExpiredAttributes(*connection_, now); });
}

Result<std::vector<core::AuditEvent>> SqliteWriteTx::auditEvents(const AuditQuery& query) {
  return guarded(Op::kAuditEvents, [&] { return queryAuditEvents(*connection_, query); });
}

Result<std::optional<core::ApiKey>> SqliteWriteTx::apiKey(std::string_view id) {
  return guarded(Op::kApiKey, [&] { return queryApiKey(*connection_, id); });
}

Result<std::vector<core::ApiKey>> SqliteWriteTx::apiKeys() {
  return guarded(Op::kApiKeys, [&] { return queryApiKeys(*connection_); });
}

Result<std::optional<std::string>> SqliteWriteTx::setting(std::string_view name) {
  return guarded(Op::kSetting, [&] { return querySetting(*connection_, name); });
}

Result<std::vector<core::Integration>> SqliteWriteTx::integrations() {
  return guarded(Op::kIntegrations, [&] { return queryIntegrations(*connection_); });
}

Result<std::optional<core::Integration>> SqliteWriteTx::integration(std::string_view id) {
  return guarded(Op::kIntegration, [&] { return queryIntegration(*connection_, id); });
}

Result<std::vector<core::IntegrationRun>> SqliteWriteTx::integrationRuns(std::string_view integrationId,
                                                                         std::size_t limit) {
  return guarded(Op::kIntegrationRuns, [&] { return queryIntegrationRuns(*connection_, integrationId, limit); });
}

Result<std::optional<PolicyVersion>> SqliteWriteTx::currentPolicy() {
  return guarded(Op::kCurrentPolicy, [&] { return queryCurrentPolicy(*connection_); });
}

Result<std::vector<PolicyVersion>> SqliteWriteTx::policyHistory(std::size_t limit) {
  return guarded(Op::kPolicyHistory, [&] { return queryPolicyHistory(*connection_, limit); });
}

Result<void> SqliteWriteTx::insertDevice(const core::Device& device) {
  return guarded(Op::kInsertDevice, [&] { return sqlite::insertDevice(*connection_, device); });
}

Result<void> SqliteWriteTx::updateDevice(const core::Device& device) {
  return guarded(Op::kUpdateDevice, [&] { return sqlite::updateDevice(*connection_, device); });
}

Result<void> SqliteWriteTx::deleteDevice(std::string_view id) {
  return guarded(Op::kDeleteDevice, [&] { return sqlite::deleteDevice(*connection_, id); });
}

Result<void> SqliteWriteTx::putAttribute(std::string_view deviceId, const core::DeviceAttribute& attribute) {
  return guarded(Op::kPutAttribute, [&] { return sqlite::putAttribute(*connection_, deviceId, attribute); });
}

Result<bool> SqliteWriteTx::deleteAttribute(std::string_view deviceId, std::string_view key) {
  return guarded(Op::kDeleteAttribute, [&] { return sqlite::deleteAttribute(*connection_, deviceId, key); });
}

Result<void> SqliteWriteTx::replaceProviderAttributes(std::string_view deviceId, std::string_view ns,
                                                      std::vector<core::DeviceAttribute> attributes) {
  return guarded(Op::kReplaceProviderAttributes,
                 [&] { return sqlite::replaceProviderAttributes(*connection_, deviceId, ns, attributes); });
}

Result<void> SqliteWriteTx::appendAudit(const core::AuditEvent& event) {
  return guarded(Op::kAppendAudit, [&] { return sqlite::appendAudit(*connection_, event); });
}

Result<void> SqliteWriteTx::insertApiKey(const core::ApiKey& key) {
  return guarded(Op::kInsertApiKey, [&] { return sqlite::insertApiKey(*connection_, key); });
}

Result<void> SqliteWriteTx::revokeApiKey(std::string_view id, core::Timestamp at) {
  return guarded(Op::kRevokeApiKey, [&] { return sqlite::revokeApiKey(*connection_, id, at); });
}

Result<bool> SqliteWriteTx::markAuthKeyUsed(std::string_view id, core::Timestamp at) {
  return guarded(Op::kMarkAuthKeyUsed, [&] { return sqlite::markAuthKeyUsed(*connection_, id, at); });
}

Result<void> SqliteWriteTx::putSetting(std::string_view name, std::string_view value) {
  return guarded(Op::kPutSetting, [&] { return sqlite::putSetting(*connection_, name, value); });
}

Result<void> SqliteWriteTx::insertIntegration(const core::Integration& integration) {
  return guarded(Op::kInsertIntegration, [&] { return sqlite::insertIntegration(*connection_, integration); });
}

Result<void> SqliteWriteTx::updateIntegration(const core::Integration& integration) {
  return guarded(Op::kUpdateIntegration, [&] { return sqlite::updateIntegration(*connection_, integration); });
}

Result<void> SqliteWriteTx::deleteIntegration(std::string_view id) {
  return guarded(Op::kDeleteIntegration, [&] { return sqlite::deleteIntegration(*connection_, id); });
}

Result<void> SqliteWriteTx::insertRun(const core::IntegrationRun& run) {
  return guarded(Op::kInsertRun, [&] { return sqlite::insertRun(*connection_, run); });
}

Result<void> SqliteWriteTx::updateRun(const core::IntegrationRun& run) {
  return guarded(Op::kUpdateRun, [&] { return sqlite::updateRun(*connection_, run); });
}

Result<std::int64_t> SqliteWriteTx::appendPolicyVersion(const PolicyVersion& version) {
  return guarded(Op::kAppendPolicyVersion, [&] { return sqlite::appendPolicyVersion(*connection_, version); });
}

Result<void> SqliteWriteTx::commit() {
  return guarded(Op::kCommit, [&] {
    auto committed = runStatement(*connection_, Sql::kCommit);
    if (!committed) rollbackQuietly(*connection_);
    finish(committed.has_value());
    return committed;
  });
}

}  // namespace postured::store::sqlite
