// GET /web/api/v2.1/agents as SentinelOne serves it (reference section 1):
// ApiToken auth with a case-insensitive scheme, limit 1..1000 (default 10),
// opaque cursor paging ending in nextCursor null, totalItems, the
// isDecommissioned filter (decommissioned agents excluded by default) and
// serialNumber__contains; other parameters are ignored. Faults apply in
// this order: slowMs, revokeToken/auth (401), forbidden (403),
// rateLimitEvery (429), validation (400), failPage (500), then
// truncatePage/malformedPage on a 200.
#pragma once

#include "emulator.h"
#include "http/router.h"

namespace postured::s1emu {

inline constexpr const char* kAgentsPath = "/web/api/v2.1/agents";

void registerAgentsApi(http::Router& router, Emulator& emulator);

}  // namespace postured::s1emu
