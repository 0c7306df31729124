// Cryptographically secure random identifiers (libsodium).
#pragma once

#include <cstddef>
#include <string>

namespace postured::core {

// `length` characters of [0-9A-Za-z].
std::string randomAlphanumeric(std::size_t length);
// Device ids look like Tailscale's node ids: "n" + 12 alphanumerics + "CNTRL".
std::string newDeviceId();
// Groups the audit events of one request.
std::string newEventGroupId();

}  // namespace postured::core
