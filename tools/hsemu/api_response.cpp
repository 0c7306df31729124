#include "api_response.h"

namespace postured::hsemu {

http::Response apiJson(Flavor flavor, const nlohmann::ordered_json& body) {
  auto text = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (!isGrpcGateway(flavor)) text += "\n";
  return http::Response::json(200, std::move(text));
}

}  // namespace postured::hsemu
