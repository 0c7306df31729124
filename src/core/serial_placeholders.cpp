#include "core/serial_placeholders.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace postured::core {

bool isPlaceholderSerial(std::string_view serial) {
  // Values firmware vendors leave in SMBIOS when nobody set a serial.
  static constexpr std::array<std::string_view, 24> kPlaceholders = {
      // clang-format off
      "TO BE FILLED BY O.E.M.", "TO BE FILLED BY OEM", "DEFAULT STRING", "DEFAULT",
      "SYSTEM SERIAL NUMBER", "BASE BOARD SERIAL NUMBER", "BASEBOARD SERIAL NUMBER", "CHASSIS SERIAL NUMBER",
      "SERIAL NUMBER", "SERIAL", "NOT SPECIFIED", "NOT APPLICABLE", "NOT AVAILABLE", "NONE", "N/A", "NA",
      "UNKNOWN", "INVALID", "EMPTY", "OEM", "O.E.M.", "0", "0123456789", "123456789",
      // clang-format on
  };
  std::string u(serial);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (u.empty()) return false;
  if (std::find(kPlaceholders.begin(), kPlaceholders.end(), u) != kPlaceholders.end()) return true;
  // 00000000, XXXXXXXX, FFFFFFFF: filler, not an identity.
  return std::all_of(u.begin(), u.end(), [&](char c) { return c == u[0]; }) &&
         (u[0] == '0' || u[0] == 'X' || u[0] == 'F');
}

}  // namespace postured::core
