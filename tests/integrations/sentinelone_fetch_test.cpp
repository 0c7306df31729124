// SentinelOneProvider::fetchHosts against a scripted console served by our
// own HTTP server on loopback: paging, headers, connection reuse, and every
// failure class with its retries, waits and cancellation.
#include "integrations/sentinelone/sentinelone_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/test_server.h"

namespace postured::integrations::sentinelone {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kToken = "s3cr3tT0kenValue0123456789";
const std::string kError401 = R"({"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]})";
const std::string kError403 =
    R"({"errors":[{"code":4030010,"detail":"User does not have required permissions","title":"Insufficient permissions"}]})";
const std::string kError500 =
    R"({"errors":[{"code":5000010,"detail":"Server could not process the request.","title":"Internal server error"}]})";

std::string cursorFor(int page) { return "page:" + std::to_string(page) + "/+="; }  // needs percent-encoding

// What the console saw of one request.
struct Seen {
  int page = 0;
  std::string authorization;
  std::string accept;
  std::string limit;
  std::string isDecommissioned;
  std::string remoteAddress;
};

// A console with `pages` pages of `perPage` agents. `fault` may replace the
// answer to any attempt at any page (attempts count from 0 per page).
class FakeConsole {
 public:
  using Fault = std::function<std::optional<http::Response>(int page, int attempt)>;

  explicit FakeConsole(int pages, int perPage = 3, Fault fault = {}) : pages_(pages), perPage_(perPage), fault_(std::move(fault)) {
    router_.add("GET", "/web/api/v2.1/agents", [this](const http::Request& req, const http::PathParams&) {
      return serve(req);
    });
    http::ServerOptions options;
    options.threads = 4;  // some handlers sleep
    server_ = std::make_unique<http::testing::RunningServer>(router_, options);
  }

  // The server goes first: its handlers use the members below.
  ~FakeConsole() { server_.reset(); }
  FakeConsole(const FakeConsole&) = delete;
  FakeConsole& operator=(const FakeConsole&) = delete;

  std::string url() const { return "http://" + server_->address(); }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::vector<int> pagesRequested() const {
    std::vector<int> out;
    for (const auto& s : seen()) out.push_back(s.page);
    return out;
  }

  // SentinelOne sends "pagination" before "data" (which lets the next
  // request start early); nlohmann sorts keys, which puts it last.
  static std::string pageBodyPaginationFirst(int page, int pages, int perPage) {
    auto body = nlohmann::json::parse(pageBody(page, pages, perPage));
    return R"({"pagination":)" + body["pagination"].dump() + R"(,"data":)" + body["data"].dump() + "}";
  }

  static std::string pageBody(int page, int pages, int perPage) {
    nlohmann::json data = nlohmann::json::array();
    for (int i = 0; i < perPage; ++i)
      data.push_back({{"id", std::to_string(1000000000000000000LL + page * 1000 + i)},
                      {"computerName", "host-" + std::to_string(page) + "-" + std::to_string(i)},
                      {"serialNumber", "SN" + std::to_string(page * 1000 + i)},
                      {"isActive", "True"},
                      {"agentVersion", "23.3.2.12"},
                      {"activeThreats", 0},
                      {"infected", false},
                      {"unknown", {{"nested", {1, 2, 3}}}}});
    return nlohmann::json{{"pagination",
                           {{"nextCursor", page < pages ? nlohmann::json(cursorFor(page + 1)) : nlohmann::json()},
                            {"totalItems", pages * perPage}}},
                          {"errors", nullptr},
                          {"data", data}}
        .dump();
  }

 private:
  http::Response serve(const http::Request& req) {
    int page = 1;
    const auto cursor = req.queryParam("cursor");
    if (!cursor.empty()) page = std::stoi(std::string(cursor.substr(5)));  // "page:<n>/+="
    int attempt = 0;
    {
      std::lock_guard lock(mutex_);
      attempt = attempts_[page]++;
      seen_.push_back({page, std::string(req.header("authorization")), std::string(req.header("accept")),
                       std::string(req.queryParam("limit")), std::string(req.queryParam("isDecommissioned")),
                       req.remoteAddress});
    }
    if (!cursor.empty() && cursor != cursorFor(page)) return http::Response::json(400, R"({"errors":[{"title":"bad cursor"}]})");
    if (fault_)
      if (auto r = fault_(page, attempt)) return std::move(*r);
    return http::Response::json(200, pageBody(page, pages_, perPage_));
  }

  int pages_;
  int perPage_;
  Fault fault_;
  http::Router router_;
  std::unique_ptr<http::testing::RunningServer> server_;
  mutable std::mutex mutex_;
  std::map<int, int> attempts_;
  std::vector<Seen> seen_;
};

http::Response withHeader(http::Response r, std::string name, std::string value) {
  r.headers.emplace_back(std::move(name), std::move(value));
  return r;
}

std::string httpDate(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// Runs fetchHosts and records what reached the sink, page by page.
struct Run {
  tl::expected<FetchSummary, FetchError> result = tl::unexpected(FetchError{});
  std::vector<std::vector<std::string>> pages;  // provider ids per delivered page
  std::chrono::milliseconds elapsed{};
};

FetchContext testContext() {
  FetchContext ctx;
  ctx.allowInsecureUrls = true;
  ctx.maxRetries = 4;
  ctx.retryBaseDelay = 10ms;
  ctx.maxRetryAfter = 5s;
  ctx.connectTimeout = 2s;
  ctx.requestTimeout = 5s;
  return ctx;
}

Run fetch(const std::string& url, const FetchContext& ctx = testContext(),
          const std::function<void()>& afterPage = {}) {
  const SentinelOneProvider provider;
  ProviderConfig config;
  config.cloudId = url;
  config.clientSecret = kToken;
  Run run;
  const auto start = std::chrono::steady_clock::now();
  run.result = provider.fetchHosts(config, ctx, [&](std::vector<ProviderHost>& page) {
    std::vector<std::string> ids;
    for (const auto& h : page) ids.push_back(h.providerId);
    run.pages.push_back(std::move(ids));
    if (afterPage) afterPage();
  });
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (!run.result) {
    EXPECT_THAT(run.result.error().message, Not(HasSubstr(kToken)));
    EXPECT_EQ(run.result.error().message.find('\n'), std::string::npos);
  }
  return run;
}

std::vector<std::string> idsOfPage(int page, int perPage = 3) {
  std::vector<std::string> ids;
  for (int i = 0; i < perPage; ++i) ids.push_back(std::to_string(1000000000000000000LL + page * 1000 + i));
  return ids;
}

TEST(SentinelOneFetch, DeliversEveryPageInOrderOverOneConnection) {
  FakeConsole console(3);
  const auto run = fetch(console.url() + "/");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->pages, 3u);
  EXPECT_EQ(run.result->hosts, 9u);
  EXPECT_EQ(run.result->requests, 3u);
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1), idsOfPage(2), idsOfPage(3)));

  const auto seen = console.seen();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& s : seen) {
    EXPECT_EQ(s.authorization, std::string("ApiToken ") + kToken);
    EXPECT_EQ(s.accept, "application/json");
    EXPECT_EQ(s.limit, "1000");
    EXPECT_EQ(s.isDecommissioned, "false");
    EXPECT_EQ(s.remoteAddress, seen.front().remoteAddress);  // one kept-alive connection
  }
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2, 3));  // cursors decoded back to what we were given
}

TEST(SentinelOneFetch, ParsesWhatTheHostsCarry) {
  FakeConsole console(1, 2);
  const SentinelOneProvider provider;
  ProviderConfig config{console.url(), "", "", kToken};
  std::vector<ProviderHost> hosts;
  const auto r = provider.fetchHosts(config, testContext(), [&](std::vector<ProviderHost>& page) {
    for (auto& h : page) hosts.push_back(std::move(h));
  });
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].name, "host-1-0");
  EXPECT_THAT(hosts[0].serialNumbers, ElementsAre("SN1000"));
  EXPECT_EQ(hosts[0].attributes.size(), 4u);  // isActive, agentVersion, activeThreats, infected
}

TEST(SentinelOneFetch, EmptyFleet) {
  FakeConsole console(1, 0);
  const auto run = fetch(console.url());
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->hosts, 0u);
  EXPECT_EQ(run.result->pages, 1u);
}

TEST(SentinelOneFetch, Unauthorized) {
  FakeConsole console(3, 3, [](int, int) { return http::Response::json(401, kError401); });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kAuthentication);
  EXPECT_EQ(run.result.error().message, "SentinelOne returned 401: Authentication Failed (code 4010010)");
  EXPECT_EQ(console.seen().size(), 1u);  // no retry
  EXPECT_THAT(run.pages, IsEmpty());
}

TEST(SentinelOneFetch, ForbiddenOnPageTwoIsNotAPartialSuccess) {
  FakeConsole console(3, 3, [](int page, int) -> std::optional<http::Response> {
    if (page == 2) return http::Response::json(403, kError403);
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kAuthentication);
  EXPECT_EQ(run.result.error().message,
            "SentinelOne returned 403: Insufficient permissions (code 4030010): User does not have required permissions");
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2));
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1)));
}

TEST(SentinelOneFetch, UnauthorizedWithoutAnEnvelopeStillExplains) {
  FakeConsole console(1, 3, [](int, int) { return http::Response{401, "text/html", "<html>no</html>", {}}; });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kAuthentication);
  EXPECT_THAT(run.result.error().message, StartsWith("SentinelOne returned 401: the API token was refused"));
}

TEST(SentinelOneFetch, RateLimitedHonoursRetryAfterSeconds) {
  FakeConsole console(2, 3, [](int page, int attempt) -> std::optional<http::Response> {
    if (page == 2 && attempt == 0)
      return withHeader(http::Response::json(429, R"({"errors":[{"code":4290010,"title":"Too many requests"}]})"),
                        "Retry-After", "1");
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->requests, 3u);
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2, 2));  // the same page again
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1), idsOfPage(2)));
  EXPECT_GE(run.elapsed, 1000ms);  // it waited as told (retryBaseDelay alone is 10 ms)
}

TEST(SentinelOneFetch, RateLimitedHonoursRetryAfterHttpDate) {
  FakeConsole console(1, 3, [](int, int attempt) -> std::optional<http::Response> {
    if (attempt == 0)
      return withHeader(http::Response::json(429, "{}"), "Retry-After",
                        httpDate(std::chrono::system_clock::now() + 2s));
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->requests, 2u);
  EXPECT_GE(run.elapsed, 900ms);  // the date has whole seconds: between 1 and 2 s away
}

TEST(SentinelOneFetch, RateLimitedTooLongFailsRightAway) {
  FakeConsole console(1, 3, [](int, int) {
    return withHeader(http::Response::json(429, "{}"), "Retry-After", "600");
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kTransient);
  EXPECT_THAT(run.result.error().message, HasSubstr("SentinelOne returned 429 on page 1 and asked to retry after 600 s"));
  EXPECT_THAT(run.result.error().message, HasSubstr("Retry-After"));
  EXPECT_EQ(console.seen().size(), 1u);

  // The same for a date beyond the limit.
  FakeConsole dated(1, 3, [](int, int) {
    return withHeader(http::Response::json(429, "{}"), "Retry-After", httpDate(std::chrono::system_clock::now() + 1h));
  });
  const auto again = fetch(dated.url());
  ASSERT_FALSE(again.result);
  EXPECT_EQ(again.result.error().kind, FetchErrorKind::kTransient);
  EXPECT_EQ(dated.seen().size(), 1u);
}

TEST(SentinelOneFetch, RateLimitedForeverSpendsTheRetryBudget) {
  // No Retry-After: exponential backoff, counted against maxRetries.
  FakeConsole console(1, 3, [](int, int) {
    return http::Response::json(429, R"({"errors":[{"code":4290010,"detail":null,"title":"Too many requests"}]})");
  });
  auto ctx = testContext();
  ctx.maxRetries = 2;
  const auto run = fetch(console.url(), ctx);
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kTransient);
  EXPECT_EQ(run.result.error().message, "SentinelOne returned 429 on page 1 after 2 retries: Too many requests (code 4290010)");
  EXPECT_EQ(console.seen().size(), 3u);
}

TEST(SentinelOneFetch, ServerErrorThenSuccess) {
  FakeConsole console(4, 3, [](int page, int attempt) -> std::optional<http::Response> {
    if (page == 3 && attempt < 2) return http::Response::json(500, kError500);
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->requests, 6u);
  EXPECT_EQ(run.result->pages, 4u);
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2, 3, 3, 3, 4));
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1), idsOfPage(2), idsOfPage(3), idsOfPage(4)));
}

TEST(SentinelOneFetch, ServerErrorForeverFailsTheRun) {
  FakeConsole console(4, 3, [](int page, int) -> std::optional<http::Response> {
    if (page == 3) return http::Response::json(500, kError500);
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kTransient);
  EXPECT_EQ(run.result.error().message,
            "SentinelOne returned 500 on page 3 after 4 retries: Internal server error (code 5000010): Server could "
            "not process the request.");
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2, 3, 3, 3, 3, 3));
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1), idsOfPage(2)));  // delivered, but the run failed
}

TEST(SentinelOneFetch, ServiceUnavailableHonoursRetryAfter) {
  FakeConsole console(1, 3, [](int, int attempt) -> std::optional<http::Response> {
    if (attempt == 0) return withHeader(http::Response::json(503, "{}"), "Retry-After", "0");
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->requests, 2u);
}

TEST(SentinelOneFetch, OtherClientErrorsAreConfigurationErrors) {
  FakeConsole console(2, 3, [](int, int) {
    return http::Response::json(404, R"({"errors":[{"code":4040010,"detail":null,"title":"Not Found"}]})");
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kConfiguration);
  EXPECT_EQ(run.result.error().message, "SentinelOne returned 404 on page 1: Not Found (code 4040010)");
  EXPECT_EQ(console.seen().size(), 1u);

  FakeConsole plain(1, 3, [](int, int) { return http::Response{404, "text/plain", "not found", {}}; });
  const auto bare = fetch(plain.url());
  ASSERT_FALSE(bare.result);
  EXPECT_THAT(bare.result.error().message, HasSubstr("check that cloudId is the console URL"));

  FakeConsole redirect(1, 3, [](int, int) {
    return withHeader(http::Response{302, "text/html", "", {}}, "Location", "https://login.example.com/");
  });
  const auto moved = fetch(redirect.url());
  ASSERT_FALSE(moved.result);
  EXPECT_EQ(moved.result.error().kind, FetchErrorKind::kConfiguration);
  EXPECT_THAT(moved.result.error().message, HasSubstr("redirect to https://login.example.com/"));
}

TEST(SentinelOneFetch, MalformedPageTwoFailsWithoutRetry) {
  FakeConsole console(3, 3, [](int page, int) -> std::optional<http::Response> {
    if (page == 2) return http::Response::json(200, R"({"pagination":{"nextCursor":null},"data":[{"id":"1"},)");
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kProvider);
  EXPECT_THAT(run.result.error().message, StartsWith("SentinelOne returned a malformed page 2: invalid JSON"));
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2));
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1)));
}

TEST(SentinelOneFetch, PaginationBeforeData) {
  FakeConsole console(4, 50, [](int page, int) -> std::optional<http::Response> {
    return http::Response::json(200, FakeConsole::pageBodyPaginationFirst(page, 4, 50));
  });
  const auto run = fetch(console.url());
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->requests, 4u);
  EXPECT_THAT(console.pagesRequested(), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1, 50), idsOfPage(2, 50), idsOfPage(3, 50), idsOfPage(4, 50)));
}

TEST(SentinelOneFetch, MalformedAgentsAfterTheCursorStopTheNextRequest) {
  // Page 2's cursor is readable, so page 3 may already be on its way when
  // page 2's agents turn out broken; the run still fails and goes no further.
  FakeConsole console(5, 3, [](int page, int) -> std::optional<http::Response> {
    auto body = FakeConsole::pageBodyPaginationFirst(page, 5, 3);
    if (page == 2) body.insert(body.find(R"("data":[)") + 8, "7,");
    return http::Response::json(200, body);
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kProvider);
  EXPECT_EQ(run.result.error().message,
            "SentinelOne returned a malformed page 2: data[0] is a number, not an agent object");
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1)));
  EXPECT_LE(console.seen().size(), 3u);
}

TEST(SentinelOneFetch, AnExceptionFromTheSinkPropagates) {
  FakeConsole console(3);
  const SentinelOneProvider provider;
  ProviderConfig config{console.url(), "", "", kToken};
  int calls = 0;
  EXPECT_THROW(provider.fetchHosts(config, testContext(),
                                   [&](std::vector<ProviderHost>&) {
                                     if (++calls == 2) throw std::runtime_error("sink failed");
                                   }),
               std::runtime_error);
  EXPECT_EQ(calls, 2);
}

TEST(SentinelOneFetch, CursorThatDoesNotMoveIsMalformed) {
  FakeConsole console(3, 3, [](int page, int) -> std::optional<http::Response> {
    if (page == 2) return http::Response::json(200, FakeConsole::pageBody(1, 3, 3));  // points at page 2 again
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kProvider);
  EXPECT_THAT(run.result.error().message, HasSubstr("repeats the cursor"));
  EXPECT_EQ(console.seen().size(), 2u);
}

TEST(SentinelOneFetch, CursorThatCyclesBackIsMalformed) {
  FakeConsole console(4, 3, [](int page, int) -> std::optional<http::Response> {
    if (page == 3) return http::Response::json(200, FakeConsole::pageBody(1, 4, 3));  // back to page 2's cursor
    return std::nullopt;
  });
  const auto run = fetch(console.url());
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kProvider);
  EXPECT_THAT(run.result.error().message, HasSubstr("repeats the cursor of an earlier page"));
  EXPECT_EQ(console.seen().size(), 3u) << "no page is fetched twice";
}

TEST(SentinelOneFetch, CancelledDuringABackoff) {
  std::atomic<bool> cancelled{false};
  std::thread canceller;
  FakeConsole console(1, 3, [&](int, int attempt) {
    if (attempt == 0) canceller = std::thread([&] {
        std::this_thread::sleep_for(100ms);
        cancelled = true;
      });
    return http::Response::json(500, kError500);
  });
  auto ctx = testContext();
  ctx.retryBaseDelay = 60s;  // the jittered wait is very likely long; if not, the next one is
  ctx.cancelled = &cancelled;
  const auto run = fetch(console.url(), ctx);
  if (canceller.joinable()) canceller.join();
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kCancelled);
  EXPECT_LT(run.elapsed, 30s);
}

TEST(SentinelOneFetch, CancelledDuringARetryAfterWait) {
  std::atomic<bool> cancelled{false};
  FakeConsole console(1, 3, [&](int, int) {
    return withHeader(http::Response::json(429, "{}"), "Retry-After", "30");
  });
  auto ctx = testContext();
  ctx.maxRetryAfter = 60s;
  ctx.cancelled = &cancelled;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancelled = true;
  });
  const auto run = fetch(console.url(), ctx);
  canceller.join();
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kCancelled);
  EXPECT_EQ(console.seen().size(), 1u);
  EXPECT_LT(run.elapsed, 20s);  // did not sit out the 30 s
}

TEST(SentinelOneFetch, CancelledDuringARequest) {
  std::atomic<bool> cancelled{false};
  FakeConsole console(1, 3, [&](int, int) -> std::optional<http::Response> {
    std::this_thread::sleep_for(3s);
    return std::nullopt;
  });
  auto ctx = testContext();
  ctx.cancelled = &cancelled;
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancelled = true;
  });
  const auto run = fetch(console.url(), ctx);
  canceller.join();
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kCancelled);
  EXPECT_LT(run.elapsed, 2500ms);  // curl's progress callback noticed before the answer came
}

TEST(SentinelOneFetch, CancelledBetweenPages) {
  std::atomic<bool> cancelled{false};
  FakeConsole console(3);
  auto ctx = testContext();
  ctx.cancelled = &cancelled;
  const auto run = fetch(console.url(), ctx, [&] { cancelled = true; });
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kCancelled);
  EXPECT_EQ(run.result.error().message, "SentinelOne fetch cancelled at page 2");
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1)));
  // Page 2 may have been prefetched while page 1 was parsed, but no further.
  EXPECT_LE(console.seen().size(), 2u);

  // Cancelled before it starts: not a single request.
  FakeConsole idle(1);
  const auto none = fetch(idle.url(), ctx);
  ASSERT_FALSE(none.result);
  EXPECT_EQ(none.result.error().kind, FetchErrorKind::kCancelled);
  EXPECT_THAT(idle.seen(), IsEmpty());
}

TEST(SentinelOneFetch, TimeoutIsRetried) {
  FakeConsole console(2, 3, [](int page, int attempt) -> std::optional<http::Response> {
    if (page == 2 && attempt == 0) std::this_thread::sleep_for(1s);
    return std::nullopt;
  });
  auto ctx = testContext();
  ctx.requestTimeout = 300ms;
  const auto run = fetch(console.url(), ctx);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.result->requests, 3u);
  EXPECT_THAT(run.pages, ElementsAre(idsOfPage(1), idsOfPage(2)));
}

TEST(SentinelOneFetch, UnreachableConsole) {
  std::string url;
  {
    FakeConsole gone(1);  // learn a free port, then let it go
    url = gone.url();
  }
  auto ctx = testContext();
  ctx.maxRetries = 2;
  const auto run = fetch(url, ctx);
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kTransient);
  EXPECT_THAT(run.result.error().message, StartsWith("cannot reach " + url + ": "));
  EXPECT_THAT(run.result.error().message, HasSubstr("(page 1, after 2 retries)"));
}

TEST(SentinelOneFetch, RejectsAnInsecureUrlUnlessAllowed) {
  FakeConsole console(1);
  auto ctx = testContext();
  ctx.allowInsecureUrls = false;
  const auto run = fetch(console.url(), ctx);
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().kind, FetchErrorKind::kConfiguration);
  EXPECT_THAT(run.result.error().message, HasSubstr("allow_insecure_provider_urls"));
  EXPECT_THAT(console.seen(), IsEmpty());
}

TEST(SentinelOneFetch, LargePagesStreamThrough) {
  // 1000 agents a page, as the real API pages; the sink gets one page at a time.
  FakeConsole console(3, 1000);
  std::size_t largest = 0;
  const SentinelOneProvider provider;
  ProviderConfig config{console.url(), "", "", kToken};
  const auto r = provider.fetchHosts(config, testContext(), [&](std::vector<ProviderHost>& page) {
    largest = std::max(largest, page.size());
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->hosts, 3000u);
  EXPECT_EQ(largest, 1000u);
}

}  // namespace
}  // namespace postured::integrations::sentinelone
