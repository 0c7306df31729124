#include "core/time.h"

#include <gtest/gtest.h>

namespace postured::core {
namespace {

TEST(Rfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(formatRfc3339(fromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatRfc3339(fromUnixMillis(1'764'000'000'123)), "2025-11-24T16:00:00.123Z");
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  EXPECT_EQ(parseRfc3339("2025-11-24T16:00:00Z"), fromUnixMillis(1'764'000'000'000));
  EXPECT_EQ(parseRfc3339("2025-11-24T16:00:00.5Z"), fromUnixMillis(1'764'000'000'500));
  EXPECT_EQ(parseRfc3339("2025-11-24T11:00:00-05:00"), fromUnixMillis(1'764'000'000'000));
  EXPECT_EQ(parseRfc3339("2024-06-18T08:43:43.777283-05:00"), parseRfc3339("2024-06-18T13:43:43.777Z"));
}

TEST(Rfc3339, RejectsMalformed) {
  EXPECT_FALSE(parseRfc3339("2025-11-24"));
  EXPECT_FALSE(parseRfc3339("2025-11-24T16:00:00"));  // no zone
  EXPECT_FALSE(parseRfc3339("2025-02-30T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2025-11-24T16:00:00Zjunk"));
  EXPECT_FALSE(parseRfc3339("tomorrow"));
}

TEST(Duration, Units) {
  EXPECT_EQ(parseDuration("90s"), std::chrono::milliseconds(90'000));
  EXPECT_EQ(parseDuration("1h30m"), std::chrono::milliseconds(5'400'000));
  EXPECT_EQ(parseDuration("7d"), std::chrono::milliseconds(604'800'000));
  EXPECT_EQ(parseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_FALSE(parseDuration("10"));
  EXPECT_FALSE(parseDuration("h"));
  EXPECT_FALSE(parseDuration("5w"));
}

}  // namespace
}  // namespace postured::core
