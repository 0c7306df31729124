// headscale's policy API: GET and PUT /api/v1/policy, and on main POST
// /api/v1/policy/check. Follows hscontrol/api/v1/policy.go (main) and
// hscontrol/grpcv1.go GetPolicy/SetPolicy (v0.29, v0.25):
//   GET   database mode: the stored row verbatim with its updatedAt, or
//         "loading ACL from database: acl policy not found" (500) before
//         any was set; file mode: the policy file read afresh, no updatedAt.
//   PUT   file mode: "update is disabled for modes other than 'database'"
//         (400 on main, a plain error and so 500 through the gateway);
//         database mode: the text is parsed (policy v2, or v1 for v0.25),
//         "setting policy" + "parsing policy: <parser error>" when it fails
//         (400 on main, 500 through the gateway), else stored and echoed.
//   check main only: "parsing policy: ..." as a 400, else {}; the gateway
//         releases have no such route (grpc-gateway's 404).
// Every PUT that passes auth is logged in emu.pushes.
#pragma once

#include "emulator.h"
#include "http/router.h"

namespace postured::hsemu {

// Policy bodies of a large tailnet exceed the server's default 1 MiB limit.
inline constexpr std::size_t kMaxPolicyBodyBytes = 64u << 20;

void registerPolicyApi(http::Router& router, Emulator& emu);

}  // namespace postured::hsemu
