#include "store/sqlite/store_metrics.h"

#include <iterator>

namespace postured::store::sqlite {

namespace {

constexpr const char* kOpNames[] = {
    "read",         "write",         "device",          "devices",           "usedAddresses",
    "attributes",   "allAttributes", "attributeKey",    "expiredAttributes", "auditEvents",
    "apiKey",       "apiKeys",       "setting",         "insertDevice",      "updateDevice",
    "deleteDevice", "putAttribute",  "deleteAttribute", "appendAudit",       "insertApiKey",
    "revokeApiKey", "putSetting",    "commit",
};
static_assert(std::size(kOpNames) == static_cast<std::size_t>(Op::kCount), "one name per Op, in order");

constexpr const char* kOperations = "store_operations_total";
constexpr const char* kTransactions = "store_transactions_total";

}  // namespace

StoreMetrics::StoreMetrics(core::Metrics* metrics) : metrics_(metrics) {
  if (!metrics_) return;
  metrics_->describe(kOperations, "counter", "Store operations by method and outcome.");
  metrics_->describe(kTransactions, "counter", "Store transactions by kind and how they ended.");
  for (std::size_t op = 0; op < kOps; ++op) {
    operationLabels_[op * 2] = {{"op", kOpNames[op]}, {"outcome", "ok"}};
    operationLabels_[op * 2 + 1] = {{"op", kOpNames[op]}, {"outcome", "error"}};
  }
  transactionLabels_ = {core::MetricLabels{{"kind", "read"}, {"outcome", "commit"}},
                        core::MetricLabels{{"kind", "read"}, {"outcome", "rollback"}},
                        core::MetricLabels{{"kind", "write"}, {"outcome", "commit"}},
                        core::MetricLabels{{"kind", "write"}, {"outcome", "rollback"}}};
}

void StoreMetrics::operation(Op op, bool ok) const {
  if (metrics_) metrics_->add(kOperations, operationLabels_[static_cast<std::size_t>(op) * 2 + (ok ? 0 : 1)]);
}

void StoreMetrics::transaction(TxKind kind, bool committed) const {
  if (metrics_) metrics_->add(kTransactions, transactionLabels_[(kind == TxKind::kRead ? 0 : 2) + (committed ? 0 : 1)]);
}

}  // namespace postured::store::sqlite
