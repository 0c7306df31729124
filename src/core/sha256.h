// SHA-256 of a byte string as 64 lower-case hex digits (libsodium).
#pragma once

#include <string>
#include <string_view>

namespace postured::core {

std::string sha256Hex(std::string_view bytes);

}  // namespace postured::core
