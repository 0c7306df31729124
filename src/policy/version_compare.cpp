#include "policy/version_compare.h"

namespace postured::policy {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Splits off the longest prefix whose characters are (or are not) digits.
std::string_view takeRun(std::string_view& s, bool digits) {
  std::size_t n = 0;
  while (n < s.size() && isDigit(s[n]) == digits) ++n;
  const std::string_view run = s.substr(0, n);
  s.remove_prefix(n);
  return run;
}

int sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

// Compares two digit runs as integers of any size; "" is 0.
int compareDigitRuns(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));  // same length: digit order is numeric order
}

}  // namespace

int compareVersions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    if (int c = sign(takeRun(a, false).compare(takeRun(b, false))); c != 0) return c;
    if (int c = compareDigitRuns(takeRun(a, true), takeRun(b, true)); c != 0) return c;
  }
  return 0;
}

}  // namespace postured::policy
