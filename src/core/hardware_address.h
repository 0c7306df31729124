// Hardware (MAC) addresses as every source writes them: SentinelOne
// ("52:54:00:BC:62:53", "00-00-5E-00-53-00"), sysfs, the API and the agent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postured::core {

// Hex pairs separated consistently by ':' or '-', in any case, with between
// `minBytes` and `maxBytes` bytes, become lower-case "aa:bb:...". nullopt for
// anything else, and for all-zero and all-ones (broadcast) addresses, which
// identify no machine.
std::optional<std::string> normaliseHardwareAddress(std::string_view text, std::size_t minBytes = 6,
                                                    std::size_t maxBytes = 6);
// The same into `out`, reusing its buffer (a sync reads a MAC of every host);
// false, with `out` unspecified, where the above gives nullopt.
bool normaliseHardwareAddressInto(std::string_view text, std::string& out, std::size_t minBytes = 6,
                                  std::size_t maxBytes = 6);

}  // namespace postured::core
