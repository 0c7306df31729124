// Port lists as policies write them: "*", "22", "80-443", "22,80,443".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace postured::policy {

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 65535;
  bool isAll() const { return first == 0 && last == 65535; }
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

inline constexpr PortRange kAllPorts{0, 65535};

// Errors use Tailscale's wording ("port range \"ssh\": invalid first integer")
// without a position; callers prefix the place.
core::Result<std::vector<PortRange>> parsePortList(std::string_view text);

}  // namespace postured::policy
