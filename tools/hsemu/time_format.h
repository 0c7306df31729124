// Times as headscale's two JSON encoders write them. The emulator keeps
// microseconds since the Unix epoch.
//   Go encoding/json (Huma, main): RFC 3339 with the fraction's trailing
//     zeros dropped ("2026-05-01T10:00:00.25Z"); the zero time.Time is
//     "0001-01-01T00:00:00Z".
//   protojson Timestamp (v0.29, v0.25): 0, 3, 6 or 9 fractional digits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postured::hsemu {

using Micros = std::int64_t;

// Go's zero time.Time, 0001-01-01T00:00:00Z.
inline constexpr Micros kGoZeroTime = -62'135'596'800LL * 1'000'000;

Micros nowMicros();
std::string formatGoTime(Micros t);
std::string formatProtoTime(Micros t);
// Always six fractional digits, for the push log.
std::string formatMicrosTime(Micros t);
// RFC 3339 with an optional fraction (kept to microseconds) and a Z or
// ±hh:mm offset; nullopt for anything else.
std::optional<Micros> parseTime(std::string_view text);

}  // namespace postured::hsemu
