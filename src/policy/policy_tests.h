// Runs a policy's own `tests` and `sshTests` as Tailscale does before it saves
// a policy, and reports failures in Tailscale's shape:
//   {"message":"test(s) failed","data":[{"user":"alice@example.com",
//     "errors":["address \"2.2.2.2:22\": want: Drop, got: Accept"]}]}
//
// A test's `src` (user, group, tag, host, IP or node name) is a device with
// exactly the test's `srcPostureAttrs` as attributes: without them it has none,
// so postures fail (Tailscale issue 16688). A src or dst that names an
// existing node's address is that node; a user or tag that no node stands for
// becomes a stand-in node with a free tailnet address. Decisions are
// decideAccess() (access_check.h), so they agree with the compiled filters.
// `proto` is tcp (default), udp or icmp. sshTests use the `ssh` rules: the
// first rule matching src, dst and the local user decides accept or check;
// their postures (own, else defaultSrcPosture) are evaluated on a source
// without attributes. Pure; thread-safe on const inputs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace postured::policy {

struct TestFailure {
  std::string user;                 // the test's src, as written
  int line = 0;                     // of the failing test
  bool ssh = false;                 // from sshTests
  std::vector<std::string> errors;  // "address \"tag:web:443\": want: Accept, got: Drop"
};

struct TestReport {
  int tests = 0;                      // tests and sshTests run
  int checks = 0;                     // addresses (and ssh users) checked
  std::vector<TestFailure> failures;  // in policy order, one per failing test
  bool passed() const { return failures.empty(); }
};

TestReport runPolicyTests(const Policy& policy, const std::vector<PolicyNode>& nodes);

// {"message":"test(s) failed","data":[{"user":..., "errors":[...]}]}; {} when passed.
nlohmann::json testFailureJson(const TestReport& report);

}  // namespace postured::policy
