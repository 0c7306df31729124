// Injected faults, set at run time through /_emu/faults and by flags.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "s1emu/emu_process.h"

namespace postured::s1emu::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const json kAuthFailed = json::parse(R"({"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]})");
const json kForbidden = json::parse(
    R"({"errors":[{"code":4030010,"detail":"User does not have required permissions","title":"Insufficient permissions"}]})");
const json kTooMany = json::parse(R"({"errors":[{"code":4290010,"detail":null,"title":"Too Many Requests"}]})");
const json kInternal = json::parse(
    R"({"errors":[{"code":5000010,"detail":"Server could not process the request.","title":"Internal server error"}]})");

// 250 generated agents: pages of 100 give pages 1, 2 and 3.
class S1emuFaults : public ::testing::Test {
 protected:
  void start(std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"--generate", "250", "--seed", "9"};
    args.insert(args.end(), flags.begin(), flags.end());
    emu_ = std::make_unique<EmuProcess>(args);
    ASSERT_TRUE(emu_->start()) << emu_->stderrText();
  }
  json setFaults(const std::string& body) {
    const auto response = emu_->request("POST", "/_emu/faults", body);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body);
  }
  // The cursor to page `page` of the limit=100 listing (fetched without faults).
  std::string cursorTo(int page) {
    std::string cursor;
    for (int p = 1; p < page; ++p) {
      const auto body =
          json::parse(emu_->agents("limit=100" + (cursor.empty() ? "" : "&cursor=" + urlEncode(cursor))).body);
      cursor = body["pagination"]["nextCursor"].get<std::string>();
    }
    return cursor;
  }
  http::ClientResponse page(const std::string& cursor) {
    return emu_->agents("limit=100" + (cursor.empty() ? "" : "&cursor=" + urlEncode(cursor)));
  }

  std::unique_ptr<EmuProcess> emu_;
};

TEST_F(S1emuFaults, RevokeTokenAtRunTimeAndByFlag) {
  start();
  EXPECT_EQ(emu_->agents("").status, 200);
  setFaults(R"({"revokeToken": true})");
  const auto revoked = emu_->agents("");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(json::parse(revoked.body), kAuthFailed);
  EXPECT_EQ(emu_->request("DELETE", "/_emu/faults").status, 200);
  EXPECT_EQ(emu_->agents("").status, 200);

  start({"--revoke-token"});
  EXPECT_EQ(emu_->agents("").status, 401);
  EXPECT_EQ(json::parse(emu_->request("GET", "/_emu/faults").body)["revokeToken"], true);
}

TEST_F(S1emuFaults, Forbidden) {
  start();
  setFaults(R"({"forbidden": true})");
  const auto response = emu_->agents("");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(json::parse(response.body), kForbidden);
  start({"--forbidden"});
  EXPECT_EQ(emu_->agents("").status, 403);
}

TEST_F(S1emuFaults, RateLimitEveryNthRequestWithRetryAfter) {
  start();
  setFaults(R"({"rateLimitEvery": 3, "rateLimitRetryAfter": 7})");
  std::vector<int> statuses;
  for (int i = 0; i < 6; ++i) {
    const auto response = emu_->agents("limit=5");
    statuses.push_back(response.status);
    if (response.status == 429) {
      EXPECT_EQ(response.header("retry-after"), "7");
      EXPECT_EQ(json::parse(response.body), kTooMany);
    }
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 429, 200, 200, 429}));

  start({"--rate-limit-every", "2"});
  EXPECT_EQ(emu_->agents("").status, 200);
  const auto limited = emu_->agents("");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "1");  // the default
}

TEST_F(S1emuFaults, FailPageFailsThatPageOfEveryListingUntilCleared) {
  start();
  const auto cursor2 = cursorTo(2);
  setFaults(R"({"failPage": 2})");
  for (int listing = 0; listing < 2; ++listing) {
    const auto first = page("");
    ASSERT_EQ(first.status, 200);
    const auto next = json::parse(first.body)["pagination"]["nextCursor"].get<std::string>();
    EXPECT_EQ(next, cursor2);
    for (int retry = 0; retry < 3; ++retry) {
      const auto second = page(next);
      EXPECT_EQ(second.status, 500);
      EXPECT_EQ(json::parse(second.body), kInternal);
    }
  }
  emu_->request("DELETE", "/_emu/faults");
  EXPECT_EQ(page(cursor2).status, 200);
}

TEST_F(S1emuFaults, FailPageTimesFailsOnlyTheFirstRequests) {
  start();
  setFaults(R"({"failPage": 2, "failPageTimes": 2})");
  const auto first = json::parse(page("").body);
  const auto next = first["pagination"]["nextCursor"].get<std::string>();
  EXPECT_EQ(page(next).status, 500);
  EXPECT_EQ(page(next).status, 500);
  const auto third = page(next);
  ASSERT_EQ(third.status, 200);
  // The listing then completes.
  const auto cursor3 = json::parse(third.body)["pagination"]["nextCursor"].get<std::string>();
  const auto last = json::parse(page(cursor3).body);
  EXPECT_TRUE(last["pagination"]["nextCursor"].is_null());
}

TEST_F(S1emuFaults, FailPageByFlag) {
  start({"--fail-page", "1", "--fail-page-times", "1"});
  EXPECT_EQ(page("").status, 500);
  EXPECT_EQ(page("").status, 200);
  EXPECT_EQ(json::parse(emu_->request("GET", "/_emu/faults").body)["failPageTimes"], 1);
}

TEST_F(S1emuFaults, SlowResponses) {
  start();
  setFaults(R"({"slowMs": 300})");
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(emu_->agents("").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(300));
  // The control endpoints stay fast enough to undo it.
  EXPECT_EQ(emu_->request("DELETE", "/_emu/faults").status, 200);

  start({"--slow-ms", "200"});
  const auto begin2 = std::chrono::steady_clock::now();
  EXPECT_EQ(emu_->agents("").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - begin2, std::chrono::milliseconds(200));
}

TEST_F(S1emuFaults, TruncatedPageIsHalfABody) {
  start();
  const auto cursor2 = cursorTo(2);
  const auto whole = page(cursor2).body;
  setFaults(R"({"truncatePage": 2})");
  const auto first = page("");
  EXPECT_TRUE(json::accept(first.body));
  const auto cut = page(cursor2);
  EXPECT_EQ(cut.status, 200);
  EXPECT_EQ(cut.body, whole.substr(0, whole.size() / 2));
  EXPECT_FALSE(json::accept(cut.body));

  start({"--truncate-page", "1"});
  EXPECT_FALSE(json::accept(page("").body));
}

TEST_F(S1emuFaults, MalformedPageIsNotJson) {
  start();
  setFaults(R"({"malformedPage": 1})");
  const auto bad = page("");
  EXPECT_EQ(bad.status, 200);
  EXPECT_FALSE(json::accept(bad.body));
  EXPECT_THAT(bad.body, HasSubstr(R"("data":[,)"));

  start({"--malformed-page", "2"});
  const auto first = page("");
  ASSERT_TRUE(json::accept(first.body));
  EXPECT_FALSE(json::accept(page(json::parse(first.body)["pagination"]["nextCursor"].get<std::string>()).body));
}

TEST_F(S1emuFaults, FaultsMergeShowAndClear) {
  start();
  const auto initial = json::parse(emu_->request("GET", "/_emu/faults").body);
  EXPECT_EQ(initial, json::parse(R"({"revokeToken":false,"forbidden":false,"rateLimitEvery":0,
      "rateLimitRetryAfter":1,"failPage":0,"failPageTimes":null,"slowMs":0,"truncatePage":0,"malformedPage":0})"));
  setFaults(R"({"failPage": 3})");
  const auto merged = setFaults(R"({"slowMs": 10})");
  EXPECT_EQ(merged["failPage"], 3);
  EXPECT_EQ(merged["slowMs"], 10);
  EXPECT_EQ(setFaults(R"({"failPage": null})")["failPage"], 0);
  EXPECT_EQ(json::parse(emu_->request("GET", "/_emu/faults").body)["slowMs"], 10);
  EXPECT_EQ(json::parse(emu_->request("DELETE", "/_emu/faults").body), initial);
}

TEST_F(S1emuFaults, InvalidFaultBodiesNameTheField) {
  start();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"slowMs": -1})", "slowMs: must be an integer from 0 to 600000"},
      {R"({"failPage": "2"})", "failPage: must be an integer"},
      {R"({"revokeToken": 1})", "revokeToken: must be true or false"},
      {R"({"failPageTimes": 0})", "failPageTimes: must be an integer from 1"},
      {R"({"nope": true})", "nope: unknown fault"},
      {R"([1])", "must be a JSON object"},
      {R"({"slowMs": )", "not valid JSON"},
  };
  for (const auto& [body, message] : cases) {
    const auto response = emu_->request("POST", "/_emu/faults", body);
    EXPECT_EQ(response.status, 400) << body;
    const auto error = json::parse(response.body);
    EXPECT_EQ(error["errors"][0]["code"], 4000010);
    EXPECT_THAT(error["errors"][0]["detail"].get<std::string>(), HasSubstr(message)) << body;
  }
  // A rejected body changes nothing.
  EXPECT_EQ(json::parse(emu_->request("GET", "/_emu/faults").body)["slowMs"], 0);
}

TEST_F(S1emuFaults, StatsCountAgentsRequestsIncludingErrors) {
  start();
  emu_->agents("");
  emu_->agents("", "ApiToken wrong");
  emu_->agents("limit=0");
  emu_->request("GET", "/_emu/faults");
  const auto stats = json::parse(emu_->request("GET", "/_emu/stats").body);
  EXPECT_EQ(stats, json::parse(R"({"agents": 250, "requests": 3})"));
}

}  // namespace
}  // namespace postured::s1emu::testing
