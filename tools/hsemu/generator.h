// --generate N --seed S: a realistic tailnet of N nodes, the same for the
// same N and seed (its own PRNG, no std distributions, a fixed "now").
// Users user1..userK (K = ceil(N/4)) with emails userK@example.com own
// laptops, desktops and phones named after them; about one node in eight
// is a server tagged tag:server without a user, registered by auth key.
// Addresses are left to the store, which assigns them in order.
#pragma once

#include <cstdint>
#include <vector>

#include "node_store.h"

namespace postured::hsemu {

// 2026-01-01T00:00:00Z, the generated tailnet's "now".
inline constexpr Micros kGeneratedNow = 1'767'225'600LL * 1'000'000;

std::vector<NodeSpec> generateNodes(std::size_t count, std::uint64_t seed);

}  // namespace postured::hsemu
