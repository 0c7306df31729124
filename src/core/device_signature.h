// How an enrolled device proves who it is: an Ed25519 key pair it generated
// itself (the private half never leaves its state directory). Every request
// it makes to the enrollment endpoints carries
//
//   Postured-Signature: t=<unix seconds>,sig=<base64 signature>
//
// over "postured-device-v1\n" METHOD "\n" PATH "\n" t "\n" hex(SHA-256(body)).
// Binding method, path and body stops a signature from being reused for
// another request; the time bounds replay (requests are idempotent anyway).
// The public key is written "nodekey:" + 64 hex digits, as Tailscale writes
// node keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace postured::core {

inline constexpr std::string_view kSignatureHeader = "Postured-Signature";
inline constexpr std::int64_t kSignatureMaxSkewSeconds = 300;

struct DeviceKeyPair {
  std::string publicKey;   // "nodekey:<hex>"
  std::string privateKey;  // "privkey:<hex>" (the 64-byte libsodium secret key)
};

DeviceKeyPair generateDeviceKeyPair();
// Checks the text form of a key pair read back from disk.
Result<DeviceKeyPair> parseDeviceKeyPair(std::string_view publicKey, std::string_view privateKey);
bool isValidNodeKey(std::string_view nodeKey);

// The header value for a request.
std::string signDeviceRequest(const DeviceKeyPair& keys, std::string_view method, std::string_view path,
                              std::string_view body, std::int64_t unixSeconds);
// kUnauthenticated with the reason when the header is malformed, too old or
// too new, or does not verify against `nodeKey`.
Result<void> verifyDeviceRequest(std::string_view nodeKey, std::string_view header, std::string_view method,
                                 std::string_view path, std::string_view body, std::int64_t nowUnixSeconds);

}  // namespace postured::core
