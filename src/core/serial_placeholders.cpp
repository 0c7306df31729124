#include "core/serial_placeholders.h"

#include <algorithm>
#include <array>
#include <cctype>

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
  // Compared upper-cased, without building the upper-cased copy: a sync
  // checks every serial of the fleet.
  const auto upper = [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); };
  const auto equalsUpper = [&](std::string_view placeholder) {
    return placeholder.size() == serial.size() &&
           std::equal(serial.begin(), serial.end(), placeholder.begin(), [&](char a, char b) { return upper(a) == b; });
  };
  if (serial.empty()) return false;
  if (std::any_of(kPlaceholders.begin(), kPlaceholders.end(), equalsUpper)) return true;
  // 00000000, XXXXXXXX, FFFFFFFF: filler, not an identity.
  const char first = upper(serial[0]);
  return (first == '0' || first == 'X' || first == 'F') &&
         std::all_of(serial.begin(), serial.end(), [&](char c) { return upper(c) == first; });
}

}  // namespace postured::core
