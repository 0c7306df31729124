// Wall-clock time as used everywhere in postured: UTC, millisecond precision,
// rendered as RFC 3339 ("2026-11-24T19:56:35.123Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace postured::core {

using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Source of "now"; tests substitute their own. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

std::string formatRfc3339(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"; 't' and 'z' in
// either case. Returns nullopt on anything else.
std::optional<Timestamp> parseRfc3339(std::string_view text);
// "90s", "15m", "24h", "7d", combinations such as "1h30m". nullopt when invalid.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

inline std::int64_t toUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp fromUnixMillis(std::int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

}  // namespace postured::core
