// Tailscale's packet filter as nodes receive it (tailcfg.FilterRule), and its
// JSON wire form: fields in Go's order (SrcIPs, DstPorts, IPProto, CapGrant),
// SrcIPs always present, the others omitted when empty.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/ports.h"

namespace postured::policy {

struct NetPortRange {
  std::string ip;  // "*", "100.64.0.1", "10.33.0.0/16"
  PortRange ports;
  friend bool operator==(const NetPortRange&, const NetPortRange&) = default;
};

struct CapGrant {
  std::vector<std::string> dsts;  // prefixes, single addresses with their /32 or /128
  nlohmann::json capMap;          // capability name -> array of values, or null for companions
  friend bool operator==(const CapGrant&, const CapGrant&) = default;
};

struct FilterRule {
  std::vector<std::string> srcIps;
  std::vector<NetPortRange> dstPorts;
  std::vector<int> ipProto;  // empty: TCP, UDP and ICMP
  std::vector<CapGrant> capGrant;
  friend bool operator==(const FilterRule&, const FilterRule&) = default;
};

nlohmann::ordered_json toJson(const FilterRule& rule);
nlohmann::ordered_json toJson(const std::vector<FilterRule>& rules);

}  // namespace postured::policy
