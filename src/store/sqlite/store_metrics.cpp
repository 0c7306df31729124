#include "store/sqlite/store_metrics.h"

#include <iterator>

namespace postured::store::sqlite {

namespace {

constexpr const char* kOpNames[] = {
    "read",
    "write",
    "device",
    "devices",
    "usedAddresses",
    "attributes",
    "allAttributes",
    "attributeKey",
    "expiredAttributes",
    "auditEvents",
    "apiKey",
    "apiKeys",
    "setting",
    "integrations",
    "integration",
    "integrationRuns",
    "insertDevice",
    "updateDevice",
    "deleteDevice",
    "putAttribute",
    "deleteAttribute",
    "replaceProviderAttributes",
    "appendAudit",
    "insertApiKey",
    "revokeApiKey",
    "markAuthKeyUsed",
    "putSetting",
    "insertIntegration",
    "updateIntegration",
    "deleteIntegration",
    "insertRun",
    "updateRun",
    "currentPolicy",
    "policyHistory",
    "appendPolicyVersion",
    "commit",
};
static_assert(std::size(kOpNames) == static_cast<std::size_t>(Op::kCount), "one name per Op, in order");

constexpr const char* kOperations = "store_operations_total";
constexpr const char* kTransactions = "store_transactions_total";

}  // namespace

StoreMetrics::StoreMetrics(core::Metrics* metrics) {
  if (!metrics) return;
  metrics->describe(kOperations, "counter", "Store operations by method and outcome.");
  metrics->describe(kTransactions, "counter", "Store transactions by kind and how they ended.");
  for (std::size_t op = 0; op < kOps; ++op) {
    operations_[op * 2] = &metrics->counter(kOperations, {{"op", kOpNames[op]}, {"outcome", "ok"}});
    operations_[op * 2 + 1] = &metrics->counter(kOperations, {{"op", kOpNames[op]}, {"outcome", "error"}});
  }
  transactions_ = {&metrics->counter(kTransactions, {{"kind", "read"}, {"outcome", "commit"}}),
                   &metrics->counter(kTransactions, {{"kind", "read"}, {"outcome", "rollback"}}),
                   &metrics->counter(kTransactions, {{"kind", "write"}, {"outcome", "commit"}}),
                   &metrics->counter(kTransactions, {{"kind", "write"}, {"outcome", "rollback"}})};
}

void StoreMetrics::operation(Op op, bool ok) const {
  if (auto* c = operations_[static_cast<std::size_t>(op) * 2 + (ok ? 0 : 1)]) c->add();
}

void StoreMetrics::transaction(TxKind kind, bool committed) const {
  if (auto* c = transactions_[(kind == TxKind::kRead ? 0 : 2) + (committed ? 0 : 1)]) c->add();
}

}  // namespace postured::store::sqlite
