// Device registration and reports as `postured enroll` sends them: signed
// with the device's key pair (core/device_signature.h), against a running server.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "core/device_signature.h"
#include "support/process.h"

namespace postured::testing {

inline std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline http::ClientResponse signedPost(ServerProcess& server, const core::DeviceKeyPair& keys, const std::string& path,
                                       const nlohmann::json& body, const std::string& authKeyText,
                                       std::int64_t at = nowSeconds()) {
  const auto text = body.dump();
  return server.request("POST", path, text, authKeyText,
                        {{std::string(core::kSignatureHeader), core::signDeviceRequest(keys, "POST", path, text, at)}});
}

// POST /api/v2/machine/register with the key pair's public key as the node key.
inline http::ClientResponse enrollDevice(ServerProcess& server, const core::DeviceKeyPair& keys,
                                         const std::string& authKeyText, nlohmann::json body) {
  body["nodeKey"] = keys.publicKey;
  return signedPost(server, keys, "/api/v2/machine/register", body, authKeyText);
}

inline http::ClientResponse reportDevice(ServerProcess& server, const core::DeviceKeyPair& keys, const std::string& id,
                                         const nlohmann::json& body) {
  return signedPost(server, keys, "/api/v2/machine/" + id + "/report", body, "");
}

}  // namespace postured::testing
