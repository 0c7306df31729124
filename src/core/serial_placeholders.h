// Serial numbers that firmware vendors leave in SMBIOS when nobody set one
// ("To be filled by O.E.M.", "Default string", 00000000, ...). They identify
// no device, so the agent reports them apart and matching never uses them.
#pragma once

#include <string_view>

namespace postured::core {

// Case-insensitive; `serial` is trimmed. "" is not a placeholder (it is nothing).
bool isPlaceholderSerial(std::string_view serial);

}  // namespace postured::core
