#include "time_format.h"

#include <chrono>
#include <cstdio>

namespace postured::hsemu {

namespace {

constexpr Micros kMicrosPerSecond = 1'000'000;

// "YYYY-MM-DDTHH:MM:SS" of t's whole seconds, and the microseconds left.
std::string secondsPart(Micros t, Micros& micros) {
  using namespace std::chrono;
  Micros seconds = t / kMicrosPerSecond;
  micros = t % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  const sys_seconds tp{std::chrono::seconds(seconds)};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string sixDigits(Micros micros) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(micros));
  return buf;
}

int digits(std::string_view s, std::size_t at, std::size_t count) {
  if (at + count > s.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

Micros nowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string formatGoTime(Micros t) {
  Micros micros = 0;
  auto out = secondsPart(t, micros);
  if (micros != 0) {
    auto fraction = sixDigits(micros);
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  return out + "Z";
}

std::string formatProtoTime(Micros t) {
  Micros micros = 0;
  auto out = secondsPart(t, micros);
  if (micros != 0) {
    const auto fraction = sixDigits(micros);
    out += "." + (micros % 1000 == 0 ? fraction.substr(0, 3) : fraction);
  }
  return out + "Z";
}

std::string formatMicrosTime(Micros t) {
  Micros micros = 0;
  auto out = secondsPart(t, micros);
  return out + "." + sixDigits(micros) + "Z";
}

std::optional<Micros> parseTime(std::string_view s) {
  using namespace std::chrono;
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (month > 12 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  std::size_t i = 19;
  Micros micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const auto start = i;
    Micros scale = 100'000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  Micros offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || s[i + 3] != ':') return std::nullopt;
    offset = (oh * 3600LL + om * 60LL) * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const auto daysSinceEpoch = sys_days(ymd).time_since_epoch().count();
  const Micros seconds = daysSinceEpoch * 86'400LL + hour * 3600LL + minute * 60LL + second - offset;
  return seconds * kMicrosPerSecond + micros;
}

}  // namespace postured::hsemu
