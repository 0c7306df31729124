#include "core/hardware_address.h"

#include "core/hex.h"

namespace postured::core {

std::optional<std::string> normaliseHardwareAddress(std::string_view text, std::size_t minBytes, std::size_t maxBytes) {
  std::string out;
  if (!normaliseHardwareAddressInto(text, out, minBytes, maxBytes)) return std::nullopt;
  return out;
}

bool normaliseHardwareAddressInto(std::string_view text, std::string& out, std::size_t minBytes, std::size_t maxBytes) {
  // "aa" or "aa:bb:...": three characters per byte but the last.
  if (text.size() < 2 || (text.size() + 1) % 3 != 0) return false;
  const std::size_t bytes = (text.size() + 1) / 3;
  if (bytes < minBytes || bytes > maxBytes) return false;
  const char separator = bytes > 1 ? text[2] : ':';
  if (separator != ':' && separator != '-') return false;
  static constexpr char kDigits[] = "0123456789abcdef";
  out.assign(text.size(), ':');
  bool allZero = true, allOnes = true;
  for (std::size_t at = 0; at < text.size(); at += 3) {
    if (at > 0 && text[at - 1] != separator) return false;
    const int hi = hexDigitValue(text[at]);
    const int lo = hexDigitValue(text[at + 1]);
    if (hi < 0 || lo < 0) return false;
    out[at] = kDigits[hi];
    out[at + 1] = kDigits[lo];
    allZero = allZero && hi == 0 && lo == 0;
    allOnes = allOnes && hi == 15 && lo == 15;
  }
  return !allZero && !allOnes;
}

}  // namespace postured::core
