#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "http/client.h"
#include "http/test_server.h"

namespace postured::http {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using ::testing::HasSubstr;
using testing::RawConnection;
using testing::RunningServer;
using ::testing::StartsWith;

Response echoParams(const Request& req, const PathParams& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : params) j[k] = v;
  j["path"] = req.path;
  return Response::json(200, j.dump());
}

ClientResponse mustSend(HttpClient& client, const std::string& method, const std::string& url, std::string body = {},
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
  auto r = client.send({method, url, std::move(headers), std::move(body)});
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(*r);
}

TEST(HttpServer, RoutesWithParamsAndPercentDecodedSegments) {
  Router router;
  router.add("GET", "/api/v2/device/{id}/attributes", echoParams);
  router.add("GET", "/api/v2/device/{id}/attributes/{key}", echoParams);
  RunningServer server(router);
  HttpClient client;

  auto r = mustSend(client, "GET", server.url("/api/v2/device/host%20one/attributes"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            (nlohmann::json{{"id", "host one"}, {"path", "/api/v2/device/host one/attributes"}}));
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("server"), "postured");

  r = mustSend(client, "GET", server.url("/api/v2/device/n%C3%A9/attributes/s1%3Ainfected"));
  EXPECT_EQ(r.status, 200);
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["id"], "n\xC3\xA9");
  EXPECT_EQ(j["key"], "s1:infected");
}

TEST(HttpServer, ParsesQueryAndHeaders) {
  Router router;
  router.add("GET", "/q", [](const Request& req, const PathParams&) {
    nlohmann::json j = {{"a", req.queryParam("a")},
                        {"b", req.queryParam("b")},
                        {"c", req.queryParam("c")},
                        {"missing", req.queryParam("missing")},
                        {"target", req.target},
                        {"path", req.path},
                        {"header", req.header("X-Test-Header")},
                        {"lowercased", req.headers.empty() ? "" : req.headers.back().first}};
    return Response::json(200, j.dump());
  });
  RunningServer server(router);
  HttpClient client;
  const auto r =
      mustSend(client, "GET", server.url("/q?a=1&b=hello+world&c=%26x%3D&a=2"), {}, {{"X-Test-Header", "Value"}});
  ASSERT_EQ(r.status, 200);
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["a"], "2");  // a repeated key keeps the last value
  EXPECT_EQ(j["b"], "hello world");
  EXPECT_EQ(j["c"], "&x=");
  EXPECT_EQ(j["missing"], "");
  EXPECT_EQ(j["target"], "/q?a=1&b=hello+world&c=%26x%3D&a=2");
  EXPECT_EQ(j["path"], "/q");
  EXPECT_EQ(j["header"], "Value");
  EXPECT_EQ(j["lowercased"], "x-test-header");
}

TEST(HttpServer, UnknownPathIs404Json) {
  Router router;
  router.add("GET", "/hello", echoParams);
  RunningServer server(router);
  HttpClient client;
  const auto r = mustSend(client, "GET", server.url("/x"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"message":"no such endpoint: GET /x","status":404})"));
}

TEST(HttpServer, NotFoundQuotesUndecodablePathsSafely) {
  Router router;
  RunningServer server(router);
  HttpClient client;
  const auto r = mustSend(client, "GET", server.url("/%FF%FE"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], 404);
}

TEST(HttpServer, WritesLargeResponsesAndManyPipelinedRequests) {
  Router router;
  const std::string big(8 << 20, 'L');
  router.add("GET", "/big", [&](const Request&, const PathParams&) { return Response{200, "text/plain", big, {}}; });
  router.add("GET", "/n/{n}", [](const Request&, const PathParams& p) {
    return Response{200, "text/plain", p.at("n"), {}};
  });
  RunningServer server(router);
  HttpClient client;
  const auto r = mustSend(client, "GET", server.url("/big"));
  EXPECT_EQ(r.body.size(), big.size());
  EXPECT_EQ(r.body, big);

  RawConnection conn(server.port());
  std::string burst;
  for (int i = 0; i < 50; ++i) burst += "GET /n/" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(conn.send(burst));
  for (int i = 0; i < 50; ++i)
    EXPECT_THAT(conn.readResponse(), ::testing::EndsWith("\r\n\r\n" + std::to_string(i))) << i;
}

TEST(HttpServer, WrongMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/things/{id}", echoParams);
  router.add("DELETE", "/things/{id}", echoParams);
  RunningServer server(router);
  HttpClient client;
  const auto r = mustSend(client, "POST", server.url("/things/7"), "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, DELETE");
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], 405);
  EXPECT_THAT(j["message"].get<std::string>(), HasSubstr("POST"));
}

TEST(HttpServer, KeepsConnectionsAlive) {
  Router router;
  router.add("GET", "/who", [](const Request& req, const PathParams&) {
    return Response{200, "text/plain", req.remoteAddress, {}};
  });
  RunningServer server(router);

  HttpClient client;
  std::set<std::string> remotes;
  for (int i = 0; i < 3; ++i) {
    const auto r = mustSend(client, "GET", server.url("/who"));
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.body, StartsWith("127.0.0.1:"));
    EXPECT_EQ(r.header("connection"), "");
    remotes.insert(r.body);
  }
  EXPECT_EQ(remotes.size(), 1u) << "every request should reuse one connection";

  HttpClient other;
  EXPECT_EQ(remotes.count(mustSend(other, "GET", server.url("/who")).body), 0u);
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  Router router;
  router.add("GET", "/n/{n}", [](const Request&, const PathParams& p) {
    return Response{200, "text/plain", p.at("n"), {}};
  });
  RunningServer server(router);
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send("GET /n/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: a\r\n\r\n"));
  const auto first = conn.readResponse();
  const auto second = conn.readResponse();
  EXPECT_THAT(first, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(first, ::testing::EndsWith("\r\n\r\n1"));
  EXPECT_THAT(second, ::testing::EndsWith("\r\n\r\n2"));

  // HEAD is not routed, but its answer must still be framed without a body.
  RawConnection head(server.port());
  ASSERT_TRUE(head.send("HEAD /n/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  const auto headResponse = head.readUntilClosed();
  EXPECT_THAT(headResponse, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(headResponse, ::testing::EndsWith("\r\n\r\n"));
}

TEST(HttpServer, HonoursConnectionClose) {
  Router router;
  router.add("GET", "/", echoParams);
  RunningServer server(router);
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  const auto r = conn.readResponse();
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(conn.closedByPeer());

  RawConnection old(server.port());
  ASSERT_TRUE(old.send("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_THAT(old.readResponse(), HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(old.closedByPeer());
}

TEST(HttpServer, EnforcesPerRouteBodyLimits) {
  Router router;
  auto size = [](const Request& req, const PathParams&) {
    return Response::json(200, R"({"size":)" + std::to_string(req.body.size()) + "}");
  };
  router.add("POST", "/default", size);
  router.add("POST", "/big", size, 4 << 20);
  router.add("POST", "/small", size, 100);
  RunningServer server(router);
  HttpClient client;

  const std::string twoMiB(2 << 20, 'x');
  auto r = mustSend(client, "POST", server.url("/big"), twoMiB);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"size":2097152})");

  r = mustSend(client, "POST", server.url("/default"), twoMiB);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"message":"request body is larger than 1048576 bytes","status":413})"));

  r = mustSend(client, "POST", server.url("/small"), std::string(100, 'y'));
  EXPECT_EQ(r.body, R"({"size":100})");
  r = mustSend(client, "POST", server.url("/small"), std::string(101, 'y'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["message"], "request body is larger than 100 bytes");
  EXPECT_EQ(r.header("connection"), "close");

  // The same limit holds for a chunked body, whose size is known only while reading it.
  RawConnection conn(server.port());
  ASSERT_TRUE(
      conn.send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                "40\r\n" +
                std::string(64, 'z') + "\r\n40\r\n" + std::string(64, 'z') + "\r\n0\r\n\r\n"));
  const auto raw = conn.readResponse();
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 413 "));
  EXPECT_THAT(raw, HasSubstr("request body is larger than 100 bytes"));
  EXPECT_TRUE(conn.closedByPeer());

  // "Expect: 100-continue": the client waits for our go-ahead, or for the refusal.
  RawConnection expect(server.port());
  ASSERT_TRUE(expect.send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(expect.readResponse(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(expect.send("hello"));
  EXPECT_THAT(expect.readResponse(), ::testing::EndsWith(R"({"size":5})"));
  RawConnection refused(server.port());
  ASSERT_TRUE(refused.send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_THAT(refused.readResponse(), StartsWith("HTTP/1.1 413 "));

  // A chunked body within the limit arrives whole.
  RawConnection ok(server.port());
  ASSERT_TRUE(
      ok.send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  EXPECT_THAT(ok.readResponse(), ::testing::EndsWith(R"({"size":11})"));
}

TEST(HttpServer, RejectsOversizedHeaderWith431) {
  Router router;
  router.add("GET", "/", echoParams);
  RunningServer server(router);
  HttpClient client;
  const auto r = mustSend(client, "GET", server.url("/"), {}, {{"X-Big", std::string(17 * 1024, 'a')}});
  EXPECT_EQ(r.status, 431);
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], 431);
  EXPECT_EQ(j["message"], "request header is larger than 16384 bytes");
  // A header just under the limit is fine.
  EXPECT_EQ(mustSend(client, "GET", server.url("/"), {}, {{"X-Big", std::string(15 * 1024, 'a')}}).status, 200);
}

TEST(HttpServer, MalformedRequestIs400) {
  Router router;
  router.add("GET", "/", echoParams);
  RunningServer server(router);
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.send("GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n"));
  const auto r = conn.readResponse();
  EXPECT_THAT(r, StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(r, HasSubstr(R"("status":400)"));
  EXPECT_TRUE(conn.closedByPeer());

  RawConnection escape(server.port());
  ASSERT_TRUE(escape.send("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_THAT(escape.readResponse(), HasSubstr("malformed percent-encoding"));
}

TEST(HttpServer, HandlerExceptionIs500AndServerKeepsServing) {
  Router router;
  router.add("GET", "/boom", [](const Request&, const PathParams&) -> Response { throw std::runtime_error("bug"); });
  router.add("GET", "/int", [](const Request&, const PathParams&) -> Response { throw 42; });
  router.add("GET", "/ok", echoParams);
  RunningServer server(router);
  HttpClient client;
  for (const auto* path : {"/boom", "/int"}) {
    const auto r = mustSend(client, "GET", server.url(path));
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(nlohmann::json::parse(r.body), nlohmann::json::parse(R"({"message":"internal error","status":500})"));
  }
  EXPECT_EQ(mustSend(client, "GET", server.url("/ok")).status, 200);
  EXPECT_TRUE(eventually([&] {
    for (const auto& rec : server.records())
      if (rec.route == "/boom" && rec.status == 500) return true;
    return false;
  }));
}

TEST(HttpServer, RejectsResponsesThatWouldBreakFraming) {
  Router router;
  router.add("GET", "/inject", [](const Request&, const PathParams&) {
    Response r = Response::json(200, "{}");
    r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=y");
    return r;
  });
  router.add("GET", "/nocontent", [](const Request&, const PathParams&) { return Response{204, "", "", {}}; });
  RunningServer server(router);
  HttpClient client;
  EXPECT_EQ(mustSend(client, "GET", server.url("/inject")).status, 500);
  const auto r = mustSend(client, "GET", server.url("/nocontent"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("content-length"), "");
  EXPECT_EQ(mustSend(client, "GET", server.url("/inject")).status, 500);  // connection still usable after a 204
}

TEST(HttpServer, CountsRequestsInMetrics) {
  Router router;
  router.add("GET", "/api/v2/device/{id}/attributes", echoParams);
  RunningServer server(router);
  HttpClient client;
  mustSend(client, "GET", server.url("/api/v2/device/a/attributes"));
  mustSend(client, "GET", server.url("/api/v2/device/b/attributes"));
  mustSend(client, "GET", server.url("/nowhere"));
  mustSend(client, "FROB", server.url("/nowhere"));
  EXPECT_TRUE(eventually([&] {
    const auto text = server.metrics.render();
    return text.find(R"(http_requests_total{route="/api/v2/device/{id}/attributes",method="GET",status="200"} 2)") !=
               std::string::npos &&
           text.find(R"(http_requests_total{route="unmatched",method="GET",status="404"} 1)") != std::string::npos &&
           text.find(R"(http_requests_total{route="unmatched",method="other",status="404"} 1)") != std::string::npos &&
           text.find(R"(http_request_duration_seconds_count{route="/api/v2/device/{id}/attributes"} 2)") !=
               std::string::npos;
  })) << server.metrics.render();
}

TEST(HttpServer, WritesAccessRecordsWithoutQueryOrHeaders) {
  Router router;
  router.add("POST", "/api/v2/device/{id}", echoParams);
  RunningServer server(router);
  HttpClient client;
  mustSend(client, "POST", server.url("/api/v2/device/d1?api_key=secret"), R"({"x":1})",
           {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(eventually([&] { return server.records().size() == 1; }));
  const auto rec = server.records().front();
  EXPECT_EQ(rec.method, "POST");
  EXPECT_EQ(rec.route, "/api/v2/device/{id}");
  EXPECT_EQ(rec.path, "/api/v2/device/d1");
  EXPECT_EQ(rec.status, 200);
  EXPECT_GE(rec.durationSeconds, 0.0);
  EXPECT_GT(rec.requestBytes, 7u);  // header and body
  EXPECT_GT(rec.responseBytes, 0u);
  EXPECT_THAT(rec.remoteAddress, StartsWith("127.0.0.1:"));
  for (const auto* field : {&rec.method, &rec.route, &rec.path, &rec.remoteAddress})
    EXPECT_EQ(field->find("secret"), std::string::npos);

  mustSend(client, "GET", server.url("/missing"));
  ASSERT_TRUE(eventually([&] { return server.records().size() == 2; }));
  EXPECT_EQ(server.records().back().route, "unmatched");
  EXPECT_EQ(server.records().back().status, 404);
}

TEST(HttpServer, ClosesIdleConnections) {
  Router router;
  router.add("GET", "/", echoParams);
  ServerOptions options;
  options.idleTimeout = 200ms;
  RunningServer server(router, options);

  RawConnection silent(server.port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.closedByPeer(5000ms));

  RawConnection afterRequest(server.port());
  ASSERT_TRUE(afterRequest.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_THAT(afterRequest.readResponse(), StartsWith("HTTP/1.1 200 "));
  EXPECT_TRUE(afterRequest.closedByPeer(5000ms));
}

TEST(HttpServer, ClosesConnectionsWhoseRequestStalls) {
  Router router;
  router.add("GET", "/", echoParams);
  ServerOptions options;
  options.readTimeout = 200ms;
  options.idleTimeout = 60s;
  RunningServer server(router, options);
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.send("GET / HTTP/1.1\r\nHost"));
  EXPECT_TRUE(conn.closedByPeer(5000ms));
}

TEST(HttpServer, GracefulShutdownFinishesRequestsInFlight) {
  Router router;
  std::atomic<bool> entered{false};
  router.add("GET", "/slow", [&](const Request&, const PathParams&) {
    entered = true;
    std::this_thread::sleep_for(500ms);
    return Response::json(200, R"({"slow":true})");
  });
  router.add("GET", "/fast", echoParams);
  ServerOptions options;
  options.threads = 2;
  options.shutdownGrace = 10s;
  RunningServer server(router, options);

  // A kept-alive connection that is idle when shutdown starts.
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.send("GET /fast HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_THAT(idle.readResponse(), StartsWith("HTTP/1.1 200 "));

  auto slow = std::async(std::launch::async, [&] {
    HttpClient client;
    return client.send({"GET", server.url("/slow"), {}, {}});
  });
  ASSERT_TRUE(eventually([&] { return entered.load(); }));
  server.server().shutdown();

  EXPECT_TRUE(idle.closedByPeer(2000ms)) << "idle connections close at once";
  HttpClient late;
  const auto refused = late.send({"GET", server.url("/fast"), {}, {}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kUnavailable);

  const auto response = slow.get();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"slow":true})");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(eventually([&] { return server.returned(); }));
  server.join();
}

TEST(HttpServer, ShutdownStopsWaitingAfterGrace) {
  Router router;
  router.add("GET", "/", echoParams);
  ServerOptions options;
  options.readTimeout = 60s;
  options.shutdownGrace = 200ms;
  RunningServer server(router, options);
  RawConnection stalled(server.port());
  ASSERT_TRUE(stalled.send("GET / HTTP/1.1\r\nHo"));  // a request in progress keeps the connection busy
  std::this_thread::sleep_for(100ms);
  server.server().shutdown();
  EXPECT_TRUE(eventually([&] { return server.returned(); }, 5000ms));
  server.join();
}

TEST(HttpServer, ShutdownWithoutConnectionsReturnsPromptly) {
  Router router;
  RunningServer server(router);
  server.server().shutdown();
  server.server().shutdown();  // idempotent
  EXPECT_TRUE(eventually([&] { return server.returned(); }, 5000ms));
  server.join();
  RawConnection after(server.port());
  EXPECT_FALSE(after.connected());
}

TEST(HttpServer, BindReportsAddressInUse) {
  Router router;
  RunningServer first(router);
  core::Metrics metrics;
  ServerOptions options;
  options.listen = first.address();
  Server second(options, router, metrics, nullptr);
  const auto r = second.bind();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot listen on " + first.address() + ": address already in use");
}

TEST(HttpServer, BindValidatesTheListenAddress) {
  Router router;
  core::Metrics metrics;
  for (const auto* bad : {"127.0.0.1", "127.0.0.1:99999", "nohost:80", "::1:80", "[::1]80"}) {
    ServerOptions options;
    options.listen = bad;
    Server server(options, router, metrics, nullptr);
    const auto r = server.bind();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument) << bad;
    EXPECT_THAT(r.error().message, HasSubstr(bad));
  }

  ServerOptions options;
  options.listen = "localhost:0";
  Server local(options, router, metrics, nullptr);
  ASSERT_TRUE(local.bind());
  EXPECT_THAT(local.boundAddress(), StartsWith("127.0.0.1:"));
  EXPECT_NE(local.boundAddress(), "127.0.0.1:0");

  options.listen = "[::1]:0";
  Server v6(options, router, metrics, nullptr);
  if (const auto r = v6.bind(); r)
    EXPECT_THAT(v6.boundAddress(), StartsWith("[::1]:"));
  else
    GTEST_LOG_(INFO) << "no IPv6 loopback here: " << r.error().message;
}

}  // namespace
}  // namespace postured::http
