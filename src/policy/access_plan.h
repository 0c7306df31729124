// A policy's accesses in the order Tailscale emits their filter rules: each
// grant, then each ACL destination (an ACL's autogroup:self destinations
// after its others). The filter compiler and the policy engine both build on
// this one list, so they cannot disagree on what a rule grants.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "policy/policy_model.h"

namespace postured::policy {

struct PlannedAccess {
  const std::vector<Selector>* src = nullptr;
  std::vector<Selector> dst;
  struct Ip {
    std::vector<int> ipProto;
    std::vector<PortRange> ports;
  };
  std::vector<Ip> ip;
  nlohmann::json app = nlohmann::json::object();
  const std::vector<Selector>* via = nullptr;           // empty for ACLs
  const std::vector<PolicyString>* postures = nullptr;  // the rule's own srcPosture, else the policy's default
};

// Points into `policy`, which must outlive the result.
std::vector<PlannedAccess> planAccesses(const Policy& policy);

}  // namespace postured::policy
