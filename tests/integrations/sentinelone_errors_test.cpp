// SentinelOne's error bodies, the classification of statuses, Retry-After and
// the backoff between retries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sentinelone_fixtures.h"
#include "integrations/sentinelone/error_body.h"
#include "integrations/sentinelone/error_classification.h"

namespace postured::integrations::sentinelone {
namespace {

using namespace std::chrono_literals;

TEST(SentinelOneErrorBody, DescribesRecordedBodies) {
  EXPECT_EQ(describeErrorBody(fixture("error_401.json")), "Authentication Failed (code 4010010)");
  EXPECT_EQ(describeErrorBody(fixture("error_403.json")),
            "Insufficient permissions (code 4030010): User does not have required permissions");
  EXPECT_EQ(describeErrorBody(fixture("error_500.json")),
            "Internal server error (code 5000010): Server could not process the request.");
  EXPECT_EQ(describeErrorBody(fixture("error_503.json")),
            "Service Unavailable (code 5030010): Service is temporarily unavailable.");
  EXPECT_EQ(describeErrorBody(fixture("error_400_multiple.json")),
            "Validation Error (code 4000010): 2FA must be enabled for this user; Validation Error (code 4000010): "
            "Limit must be greater than or equals to 1 and less than equals to 1000");
}

TEST(SentinelOneErrorBody, KeepsItToOneSafeLine) {
  // A string code is kept; CR/LF in a title cannot start a new line.
  EXPECT_EQ(describeErrorBody(fixture("error_429_hostile.json")), "Too many requests X-Injected: 1 (code 4290010)");
  const std::string longTitle(1000, 'x');
  const auto described = describeErrorBody(R"({"errors":[{"code":1,"title":")" + longTitle + R"("}]})");
  EXPECT_LT(described.size(), 300u);
  EXPECT_THAT(described, ::testing::HasSubstr("..."));

  std::string many = R"({"errors":[)";
  for (int i = 0; i < 5; ++i) many += std::string(i ? "," : "") + R"({"code":4000010,"title":"E)" + std::to_string(i) + R"("})";
  many += "]}";
  EXPECT_EQ(describeErrorBody(many), "E0 (code 4000010); E1 (code 4000010); E2 (code 4000010); and 2 more");
}

TEST(SentinelOneErrorBody, DetailOnlyAndOddShapes) {
  EXPECT_EQ(describeErrorBody(R"({"errors":[{"code":4000010,"detail":"Limit must be at most 1000"}]})"),
            "Limit must be at most 1000 (code 4000010)");
  EXPECT_EQ(describeErrorBody(R"({"errors":[{"title":"No code"}]})"), "No code");
  // Not an error envelope: nothing to say.
  for (const auto* body : {"", "<html>502 Bad Gateway</html>", "{}", R"({"errors":null})", R"({"errors":[]})",
                           R"({"errors":[1,"x",null]})", R"({"errors":[{}]})", "[]", R"({"errors":[{"title":)"})
    EXPECT_EQ(describeErrorBody(body), "") << body;
}

TEST(SentinelOneErrorClassification, Statuses) {
  EXPECT_EQ(classifyStatus(200), ResponseClass::kSuccess);
  EXPECT_EQ(classifyStatus(401), ResponseClass::kAuthentication);
  EXPECT_EQ(classifyStatus(403), ResponseClass::kAuthentication);
  EXPECT_EQ(classifyStatus(429), ResponseClass::kRateLimited);
  for (const int s : {500, 502, 503, 504, 599}) EXPECT_EQ(classifyStatus(s), ResponseClass::kRetryable) << s;
  for (const int s : {301, 302, 400, 404, 405, 410, 418}) EXPECT_EQ(classifyStatus(s), ResponseClass::kConfiguration) << s;
}

TEST(SentinelOneErrorClassification, RetryAfter) {
  // 2015-10-21T07:28:00Z
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1445412480));
  EXPECT_EQ(parseRetryAfter("120", now), 120s);
  EXPECT_EQ(parseRetryAfter(" 0 ", now), 0s);
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30s);
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0s);  // already past
  EXPECT_EQ(parseRetryAfter("Thu, 22 Oct 2015 07:28:00 GMT", now), 24h);
  EXPECT_GT(*parseRetryAfter("99999999999999999999999", now), 24h * 300);  // saturates
  for (const auto* bad : {"", "soon", "-5", "1.5", "Wed, 21 Oct 2015 07:28:30 UTC", "Wed, 32 Oct 2015 07:28:30 GMT",
                          "Wednesday, 21-Oct-15 07:28:30 GMT"})
    EXPECT_FALSE(parseRetryAfter(bad, now)) << bad;
}

TEST(SentinelOneErrorClassification, BackoffIsExponentialWithFullJitter) {
  std::mt19937_64 rng(42);
  for (int retry = 0; retry < 6; ++retry) {
    const auto ceiling = 100ms * (1 << retry);
    auto lowest = ceiling;
    auto highest = 0ms;
    for (int i = 0; i < 500; ++i) {
      const auto d = backoffDelay(retry, 100ms, rng);
      ASSERT_GE(d, 0ms);
      ASSERT_LE(d, ceiling);
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    // Spread over the whole range, not clustered at the ceiling.
    EXPECT_LT(lowest, ceiling / 4) << retry;
    EXPECT_GT(highest, ceiling * 3 / 4) << retry;
  }
  for (int i = 0; i < 100; ++i) EXPECT_LE(backoffDelay(40, 1s, rng), kMaxBackoff);
  EXPECT_EQ(backoffDelay(3, 0ms, rng), 0ms);
}

}  // namespace
}  // namespace postured::integrations::sentinelone
