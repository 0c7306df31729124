// Calls on a running hsemu for its own tests: the headscale API with the
// emulator's key (or another Authorization header), and JSON helpers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/client.h"
#include "support/hsemu_process.h"

namespace postured::hsemu::testing {

using Json = nlohmann::json;
using postured::testing::HsEmulatorProcess;

inline http::ClientResponse call(HsEmulatorProcess& emu, const std::string& method, const std::string& path,
                                 const std::string& body = {}, const std::string* authorization = nullptr) {
  static thread_local http::HttpClient client;
  const std::string auth = authorization ? *authorization : "Bearer " + emu.apiKey();
  http::ClientRequest request{method, emu.baseUrl() + path, {{"Content-Type", "application/json"}}, body};
  if (!auth.empty()) request.headers.emplace_back("Authorization", auth);
  auto response = client.send(request);
  if (!response) return http::ClientResponse{0, response.error().message, {}};
  return *response;
}

inline Json parsed(const http::ClientResponse& response) { return Json::parse(response.body, nullptr, false); }

inline std::string putBody(const std::string& policy) { return Json{{"policy", policy}}.dump(); }

inline const char* kGoodPolicy = R"({
  // HuJSON: comments and trailing commas
  "tagOwners": {"tag:server": ["alice@"]},
  "acls": [
    {"action": "accept", "src": ["alice@"], "dst": ["tag:server:443"]},
  ],
})";

}  // namespace postured::hsemu::testing
