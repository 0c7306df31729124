#include "policy/version_compare.h"

#include <gtest/gtest.h>

#include <string>

namespace postured::policy {
namespace {

struct VersionCase {
  const char* name;
  std::string a;
  std::string b;
  int want;
};

void expectOrdered(const VersionCase& c) {
  SCOPED_TRACE(std::string(c.name) + ": '" + c.a + "' vs '" + c.b + "'");
  EXPECT_EQ(compareVersions(c.a, c.b), c.want);
  EXPECT_EQ(compareVersions(c.b, c.a), -c.want);  // antisymmetric
}

// Test vectors of Tailscale's util/cmpver (version_test.go).
TEST(CompareVersions, CmpverTable) {
  const VersionCase cases[] = {
      {"both empty", "", "", 0},
      {"v1 empty", "", "1.2.3", -1},
      {"v2 empty", "1.2.3", "", 1},
      {"semver major", "2.0.0", "1.9.9", 1},
      {"semver minor", "1.9.0", "1.8.9", 1},
      {"semver patch", "1.9.9", "1.9.8", 1},
      {"semver equal", "1.9.8", "1.9.8", 0},
      {"tailscale major", "1.0-0", "0.97-105", 1},
      {"tailscale minor", "0.98-0", "0.97-105", 1},
      {"tailscale patch", "0.97-120", "0.97-105", 1},
      {"tailscale equal", "0.97-105", "0.97-105", 0},
      {"tailscale weird extra field", "0.96.1-0", "0.96-105", 1},
      // Non-ASCII digits are text: U+06F1 U+06F1 vs U+06F2 compare by bytes.
      {"only ascii numbers", "\u06F1\u06F1", "\u06F2", -1},
      {"windows version", "10.0.19045.3324", "10.0.18362", 1},
      {"windows 11 is everything above 10.0.22000", "10.0.22631.2262", "10.0.22000", 1},
      {"android short version", "10", "7", 1},
      {"android longer version", "7.1.2", "7", 1},
      {"iOS version", "15.6.1", "15.6", 1},
      {"Linux short kernel version", "4.4.302+", "4.0", 1},
      {"Linux long kernel version", "4.14.255-311-248.529.amzn2.x86_64", "4.0", 1},
      {"FreeBSD version", "14.0-CURRENT", "14", 1},
      {"Synology version", "Synology 6.2.4; kernel=3.10.105", "Synology 6", 1},
  };
  for (const auto& c : cases) expectOrdered(c);
}

// The consequences listed in the reference (section 1.5).
TEST(CompareVersions, ReferenceExamples) {
  const VersionCase cases[] = {
      {"more fields is larger", "12", "12.0", -1},
      {"numeric, not lexicographic", "1.100.2", "1.55.0", 1},
      {"extra field beats larger later run", "0.96.1-0", "0.96-105", 1},
      {"windows builds", "10.0.22631.2262", "10.0.19045", 1},
      {"empty is smallest", "", "1.2.3", -1},
      {"1.60 is below 1.60.0", "1.60", "1.60.0", -1},
  };
  for (const auto& c : cases) expectOrdered(c);
}

TEST(CompareVersions, EdgeCases) {
  const VersionCase cases[] = {
      {"leading zeros are ignored", "1.02", "1.2", 0},
      {"all-zero run is 0", "1.000", "1.0", 0},
      {"zero run equals a missing run", "1.0", "1.", 0},
      {"trailing dot", "1.", "1", 1},
      {"text before digits", "v1.2", "1.2", 1},  // "v" > ""
      {"text runs by bytes", "1.2-beta", "1.2-alpha", 1},
      {"upper before lower", "1.2-RC", "1.2-rc", -1},  // 'R' (0x52) < 'r' (0x72)
      {"suffix is larger than none", "1.2.3-1", "1.2.3", 1},
      {"uint64 max", "18446744073709551615", "18446744073709551614", 1},
      {"beyond uint64 is larger", "18446744073709551616", "18446744073709551615", 1},
      {"huge runs compare as integers", "99999999999999999999999.1", "99999999999999999999999.2", -1},
      {"huge with leading zeros", "000018446744073709551616", "18446744073709551616", 0},
      {"non-ASCII text vs ASCII text", "1.\xC3\xA9", "1.z", 1},  // 0xC3 > 'z'
      {"only separators", "...", "..", 1},
      {"only text", "abc", "abd", -1},
  };
  for (const auto& c : cases) expectOrdered(c);
}

TEST(CompareVersions, IsReflexiveOnSamples) {
  for (const char* v : {"", "1", "1.60.0", "0.96-105", "x", "1..2", "\xFF\xFE", "007"}) {
    EXPECT_EQ(compareVersions(v, v), 0) << v;
  }
}

}  // namespace
}  // namespace postured::policy
