// postured's forward-auth endpoint behind real reverse proxies: Debian's nginx
// (auth_request) and Caddy (forward_auth), each run from the example config in
// packaging/forward-auth/ with only its addresses replaced, in front of a small
// in-process app that records every request it gets. For Traefik and Envoy,
// which cannot run here, the requests they would send (built from their example
// configs) go to postured directly; tests/forward_auth/check_proxy_configs.py
// checks those configs against the proxies' schemas.
//
// Clients here all connect from loopback, so the device's address reaches the
// proxy as X-Forwarded-For, the test playing a load balancer on 127.0.0.1 that
// postured trusts (its default trusted_proxies).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "http/test_server.h"
#include "server_fixture.h"
#include "support/proxy_process.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Members reach the wiki on healthy machines; the CI runner reaches it by its tag.
constexpr const char* kPolicy = R"({
  "tagOwners": {"tag:wiki": ["alice@example.com"], "tag:ci": ["alice@example.com"]},
  "postures": {"posture:healthy": ["custom:infected == false"]},
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:wiki:443"], "srcPosture": ["posture:healthy"]},
    {"action": "accept", "src": ["tag:ci"], "dst": ["tag:wiki:443"]},
  ],
})";

constexpr const char* kAlice = "100.64.0.1";  // laptop-a, healthy
constexpr const char* kBob = "100.64.0.2";    // laptop-b, infected
constexpr const char* kCi = "100.64.0.20";    // ci-runner, tag:ci
constexpr const char* kNobody = "100.64.0.99";

std::string readExample(const std::string& name) {
  const std::string path = std::string(POSTURED_SOURCE_DIR) + "/packaging/forward-auth/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces every `from`; the example must contain it, so that an edit of the
// example that this test no longer understands fails here instead of testing
// something else.
std::string replaceAll(std::string text, const std::string& from, const std::string& to, const std::string& what) {
  if (text.find(from) == std::string::npos)
    throw std::runtime_error(what + " no longer contains \"" + from + "\": update forward_auth_proxy_test.cpp");
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The value after `key` on the line where it first appears in an example.
std::string exampleValue(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  if (at == std::string::npos) throw std::runtime_error("example has no " + key);
  auto value = text.substr(at + key.size(), text.find('\n', at) - at - key.size());
  value.erase(0, value.find_first_not_of(" \""));
  value.erase(value.find_last_not_of(" \"") + 1);
  return value;
}

// The web app behind the proxy: answers "wiki page" and keeps every request.
class RecordingApp {
 public:
  struct Seen {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    bool has(const std::string& name) const {
      for (const auto& [k, v] : headers)
        if (k == name) return true;
      return false;
    }
    std::string header(const std::string& name) const {
      for (const auto& [k, v] : headers)
        if (k == name) return v;
      return {};
    }
  };

  RecordingApp() {
    auto handler = [this](const http::Request& req, const http::PathParams&) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back({req.method, req.target, req.headers});
      }
      http::Response res;
      res.contentType = "text/plain";
      res.body = "wiki page\n";
      return res;
    };
    for (const char* method : {"GET", "POST"}) router_.add(method, "/page", handler);
    server_ = std::make_unique<http::testing::RunningServer>(router_);
  }

  std::string address() const { return server_->address(); }  // "127.0.0.1:PORT"
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  http::Router router_;  // before server_: the server holds a reference
  std::unique_ptr<http::testing::RunningServer> server_;
};

// postured with the policy, the devices and their postures above.
class ForwardAuthFixture : public ServerTest {
 protected:
  void SetUp() override {}  // each test says how postured starts

  void startPostured(std::vector<std::string> args = {}) {
    startServer(std::move(args));
    auto saved = server().request("POST", "/api/v2/tailnet/-/acl", kPolicy, std::nullopt,
                                  {{"Content-Type", "application/hujson"}});
    ASSERT_EQ(saved.status, 200) << saved.body;
    const Json devices = {
        {{"hostname", "laptop-a"}, {"user", "alice@example.com"}, {"addresses", {kAlice}}},
        {{"hostname", "laptop-b"}, {"user", "bob@example.com"}, {"addresses", {kBob}}},
        {{"hostname", "ci-runner"}, {"tags", {"tag:ci"}}, {"addresses", {kCi}}},
        {{"hostname", "wiki"}, {"tags", {"tag:wiki"}}, {"addresses", {"100.64.0.10"}}},
    };
    const auto created = call("POST", "/api/v2/tailnet/-/devices", Json{{"devices", devices}}, 200);
    ASSERT_EQ(created["devices"].size(), 4u) << created.dump();
    aliceId_ = created["devices"][0]["id"];
    bobId_ = created["devices"][1]["id"];
    ciId_ = created["devices"][2]["id"];
    setInfected(aliceId_, false);
    setInfected(bobId_, true);
  }

  void setInfected(const std::string& device, bool infected) {
    call("POST", "/api/v2/device/" + device + "/attributes/custom:infected", Json{{"value", infected}}, 200);
  }

  // "127.0.0.1:PORT" of the running postured.
  std::string posturedAddress() { return server().baseUrl().substr(std::string("http://").size()); }

  http::ClientResponse send(const std::string& method, const std::string& url,
                            std::vector<std::pair<std::string, std::string>> headers) {
    auto res = client_.send(http::ClientRequest{method, url, std::move(headers), {}});
    if (!res) throw std::runtime_error(method + " " + url + ": " + res.error().message);
    return *res;
  }

  std::string aliceId_, bobId_, ciId_;
  http::HttpClient client_;
};

enum class ProxyKind { kNginx, kCaddy };

class ThroughRealProxy : public ForwardAuthFixture, public ::testing::WithParamInterface<ProxyKind> {
 protected:
  // postured (with `posturedArgs`), the app, and the proxy from its example.
  void startAll(std::vector<std::string> posturedArgs = {}) {
    startPostured(std::move(posturedArgs));
    if (HasFatalFailure()) return;
    const int port = freeLoopbackPort();
    if (GetParam() == ProxyKind::kNginx) {
      auto conf = readExample("nginx.conf");
      conf = replaceAll(conf, "listen 80;", "listen 127.0.0.1:" + std::to_string(port) + ";", "nginx.conf");
      conf = replaceAll(conf, "server 127.0.0.1:8080;", "server " + posturedAddress() + ";", "nginx.conf");
      conf = replaceAll(conf, "http://127.0.0.1:3000", "http://" + app_.address(), "nginx.conf");
      proxy_ = std::make_unique<NginxProcess>(port, conf);
    } else {
      auto file = readExample("Caddyfile");
      file = replaceAll(file, "wiki.example.com {", "http://127.0.0.1:" + std::to_string(port) + " {", "Caddyfile");
      file = replaceAll(file, "forward_auth 127.0.0.1:8080", "forward_auth " + posturedAddress(), "Caddyfile");
      file = replaceAll(file, "reverse_proxy 127.0.0.1:3000", "reverse_proxy " + app_.address(), "Caddyfile");
      // The load balancer in front of Caddy is this test, on 127.0.0.1.
      file = replaceAll(file, "trusted_proxies 192.0.2.10/32", "trusted_proxies 127.0.0.1/32", "Caddyfile");
      proxy_ = std::make_unique<CaddyProcess>(port, file);
    }
    // No test is skipped: a proxy that does not start fails the test with its log.
    ASSERT_TRUE(proxy_->start()) << proxyName() << " did not start:\n" << proxy_->logText();
  }

  void TearDown() override {
    if (HasFailure() && proxy_) std::cerr << proxyName() << " log:\n" << proxy_->logText() << "\n";
  }

  std::string proxyName() const { return GetParam() == ProxyKind::kNginx ? "nginx" : "caddy"; }

  // A request for the app through the proxy from the device at `from`.
  http::ClientResponse fromDevice(const std::string& from, std::vector<std::pair<std::string, std::string>> more = {},
                                  const std::string& method = "GET") {
    more.emplace_back("X-Forwarded-For", from);
    return send(method, proxy_->baseUrl() + "/page", std::move(more));
  }

  RecordingApp app_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_P(ThroughRealProxy, AnAllowedDeviceGetsThePageAndTheAppLearnsWhoItIs) {
  startAll();
  ASSERT_FALSE(HasFatalFailure());
  // The identity headers a client sends must not reach the app as postured's words.
  const auto res = fromDevice(kAlice, {{"X-Postured-Device", "forged"}, {"X-Postured-Tags", "tag:admin"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, "wiki page\n");

  const auto seen = app_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/page");
  EXPECT_EQ(seen[0].header("x-postured-device"), aliceId_);
  EXPECT_EQ(seen[0].header("x-postured-hostname"), "laptop-a");
  EXPECT_EQ(seen[0].header("x-postured-user"), "alice@example.com");
  EXPECT_EQ(seen[0].header("x-postured-tags"), "") << "alice's laptop has no tags";

  // A POST goes through too: postured is asked with the body left behind.
  const auto post = fromDevice(kAlice, {{"Content-Type", "text/plain"}}, "POST");
  EXPECT_EQ(post.status, 200) << post.body;
  EXPECT_EQ(app_.seen().size(), 2u);
}

TEST_P(ThroughRealProxy, ATaggedDeviceIsAllowedByItsTagAndCannotBorrowAUser) {
  startAll();
  ASSERT_FALSE(HasFatalFailure());
  const auto res = fromDevice(kCi, {{"X-Postured-User", "alice@example.com"}});
  ASSERT_EQ(res.status, 200) << res.body;
  const auto seen = app_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("x-postured-device"), ciId_);
  EXPECT_EQ(seen[0].header("x-postured-hostname"), "ci-runner");
  EXPECT_EQ(seen[0].header("x-postured-tags"), "tag:ci");
  // postured leaves the user of a tagged device empty; the client's claim must not fill the gap.
  EXPECT_EQ(seen[0].header("x-postured-user"), "");
}

TEST_P(ThroughRealProxy, ADeniedDeviceGets403WithTheReasonAndTheAppNothing) {
  startAll();
  ASSERT_FALSE(HasFatalFailure());
  const auto bob = fromDevice(kBob);
  EXPECT_EQ(bob.status, 403) << bob.body;
  EXPECT_THAT(std::string(bob.header("x-postured-reason")), HasSubstr("posture:healthy"));
  EXPECT_THAT(bob.body, HasSubstr("posture:healthy"));
  EXPECT_EQ(bob.header("cache-control"), "no-store");

  // An address that is no device at all.
  const auto nobody = fromDevice(kNobody);
  EXPECT_EQ(nobody.status, 403) << nobody.body;
  EXPECT_FALSE(nobody.header("x-postured-reason").empty());

  EXPECT_TRUE(app_.seen().empty()) << "a denied request reached the app";
}

TEST_P(ThroughRealProxy, APostureFlipTakesEffectOnTheNextRequest) {
  startAll();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(fromDevice(kAlice).status, 200);

  setInfected(aliceId_, true);
  const auto infected = fromDevice(kAlice);
  EXPECT_EQ(infected.status, 403) << infected.body;
  EXPECT_THAT(std::string(infected.header("x-postured-reason")), HasSubstr("infected"));

  setInfected(aliceId_, false);
  EXPECT_EQ(fromDevice(kAlice).status, 200);
  EXPECT_EQ(app_.seen().size(), 2u) << "only the healthy requests reach the app";
}

TEST_P(ThroughRealProxy, AClaimLeftOfTheRealClientIsNotBelieved) {
  startAll();
  ASSERT_FALSE(HasFatalFailure());
  // The load balancer (this test) says: the client is bob's laptop, and it claimed to be alice's.
  const auto res = fromDevice(std::string(kAlice) + ", " + kBob);
  EXPECT_EQ(res.status, 403) << res.body;
  EXPECT_TRUE(app_.seen().empty());
}

TEST_P(ThroughRealProxy, AProxyPosturedDoesNotTrustIsNotBelieved) {
  // The proxy connects from 127.0.0.1, which postured now does not trust:
  // its X-Forwarded-For is ignored and 127.0.0.1 is no device.
  startAll({"--trusted-proxies", "127.0.0.2/32"});
  ASSERT_FALSE(HasFatalFailure());
  const auto res = fromDevice(kAlice);
  EXPECT_EQ(res.status, 403) << res.body;
  EXPECT_TRUE(app_.seen().empty());
}

TEST_P(ThroughRealProxy, PosturedDownFailsClosed) {
  startAll();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(fromDevice(kAlice).status, 200);
  server().stop();

  const auto res = fromDevice(kAlice);
  EXPECT_FALSE(res.status >= 200 && res.status < 300) << res.status << " " << res.body;
  // nginx turns a failed auth subrequest into 500; Caddy answers 502 for an unreachable upstream.
  EXPECT_EQ(res.status, GetParam() == ProxyKind::kNginx ? 500 : 502) << res.body;
  EXPECT_EQ(app_.seen().size(), 1u) << "the app got a request while postured was down";
}

INSTANTIATE_TEST_SUITE_P(ForwardAuthProxy, ThroughRealProxy, ::testing::Values(ProxyKind::kNginx, ProxyKind::kCaddy),
                         [](const auto& info) { return info.param == ProxyKind::kNginx ? "nginx" : "caddy"; });

// A raw HTTP/1.1 exchange from a chosen loopback source address (HttpClient
// cannot pick one): the status code of the answer, or -1.
int statusFrom(const std::string& source, const std::string& hostPort, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  const auto colon = hostPort.rfind(':');
  inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &remote.sin_addr);
  remote.sin_port = htons(static_cast<std::uint16_t>(std::stoi(hostPort.substr(colon + 1))));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd);
    return -1;
  }
  for (std::string_view left = request; !left.empty();) {
    const auto n = ::send(fd, left.data(), left.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    left.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (answer.rfind("HTTP/1.1 ", 0) != 0) return -1;
  return std::stoi(answer.substr(9, 3));
}

using ForwardAuthProxyDirect = ForwardAuthFixture;

TEST_F(ForwardAuthProxyDirect, ForwardedHeadersCountOnlyFromTrustedPeers) {
  startPostured({"--trusted-proxies", "127.0.0.2/32"});
  ASSERT_FALSE(HasFatalFailure());
  const auto url = server().baseUrl() + "/forward-auth?dst=tag:wiki:443";

  // From 127.0.0.1, not trusted: its claims are ignored and 127.0.0.1 is no device.
  EXPECT_EQ(send("GET", url, {{"X-Forwarded-For", kAlice}}).status, 403);
  EXPECT_EQ(send("GET", url, {{"X-Real-IP", kAlice}}).status, 403);

  // From 127.0.0.2, trusted: the same claims are believed.
  const auto request = [&](const std::string& header) {
    return "GET /forward-auth?dst=tag:wiki:443 HTTP/1.1\r\nHost: postured\r\n" + header +
           "\r\nConnection: close\r\n\r\n";
  };
  EXPECT_EQ(statusFrom("127.0.0.2", posturedAddress(), request(std::string("X-Forwarded-For: ") + kAlice)), 200);
  EXPECT_EQ(statusFrom("127.0.0.2", posturedAddress(), request(std::string("X-Real-IP: ") + kAlice)), 200);
  EXPECT_EQ(statusFrom("127.0.0.2", posturedAddress(), request(std::string("X-Forwarded-For: ") + kBob)), 403);
}

// What Envoy's ext_authz HTTP service sends with packaging/forward-auth/envoy.yaml:
// the original method and path behind path_prefix, the allowed headers, Content-Length 0.
TEST_F(ForwardAuthProxyDirect, EnvoyShapedRequestsUseThePathForm) {
  startPostured();
  ASSERT_FALSE(HasFatalFailure());
  const auto prefix = exampleValue(readExample("envoy.yaml"), "path_prefix:");
  ASSERT_EQ(prefix, "/forward-auth/dst/tag:wiki:443");
  // The client's query must not count in the path form.
  const auto url = server().baseUrl() + prefix + "/page/sub?dst=tag:nothing:1&posture=posture:none";

  for (const char* method : {"GET", "POST", "HEAD", "DELETE"}) {
    const auto res = send(method, url, {{"X-Forwarded-For", kAlice}, {"Content-Length", "0"}});
    EXPECT_EQ(res.status, 200) << method << " " << res.body;
    EXPECT_EQ(res.header("x-postured-device"), aliceId_) << method;
    EXPECT_EQ(res.header("x-postured-user"), "alice@example.com") << method;
  }
  const auto bob = send("GET", url, {{"X-Forwarded-For", kBob}, {"Content-Length", "0"}});
  EXPECT_EQ(bob.status, 403) << bob.body;
  EXPECT_THAT(std::string(bob.header("x-postured-reason")), HasSubstr("posture:healthy"));

  // The posture form, as the example's comment suggests for a posture alone.
  const auto posture = server().baseUrl() + "/forward-auth/posture/posture:healthy/page";
  EXPECT_EQ(send("GET", posture, {{"X-Forwarded-For", kAlice}}).status, 200);
  EXPECT_EQ(send("GET", posture, {{"X-Forwarded-For", kBob}}).status, 403);
  // The root of the app: nothing after the destination but a slash.
  EXPECT_EQ(send("GET", server().baseUrl() + prefix + "/", {{"X-Forwarded-For", kAlice}}).status, 200);
}

// What Traefik's forwardAuth sends with packaging/forward-auth/traefik.yml: a GET
// to the address with the original request in X-Forwarded-* headers.
TEST_F(ForwardAuthProxyDirect, TraefikShapedRequestsUseTheAddress) {
  startPostured();
  ASSERT_FALSE(HasFatalFailure());
  const auto address = exampleValue(readExample("traefik.yml"), "address:");
  ASSERT_EQ(address.rfind("http://127.0.0.1:8080/", 0), 0u) << address;
  const auto url = server().baseUrl() + address.substr(std::string("http://127.0.0.1:8080").size());

  const std::vector<std::pair<std::string, std::string>> traefik = {{"X-Forwarded-Method", "POST"},
                                                                    {"X-Forwarded-Proto", "https"},
                                                                    {"X-Forwarded-Host", "wiki.example.com"},
                                                                    {"X-Forwarded-Uri", "/page?x=1"}};
  auto headers = traefik;
  headers.emplace_back("X-Forwarded-For", kAlice);
  const auto res = send("GET", url, headers);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("x-postured-device"), aliceId_);
  EXPECT_EQ(res.header("x-postured-hostname"), "laptop-a");
  EXPECT_EQ(res.header("x-postured-user"), "alice@example.com");
  EXPECT_EQ(res.header("cache-control"), "no-store");
  EXPECT_THAT(std::string(res.header("content-type")), HasSubstr("text/plain"));

  headers = traefik;
  headers.emplace_back("X-Forwarded-For", kBob);
  const auto bob = send("GET", url, headers);
  EXPECT_EQ(bob.status, 403) << bob.body;
  const std::string reason(bob.header("x-postured-reason"));
  EXPECT_THAT(reason, HasSubstr("posture:healthy"));
  EXPECT_THAT(bob.body, HasSubstr(reason)) << "the body says what the header says";
  EXPECT_EQ(bob.header("cache-control"), "no-store");
}

// The contract's edges, as any proxy might hit them.
TEST_F(ForwardAuthProxyDirect, BadRequestsAreRefusedNeverAllowed) {
  startPostured();
  ASSERT_FALSE(HasFatalFailure());
  const auto base = server().baseUrl();
  const std::vector<std::pair<std::string, std::string>> alice = {{"X-Forwarded-For", kAlice}};
  for (const char* target :
       {"/forward-auth", "/forward-auth?dst=tag:wiki:443&dst=tag:wiki:443", "/forward-auth?dst=tag:wiki",
        "/forward-auth?posture=healthy", "/forward-auth?posture=posture:healthy&posture=posture:healthy"}) {
    const auto res = send("GET", base + target, alice);
    EXPECT_EQ(res.status, 400) << target << " -> " << res.body;
    EXPECT_FALSE(res.header("x-postured-reason").empty()) << target;
    EXPECT_EQ(res.header("cache-control"), "no-store") << target;
  }
  // Both given: both must hold.
  EXPECT_EQ(send("GET", base + "/forward-auth?dst=tag:wiki:443&posture=posture:healthy", alice).status, 200);
  setInfected(aliceId_, true);
  EXPECT_EQ(send("GET", base + "/forward-auth?posture=posture:healthy", alice).status, 403);
  // Nothing but the peer: 127.0.0.1 is no device.
  EXPECT_EQ(send("GET", base + "/forward-auth?dst=tag:wiki:443", {}).status, 403);
}

}  // namespace
}  // namespace postured::testing
