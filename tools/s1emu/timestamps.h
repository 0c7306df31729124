// SentinelOne's timestamp format: ISO-8601 UTC with microseconds,
// "2019-06-27T08:01:05.571895Z".
#pragma once

#include <cstdint>
#include <string>

namespace postured::s1emu {

// Microseconds since the Unix epoch.
using Micros = std::int64_t;

inline constexpr Micros kMicrosPerSecond = 1'000'000;
inline constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr Micros kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;

std::string formatTimestamp(Micros t);
Micros nowMicros();

}  // namespace postured::s1emu
