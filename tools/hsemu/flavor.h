// Which headscale API hsemu speaks. The wire shapes differ by release line:
//   kMain  headscale main (0.30 to be): the Huma v1 API; errors are RFC 7807
//          problem documents; policy errors are 400.
//   kV029  v0.29.x: grpc-gateway over the gRPC service, protojson with
//          grpc-gateway's default marshaler (lowerCamelCase, every field
//          emitted, uint64 as decimal strings, unset messages as null);
//          errors are {"code","message","details"}; a plain Go error from a
//          handler is code 2 (Unknown) and HTTP 500.
//   kV025  v0.25.x: the same gateway; nodes carry forcedTags/validTags/
//          invalidTags instead of tags and no route fields; policy v1 (no
//          unknown-member rejection).
// POST /api/v1/policy/check exists only on main: no gRPC-era release has a
// CheckPolicy RPC, so the gateway answers it with its 404.
#pragma once

#include <optional>
#include <string_view>

namespace postured::hsemu {

enum class Flavor { kV025, kV029, kMain };

std::optional<Flavor> parseFlavor(std::string_view name);
std::string_view flavorName(Flavor flavor);
inline bool isGrpcGateway(Flavor flavor) { return flavor != Flavor::kMain; }

}  // namespace postured::hsemu
