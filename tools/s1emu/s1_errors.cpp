#include "s1_errors.h"

#include <nlohmann/json.hpp>

namespace postured::s1emu {

http::Response s1Error(int status, std::optional<std::string_view> detail, std::string_view title) {
  nlohmann::ordered_json entry;
  entry["code"] = status * 10000 + 10;
  entry["detail"] = detail ? nlohmann::ordered_json(*detail) : nlohmann::ordered_json(nullptr);
  entry["title"] = title;
  const nlohmann::ordered_json body = {{"errors", nlohmann::ordered_json::array({entry})}};
  // Details can quote client input that is not valid UTF-8.
  return http::Response::json(status, body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

http::Response authenticationFailed() { return s1Error(401, std::nullopt, "Authentication Failed"); }

http::Response insufficientPermissions() {
  return s1Error(403, "User does not have required permissions", "Insufficient permissions");
}

http::Response validationError(std::string_view detail) { return s1Error(400, detail, "Validation Error"); }

http::Response tooManyRequests(int retryAfterSeconds) {
  auto response = s1Error(429, std::nullopt, "Too Many Requests");
  response.headers.emplace_back("Retry-After", std::to_string(retryAfterSeconds));
  return response;
}

http::Response internalServerError() {
  return s1Error(500, "Server could not process the request.", "Internal server error");
}

http::Response notFound(std::string_view detail) { return s1Error(404, detail, "Not Found"); }

http::Response conflict(std::string_view detail) { return s1Error(409, detail, "Conflict"); }

}  // namespace postured::s1emu
