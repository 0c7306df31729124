#include "http/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/test_server.h"

namespace postured::http {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::RunningServer;

// Answers one connection with a canned response, then closes it: for
// responses our server never sends (no Content-Length, body until close).
class CannedServer {
 public:
  explicit CannedServer(std::string response) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot start the canned server");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      const int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const auto n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      std::string_view out = response_;
      while (!out.empty()) {
        const auto n = ::send(conn, out.data(), out.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        out.remove_prefix(static_cast<std::size_t>(n));
      }
      ::shutdown(conn, SHUT_WR);
      while (::recv(conn, buf, sizeof buf, 0) > 0) {
      }
      ::close(conn);
    });
  }
  ~CannedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  int port() const { return port_; }

 private:
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

Response echoRequest(const Request& req, const PathParams&) {
  const nlohmann::json j = {{"method", req.method},
                            {"body", req.body},
                            {"contentType", req.header("content-type")},
                            {"userAgent", req.header("user-agent")},
                            {"acceptEncoding", req.header("accept-encoding")},
                            {"custom", req.header("x-custom")}};
  Response r = Response::json(200, j.dump());
  r.headers.emplace_back("X-Mixed-Case-Header", "Some Value");
  return r;
}

TEST(HttpClient, SendsEachMethodWithItsBodyOnOneConnection) {
  Router router;
  for (const auto* m : {"GET", "POST", "PUT", "PATCH", "DELETE"}) router.add(m, "/echo", echoRequest);
  RunningServer server(router);
  HttpClient client;

  auto call = [&](const std::string& method, const std::string& body) {
    auto r = client.send({method, server.url("/echo"), {{"X-Custom", "c"}}, body});
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    return nlohmann::json::parse(r->body);
  };
  auto j = call("POST", R"({"a":1})");
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["body"], R"({"a":1})");
  EXPECT_EQ(j["contentType"], "application/json");
  EXPECT_EQ(j["custom"], "c");
  EXPECT_EQ(j["userAgent"], "postured/" POSTURED_VERSION);
  EXPECT_NE(j["acceptEncoding"], "");

  // A plain GET after a POST on the same handle must not carry the old body.
  j = call("GET", "");
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["body"], "");

  for (const auto* m : {"PUT", "PATCH", "DELETE"}) {
    j = call(m, std::string("body of ") + m);
    EXPECT_EQ(j["method"], m);
    EXPECT_EQ(j["body"], std::string("body of ") + m);
  }
  j = call("DELETE", "");
  EXPECT_EQ(j["method"], "DELETE");
  EXPECT_EQ(j["body"], "");

  // All of that went over one kept-alive connection.
  ASSERT_TRUE(testing::eventually([&] { return server.records().size() == 6; }));
  for (const auto& rec : server.records()) EXPECT_EQ(rec.remoteAddress, server.records().front().remoteAddress);
}

TEST(HttpClient, LowerCasesResponseHeaderNames) {
  Router router;
  router.add("GET", "/echo", echoRequest);
  RunningServer server(router);
  HttpClient client;
  const auto r = client.send({"GET", server.url("/echo"), {}, {}});
  ASSERT_TRUE(r) << r.error().message;
  bool found = false;
  for (const auto& [name, value] : r->headers) {
    EXPECT_EQ(name, testing::RawConnection::lower(name));
    if (name == "x-mixed-case-header") found = value == "Some Value";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r->header("X-MIXED-CASE-HEADER"), "Some Value");
  EXPECT_EQ(r->header("absent"), "");
}

TEST(HttpClient, CapsTheResponseSize) {
  Router router;
  router.add("GET", "/big", [](const Request&, const PathParams&) {
    return Response{200, "text/plain", std::string(10 * 1024, 'b'), {}};
  });
  RunningServer server(router);
  ClientOptions options;
  options.maxResponseBytes = 1024;
  HttpClient client(options);
  const auto r = client.send({"GET", server.url("/big"), {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().message, "response from " + server.address() + " is larger than 1024 bytes");

  // Without a Content-Length the cap applies while the body streams in.
  CannedServer canned("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(10 * 1024, 'c'));
  const auto streamed = client.send({"GET", canned.url(), {}, {}});
  ASSERT_FALSE(streamed);
  EXPECT_EQ(streamed.error().message,
            "response from 127.0.0.1:" + std::to_string(canned.port()) + " is larger than 1024 bytes");

  // The client is still usable afterwards.
  ClientOptions roomy;
  roomy.maxResponseBytes = 10 * 1024;
  HttpClient exact(roomy);
  const auto ok = exact.send({"GET", server.url("/big"), {}, {}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->body.size(), 10u * 1024);
}

TEST(HttpClient, ReportsConnectionRefused) {
  int port = 0;
  {
    // Find a free port, then let it go so nothing listens there.
    Router router;
    RunningServer server(router);
    port = server.port();
  }
  HttpClient client;
  const auto r = client.send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/x", {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kUnavailable);
  EXPECT_THAT(r.error().message, HasSubstr("127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(r.error().message, HasSubstr("onnect"));
}

TEST(HttpClient, ReturnsAnyStatusAsAResponse) {
  CannedServer canned("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nRetry-After: 5\r\n\r\nbusy");
  HttpClient client;
  const auto r = client.send({"GET", canned.url(), {}, {}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
  EXPECT_EQ(r->header("retry-after"), "5");
}

TEST(HttpClient, RejectsInvalidUrls) {
  HttpClient client;
  const auto r = client.send({"GET", "not a url", {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("not a url"));
}

TEST(HttpClient, TimesOut) {
  Router router;
  router.add("GET", "/slow", [](const Request&, const PathParams&) {
    std::this_thread::sleep_for(1s);
    return Response::json(200, "{}");
  });
  RunningServer server(router);
  ClientOptions options;
  options.totalTimeout = 100ms;
  HttpClient client(options);
  const auto r = client.send({"GET", server.url("/slow"), {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kUnavailable);
  EXPECT_THAT(r.error().message, HasSubstr(server.address()));
}

TEST(HttpClient, MovesKeepTheConnection) {
  Router router;
  router.add("GET", "/echo", echoRequest);
  RunningServer server(router);
  HttpClient first;
  ASSERT_TRUE(first.send({"GET", server.url("/echo"), {}, {}}));
  HttpClient second(std::move(first));
  ASSERT_TRUE(second.send({"GET", server.url("/echo"), {}, {}}));
  ASSERT_TRUE(testing::eventually([&] { return server.records().size() == 2; }));
  EXPECT_EQ(server.records()[0].remoteAddress, server.records()[1].remoteAddress);
}

TEST(HttpClient, ClassifiesTransportFailures) {
  HttpClient client;
  // A response: no failure.
  CannedServer ok("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  ASSERT_TRUE(client.send({"GET", ok.url(), {}, {}}));
  EXPECT_EQ(client.lastFailure(), TransportFailure::kNone);
  EXPECT_EQ(client.lastFailureReason(), "");

  // The server closes without answering, or in the middle of the body.
  CannedServer nothing("");
  EXPECT_FALSE(client.send({"GET", nothing.url(), {}, {}}));
  EXPECT_EQ(client.lastFailure(), TransportFailure::kReset);
  EXPECT_NE(client.lastFailureReason(), "");
  CannedServer partial("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
  EXPECT_FALSE(client.send({"GET", partial.url(), {}, {}}));
  EXPECT_EQ(client.lastFailure(), TransportFailure::kReset);

  int port = 0;
  {
    Router router;
    RunningServer server(router);
    port = server.port();
  }
  EXPECT_FALSE(client.send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, {}}));
  EXPECT_EQ(client.lastFailure(), TransportFailure::kConnect);
  EXPECT_THAT(client.lastFailureReason(), HasSubstr("onnect"));

  EXPECT_FALSE(client.send({"GET", "not a url", {}, {}}));
  EXPECT_EQ(client.lastFailure(), TransportFailure::kInvalidUrl);

  Router router;
  router.add("GET", "/slow", [](const Request&, const PathParams&) {
    std::this_thread::sleep_for(500ms);
    return Response{200, "text/plain", std::string(4096, 'x'), {}};
  });
  RunningServer server(router);
  ClientOptions small;
  small.maxResponseBytes = 1024;
  HttpClient capped(small);
  EXPECT_FALSE(capped.send({"GET", server.url("/slow"), {}, {}}));
  EXPECT_EQ(capped.lastFailure(), TransportFailure::kTooLarge);
  ClientOptions hasty;
  hasty.totalTimeout = 100ms;
  HttpClient impatient(hasty);
  EXPECT_FALSE(impatient.send({"GET", server.url("/slow"), {}, {}}));
  EXPECT_EQ(impatient.lastFailure(), TransportFailure::kTimeout);
  EXPECT_THAT(impatient.lastFailureReason(), ::testing::Not(HasSubstr("/slow")));
}

TEST(HttpClient, CancelsBeforeAndDuringATransfer) {
  Router router;
  router.add("GET", "/slow", [](const Request&, const PathParams&) {
    std::this_thread::sleep_for(2s);
    return Response::json(200, "{}");
  });
  router.add("GET", "/echo", echoRequest);
  ServerOptions serverOptions;
  serverOptions.threads = 3;
  RunningServer server(router, serverOptions);
  std::atomic<bool> cancel{false};
  ClientOptions options;
  options.cancel = &cancel;
  HttpClient client(options);

  // Not set: requests go through as usual.
  ASSERT_TRUE(client.send({"GET", server.url("/echo"), {}, {}}));

  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const auto r = client.send({"GET", server.url("/slow"), {}, {}});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kUnavailable);
  EXPECT_EQ(client.lastFailure(), TransportFailure::kCancelled);
  EXPECT_LT(elapsed, 1900ms);  // gave up before the answer came

  // Already set: nothing is sent.
  const auto before = server.records().size();
  EXPECT_FALSE(client.send({"GET", server.url("/echo"), {}, {}}));
  EXPECT_EQ(client.lastFailure(), TransportFailure::kCancelled);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server.records().size(), before);

  cancel = false;
  EXPECT_TRUE(client.send({"GET", server.url("/echo"), {}, {}}));
}

}  // namespace
}  // namespace postured::http
