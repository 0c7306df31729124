// What stands in front of every /api/v1 route: the injected delay, the API
// key check and the injected outage. The key check is headscale's: the
// Authorization header must be "Bearer " followed by a valid key, else the
// flavor's 401 (hscontrol/api/v1/api.go authMiddleware on main,
// httpAuthenticationMiddleware in hscontrol/app.go before). Requests that
// pass it are counted in /_emu/stats. PUT /api/v1/policy handles the outage
// itself, to log the push.
#pragma once

#include "emulator.h"
#include "http/router.h"

namespace postured::hsemu {

enum class ApiOp { kNodeList, kNodeGet, kPolicyGet, kPolicyPut, kPolicyCheck, kOther };

http::Handler guarded(Emulator& emu, ApiOp op, http::Handler handler);
// The flavor's 503 while /_emu/faults says unavailable.
http::Response unavailableResponse(Flavor flavor);

}  // namespace postured::hsemu
