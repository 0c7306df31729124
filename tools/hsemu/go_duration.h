// Go's time.ParseDuration and Duration.String, for SSH checkPeriod values
// and the messages headscale words with them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace postured::hsemu {

// Nanoseconds, or Go's error text (`time: invalid duration "x"`).
tl::expected<std::int64_t, std::string> parseGoDuration(std::string_view text);
// "200h0m0s", "1.5s", "-1m0s", "0s", "250ms".
std::string formatGoDuration(std::int64_t nanos);

}  // namespace postured::hsemu
