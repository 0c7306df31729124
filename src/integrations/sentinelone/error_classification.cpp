#include "integrations/sentinelone/error_classification.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace postured::integrations::sentinelone {

namespace {

// A year in milliseconds: more than any maxRetryAfter, small enough to add to a time point.
constexpr std::chrono::milliseconds kSaturated{365LL * 24 * 3600 * 1000};

bool readInt(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// IMF-fixdate, the only HTTP-date form senders may generate (RFC 9110 5.6.7):
// "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<std::chrono::system_clock::time_point> parseImfFixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT")
    return std::nullopt;
  int day, year, hour, minute, second;
  if (!readInt(s, 5, 2, day) || !readInt(s, 12, 4, year) || !readInt(s, 17, 2, hour) ||
      !readInt(s, 20, 2, minute) || !readInt(s, 23, 2, second))
    return std::nullopt;
  const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (month == kMonths.end() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month - kMonths.begin() + 1)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
}

}  // namespace

ResponseClass classifyStatus(int status) {
  if (status >= 200 && status < 300) return ResponseClass::kSuccess;
  if (status == 401 || status == 403) return ResponseClass::kAuthentication;
  if (status == 429) return ResponseClass::kRateLimited;
  if (status >= 500 && status < 600) return ResponseClass::kRetryable;
  return ResponseClass::kConfiguration;
}

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc{} && seconds > static_cast<std::uint64_t>(kSaturated.count() / 1000)))
      return kSaturated;
    if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000);
  }
  const auto when = parseImfFixdate(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::milliseconds(0);
  return std::min(std::chrono::ceil<std::chrono::milliseconds>(*when - now), kSaturated);
}

std::chrono::milliseconds backoffDelay(int retry, std::chrono::milliseconds base, std::mt19937_64& rng) {
  const auto cap = std::max(kMaxBackoff, base);
  auto ceiling = std::max(base, std::chrono::milliseconds(0));
  for (int i = 0; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  std::uniform_int_distribution<std::int64_t> pick(0, ceiling.count());
  return std::chrono::milliseconds(pick(rng));
}

}  // namespace postured::integrations::sentinelone
