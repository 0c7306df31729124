#include "integrations/sentinelone/mac_address.h"

#include "core/hex.h"

namespace postured::integrations::sentinelone {

std::optional<std::string> normaliseMacAddress(std::string_view text) {
  constexpr std::size_t kLength = 17;  // "aa:bb:cc:dd:ee:ff"
  if (text.size() != kLength) return std::nullopt;
  const char separator = text[2];
  if (separator != ':' && separator != '-') return std::nullopt;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kLength, ':');
  bool allZero = true;
  bool allOnes = true;
  for (std::size_t group = 0; group < 6; ++group) {
    const std::size_t at = group * 3;
    if (group > 0 && text[at - 1] != separator) return std::nullopt;
    const int hi = core::hexDigitValue(text[at]);
    const int lo = core::hexDigitValue(text[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[at] = kDigits[hi];
    out[at + 1] = kDigits[lo];
    allZero = allZero && hi == 0 && lo == 0;
    allOnes = allOnes && hi == 15 && lo == 15;
  }
  if (allZero || allOnes) return std::nullopt;
  return out;
}

}  // namespace postured::integrations::sentinelone
