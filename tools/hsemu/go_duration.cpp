#include "go_duration.h"

#include <array>
#include <utility>

#include "go_text.h"

namespace postured::hsemu {

namespace {

constexpr std::int64_t kMicro = 1000;
constexpr std::int64_t kMilli = 1000 * kMicro;
constexpr std::int64_t kSecond = 1000 * kMilli;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;

const std::array<std::pair<std::string_view, std::int64_t>, 8> kUnits = {{{"ns", 1},
                                                                          {"us", kMicro},
                                                                          {"\xC2\xB5s", kMicro},  // µs (micro sign)
                                                                          {"\xCE\xBCs", kMicro},  // μs (Greek mu)
                                                                          {"ms", kMilli},
                                                                          {"s", kSecond},
                                                                          {"m", kMinute},
                                                                          {"h", kHour}}};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Writes v's decimal digits after dropping `prec` fractional digits, Go's fmtFrac.
std::string fraction(std::uint64_t& v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = v % 10;
    print = print || digit != 0;
    if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  return print ? "." + digits : std::string();
}

}  // namespace

tl::expected<std::int64_t, std::string> parseGoDuration(std::string_view original) {
  const auto invalid = [&] { return tl::unexpected("time: invalid duration " + goQuote(original)); };
  std::string_view s = original;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid();
  double total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || isDigit(s[0]))) return invalid();
    std::size_t i = 0;
    double value = 0;
    while (i < s.size() && isDigit(s[i])) value = value * 10 + (s[i++] - '0');
    const bool leading = i > 0;
    bool trailing = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && isDigit(s[i])) {
        value += (s[i++] - '0') * scale;
        scale /= 10;
        trailing = true;
      }
    }
    if (!leading && !trailing) return invalid();
    s.remove_prefix(i);
    std::size_t u = 0;
    while (u < s.size() && s[u] != '.' && !isDigit(s[u])) ++u;
    const auto unit = s.substr(0, u);
    if (unit.empty()) return tl::unexpected("time: missing unit in duration " + goQuote(original));
    std::int64_t scale = 0;
    for (const auto& [name, nanos] : kUnits)
      if (name == unit) scale = nanos;
    if (scale == 0) return tl::unexpected("time: unknown unit " + goQuote(unit) + " in duration " + goQuote(original));
    total += value * static_cast<double>(scale);
    if (total > 9.2e18) return invalid();
    s.remove_prefix(u);
  }
  const auto nanos = static_cast<std::int64_t>(total + 0.5);
  return negative ? -nanos : nanos;
}

std::string formatGoDuration(std::int64_t nanos) {
  if (nanos == 0) return "0s";
  const bool negative = nanos < 0;
  std::uint64_t u = negative ? static_cast<std::uint64_t>(-(nanos + 1)) + 1 : static_cast<std::uint64_t>(nanos);
  std::string out;
  if (u < static_cast<std::uint64_t>(kSecond)) {
    // Under a second Go picks the largest unit with a non-zero integer part.
    int prec = 0;
    std::string unit;
    if (u < static_cast<std::uint64_t>(kMicro)) {
      unit = "ns";
    } else if (u < static_cast<std::uint64_t>(kMilli)) {
      prec = 3, unit = "\xC2\xB5s";
    } else {
      prec = 6, unit = "ms";
    }
    const auto frac = fraction(u, prec);
    out = std::to_string(u) + frac + unit;
  } else {
    const auto frac = fraction(u, 9);
    const auto seconds = u % 60;
    u /= 60;
    out = std::to_string(seconds) + frac + "s";
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace postured::hsemu
