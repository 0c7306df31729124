// Success bodies as each flavor's encoder writes them: Huma's
// encoding/json Encoder ends the body with a newline, grpc-gateway's
// protojson marshaler does not; neither escapes HTML characters.
#pragma once

#include <nlohmann/json.hpp>

#include "flavor.h"
#include "http/message.h"

namespace postured::hsemu {

http::Response apiJson(Flavor flavor, const nlohmann::ordered_json& body);

}  // namespace postured::hsemu
