#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/message.h"
#include "http/router.h"

namespace postured::http {
namespace {

TEST(HttpMessage, PercentDecodes) {
  std::string out;
  EXPECT_TRUE(percentDecode("a%20b+c%2F", out, false));
  EXPECT_EQ(out, "a b+c/");
  EXPECT_TRUE(percentDecode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_FALSE(percentDecode("%4", out, false));
  EXPECT_FALSE(percentDecode("%zz", out, false));
  EXPECT_TRUE(percentDecode("%41", out, false));
  EXPECT_EQ(out, "A");
}

TEST(HttpMessage, ParsesQueries) {
  const auto q = parseQuery("a=1&&b=x+y&flag&c=%3D&a=2&bad=%zz");
  EXPECT_EQ(q.at("a"), "2");
  EXPECT_EQ(q.at("b"), "x y");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("c"), "=");
  EXPECT_EQ(q.count("bad"), 0u);
}

TEST(HttpMessage, ErrorBodiesAreJsonEvenForInvalidUtf8) {
  const auto r = Response::error(404, "no such endpoint: GET /\xFF");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.contentType, "application/json");
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], 404);
}

TEST(HttpMessage, HeaderLookupIgnoresCase) {
  Request req;
  req.headers = {{"content-type", "text/plain"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(req.header("Content-Type"), "text/plain");
  EXPECT_EQ(req.header("X-A"), "1");
  EXPECT_EQ(req.header("missing"), "");
}

TEST(HttpRouter, MatchesCapturesAndReportsOtherMethods) {
  Router router;
  auto ok = [](const Request&, const PathParams&) { return Response::json(200, "{}"); };
  router.add("GET", "/api/v2/device/{id}/attributes", ok);
  router.add("PATCH", "/api/v2/device/{id}/attributes/{key}", ok, 42);

  auto m = router.match("GET", "/api/v2/device/abc/attributes");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v2/device/{id}/attributes");
  EXPECT_EQ(m.params.at("id"), "abc");

  m = router.match("PATCH", "/api/v2/device/abc/attributes/os");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->maxBodyBytes, 42u);
  EXPECT_EQ(m.params.at("key"), "os");

  m = router.match("POST", "/api/v2/device/abc/attributes");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.pathExists);

  m = router.match("GET", "/api/v2/device/abc");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.pathExists);
}

TEST(HttpRouter, ARestCaptureTakesWhatFollowsOrNothing) {
  Router router;
  auto ok = [](const Request&, const PathParams&) { return Response::json(200, "{}"); };
  router.add("GET", "/forward-auth/{kind}/{value}/{rest...}", ok);

  auto m = router.match("GET", "/forward-auth/dst/tag:wiki:443/wiki/Main_Page");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("value"), "tag:wiki:443");
  EXPECT_EQ(m.params.at("rest"), "wiki/Main_Page");

  m = router.match("GET", "/forward-auth/dst/tag:wiki:443");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("rest"), "");

  EXPECT_EQ(router.match("GET", "/forward-auth/dst").route, nullptr);
  EXPECT_EQ(router.match("GET", "/other/dst/x").route, nullptr);
}

}  // namespace
}  // namespace postured::http
