// MAC addresses as SentinelOne reports them in networkInterfaces[].physical:
// "06:35:e6:62:53:2e", "52:54:00:BC:62:53" or "00-00-5E-00-53-00".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postured::integrations::sentinelone {

// Six hex pairs separated consistently by ':' or '-', in any case, become
// lower-case "aa:bb:cc:dd:ee:ff". nullopt for anything else, and for the
// all-zero and broadcast addresses, which identify no machine.
std::optional<std::string> normaliseMacAddress(std::string_view text);

}  // namespace postured::integrations::sentinelone
