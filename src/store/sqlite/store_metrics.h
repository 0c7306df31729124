// Counters of the SQLite store: store_operations_total{op,outcome} for every
// Store/transaction method and store_transactions_total{kind,outcome} for
// every finished transaction. Label sets are built once, so counting costs a
// Metrics::add and nothing else. A null Metrics disables counting.
#pragma once

#include <array>
#include <cstddef>

#include "core/metrics.h"

namespace postured::store::sqlite {

// One per counted method; the label value is the method's name.
enum class Op : std::size_t {
  kRead,
  kWrite,
  kDevice,
  kDevices,
  kUsedAddresses,
  kAttributes,
  kAllAttributes,
  kAttributeKey,
  kExpiredAttributes,
  kAuditEvents,
  kApiKey,
  kApiKeys,
  kSetting,
  kIntegrations,
  kIntegration,
  kIntegrationRuns,
  kInsertDevice,
  kUpdateDevice,
  kDeleteDevice,
  kPutAttribute,
  kDeleteAttribute,
  kReplaceProviderAttributes,
  kAppendAudit,
  kInsertApiKey,
  kRevokeApiKey,
  kMarkAuthKeyUsed,
  kPutSetting,
  kInsertIntegration,
  kUpdateIntegration,
  kDeleteIntegration,
  kInsertRun,
  kUpdateRun,
  kCurrentPolicy,
  kPolicyHistory,
  kAppendPolicyVersion,
  kCommit,
  kCount,
};

enum class TxKind { kRead, kWrite };

class StoreMetrics {
 public:
  explicit StoreMetrics(core::Metrics* metrics);

  void operation(Op op, bool ok) const;
  void transaction(TxKind kind, bool committed) const;

 private:
  static constexpr std::size_t kOps = static_cast<std::size_t>(Op::kCount);

  // Handles looked up once; null when metrics are off.
  std::array<core::Counter*, kOps * 2> operations_{};  // [op * 2 + (ok ? 0 : 1)]
  std::array<core::Counter*, 4> transactions_{};       // [kind * 2 + (commit ? 0 : 1)]
};

}  // namespace postured::store::sqlite
