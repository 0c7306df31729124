// headscale's node reads: GET /api/v1/node (?user= filters by user name) and
// GET /api/v1/node/{nodeId}, in the flavor's shapes (node_json.h). Follows
// hscontrol/api/v1/nodes.go (main) and hscontrol/grpcv1.go ListNodes/GetNode
// with grpc-gateway's path parameter parsing (v0.29, v0.25).
#pragma once

#include "emulator.h"
#include "http/router.h"

namespace postured::hsemu {

void registerNodesApi(http::Router& router, Emulator& emu);

}  // namespace postured::hsemu
