// State shared by hsemu's routes: the emulated headscale database (users,
// nodes, the stored policy), the policy mode, the push log, the injected
// faults and the counters behind /_emu/stats.
//
// Thread-safety: `mutex` guards every member below it; the counters are
// atomic; flavor, apiKey, policyPath and statePath are set before the server
// starts and only read afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "flavor.h"
#include "node_store.h"
#include "time_format.h"

namespace postured::hsemu {

// headscale's policy.mode: where the policy lives.
enum class PolicyMode { kDatabase, kFile };
std::optional<PolicyMode> parsePolicyMode(std::string_view name);
std::string_view policyModeName(PolicyMode mode);

// The policy row of headscale's database (absent until one is set).
struct StoredPolicy {
  std::string text;
  Micros updatedAt = 0;
};

// One PUT /api/v1/policy that passed auth.
struct Push {
  Micros receivedAt = 0;  // when the request reached the handler, before headscale's parsing
  Micros at = 0;          // when it was answered
  std::string outcome;  // "accepted", "rejected" (headscale refused it) or "failed" (an injected fault)
  int status = 0;
  std::string error;  // the error text of the answer, "" when accepted
  std::string policy;
  std::string sha256;  // of `policy`, made once: GET /_emu/pushes is polled while pushes arrive
};

struct Faults {
  bool unavailable = false;  // every /api/v1 call answers 503
  int failPuts = 0;          // the next N PUT /api/v1/policy fail with failStatus
  int failStatus = 500;
  int delayMs = 0;  // every /api/v1 answer is delayed this long
};

struct Emulator {
  Flavor flavor = Flavor::kMain;
  std::string apiKey;
  std::string policyPath;  // file mode reads the policy from here on every GET
  std::string statePath;   // "" keeps everything in memory

  std::mutex mutex;
  NodeStore nodes;
  std::optional<StoredPolicy> policy;
  PolicyMode mode = PolicyMode::kDatabase;
  std::vector<Push> pushes;
  Faults faults;

  std::atomic<std::uint64_t> nodeListRequests{0};
  std::atomic<std::uint64_t> policyGets{0};
  std::atomic<std::uint64_t> policyPuts{0};
  std::atomic<std::uint64_t> policyChecks{0};

  // Writes the database to statePath (no-op without one). Call with `mutex` held.
  core::Result<void> save() const;
};

}  // namespace postured::hsemu
