// forward-auth decisions on a real SQLite store, through the same LivePolicy
// the server uses: who the client is, what is checked, and the reasons.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "enforce/forward_auth/client_address.h"
#include "enforce/forward_auth/forward_auth.h"
#include "enforce/live_policy.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace postured::enforce::forward_auth {
namespace {

using ::testing::HasSubstr;

class FixedClock final : public core::Clock {
 public:
  core::Timestamp now() const override { return core::fromUnixMillis(1'790'000'000'000); }
};

http::Request from(std::string peer, std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Request r;
  r.method = "GET";
  r.target = "/forward-auth";
  r.remoteAddress = std::move(peer);
  r.headers = std::move(headers);
  return r;
}

std::string clientOf(const http::Request& r, const TrustedProxies& trusted = TrustedProxies::loopback()) {
  auto c = clientAddress(r, trusted);
  return c ? c->ip.toString() + " " + c->from : "error: " + c.error().message;
}

TEST(ClientAddress, ForwardedHeadersAreBelievedOnlyFromTrustedProxies) {
  const std::pair<std::string, std::string> xff{"x-forwarded-for", "100.64.0.1"};
  EXPECT_EQ(clientOf(from("127.0.0.1:5000", {xff})), "100.64.0.1 X-Forwarded-For");
  EXPECT_EQ(clientOf(from("[::1]:5000", {xff})), "100.64.0.1 X-Forwarded-For");
  // The device itself, or anyone else, claiming to be another device.
  EXPECT_EQ(clientOf(from("100.64.0.7:5000", {xff})), "100.64.0.7 peer");
  EXPECT_EQ(clientOf(from("100.64.0.7:5000", {{"x-real-ip", "100.64.0.1"}})), "100.64.0.7 peer");
  // A dual-stack socket shows IPv4 peers as mapped IPv6 addresses.
  EXPECT_EQ(clientOf(from("[::ffff:127.0.0.1]:5000", {xff})), "100.64.0.1 X-Forwarded-For");
}

TEST(ClientAddress, TheRightMostUntrustedHopIsTheClient) {
  auto trusted = *TrustedProxies::parse({"127.0.0.1/32", "10.0.0.0/8"});
  // What a client forged is left of the hops the trusted proxies appended.
  EXPECT_EQ(clientOf(from("127.0.0.1:1", {{"x-forwarded-for", "100.64.0.9, 100.64.0.1, 10.0.0.2"}}), trusted),
            "100.64.0.1 X-Forwarded-For");
  // Several headers are one list, in order; ports and brackets are allowed.
  EXPECT_EQ(clientOf(from("127.0.0.1:1", {{"x-forwarded-for", "100.64.0.9"}, {"x-forwarded-for", "[fd7a:115c:a1e0::3]:443, 10.0.0.2:80"}}),
                     trusted),
            "fd7a:115c:a1e0::3 X-Forwarded-For");
  // Only trusted hops: the first of them is where the request came from.
  EXPECT_EQ(clientOf(from("127.0.0.1:1", {{"x-forwarded-for", "10.0.0.3, 10.0.0.2"}}), trusted),
            "10.0.0.3 X-Forwarded-For");
  EXPECT_EQ(clientOf(from("127.0.0.1:1", {{"x-real-ip", "100.64.0.4"}}), trusted), "100.64.0.4 X-Real-IP");
  EXPECT_EQ(clientOf(from("127.0.0.1:1"), trusted), "127.0.0.1 peer");
}

TEST(ClientAddress, AnUnreadableHopBeforeTheClientIsAnError) {
  EXPECT_THAT(clientOf(from("127.0.0.1:1", {{"x-forwarded-for", "100.64.0.1, unknown"}})),
              HasSubstr("X-Forwarded-For: \"unknown\" is not an IP address"));
  EXPECT_THAT(clientOf(from("127.0.0.1:1", {{"x-real-ip", "nope"}})), HasSubstr("X-Real-IP"));
  auto bad = TrustedProxies::parse({"10.0.0.0/8", "10.0.0.0/99"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "trusted_proxies[1]");
}

TEST(ForwardAuthQuery, TheQueryNamesWhatIsProtectedOnce) {
  auto q = queryFromTarget("/forward-auth?dst=tag%3Awiki%3A443&posture=posture:healthy&rd=/x");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->dst, "tag:wiki:443");
  EXPECT_EQ(q->posture, "posture:healthy");

  auto twice = queryFromTarget("/forward-auth?dst=tag:wiki:443&dst=tag:admin:443");
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr("dst is given more than once"));
  EXPECT_THAT(queryFromTarget("/forward-auth").error().message, HasSubstr("say what is protected"));
  EXPECT_THAT(queryFromTarget("/forward-auth?dst=%zz").error().message, HasSubstr("bad percent-escape"));
  EXPECT_THAT(queryFromTarget("/forward-auth?dst=a%00b:1").error().message, HasSubstr("NUL"));
  EXPECT_THAT(queryFromTarget("/forward-auth?dst=").error().message, HasSubstr("dst is empty"));

  auto path = queryFromPath("posture", "posture:healthy");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->posture, "posture:healthy");
  EXPECT_FALSE(path->dst);
  EXPECT_FALSE(queryFromPath("other", "x"));
}

constexpr const char* kPolicy = R"({
  "tagOwners": {"tag:wiki": ["alice@example.com"], "tag:admin": ["alice@example.com"]},
  "hosts": {"wiki-host": "100.64.0.10"},
  "postures": {
    "posture:healthy": ["custom:infected == false", "custom:agent >= '23.1'"],
  },
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:wiki:443"], "srcPosture": ["posture:healthy"]},
    {"action": "accept", "src": ["alice@example.com"], "dst": ["tag:admin:8443"]},
  ],
})";

class ForwardAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto inner = store::openSqliteStore({dir_.file("postured.db")});
    ASSERT_TRUE(inner) << inner.error().message;
    store_ = std::move(*store::CachedStore::wrap(std::move(*inner)));
    auto tx = std::move(*store_->write());
    addDevice(*tx, "alice1", "alice-laptop", "alice@example.com", {}, 1);
    addDevice(*tx, "bob1", "bob-laptop", "bob@example.com", {}, 2);
    addDevice(*tx, "wiki1", "wiki", "", {"tag:wiki"}, 10);
    addDevice(*tx, "admin1", "admin", "", {"tag:admin"}, 11);
    store::PolicyVersion v;
    v.text = kPolicy;
    v.etag = policyETag(kPolicy);
    v.created = clock_.now();
    ASSERT_TRUE(tx->appendPolicyVersion(v));
    ASSERT_TRUE(tx->commit());
    setAttributes("alice1", false, "23.4");
    setAttributes("bob1", false, "23.4");
    live_ = std::make_unique<LivePolicy>(*store_, clock_, metrics_);
    auth_ = std::make_unique<ForwardAuth>(*live_, TrustedProxies::loopback());
  }
  void TearDown() override { store_->close(); }

  static void addDevice(store::WriteTx& tx, const std::string& id, const std::string& hostname,
                        const std::string& user, std::vector<std::string> tags, int n) {
    core::Device d;
    d.id = id;
    d.hostname = hostname;
    d.user = user;
    d.tags = std::move(tags);
    d.ipv4 = "100.64.0." + std::to_string(n);
    d.ipv6 = "fd7a:115c:a1e0::" + std::to_string(n);
    d.os = "linux";
    ASSERT_TRUE(tx.insertDevice(d));
  }
  void setAttributes(const std::string& id, bool infected, const std::string& agent) {
    auto tx = std::move(*store_->write());
    ASSERT_TRUE(tx->putAttribute(
        id, core::DeviceAttribute{"custom:infected", core::AttributeValue(infected), std::nullopt, clock_.now()}));
    ASSERT_TRUE(tx->putAttribute(
        id, core::DeviceAttribute{"custom:agent", core::AttributeValue(agent), std::nullopt, clock_.now()}));
    ASSERT_TRUE(tx->commit());
  }

  ForwardAuthAnswer ask(const std::string& client, std::optional<std::string> dst,
                        std::optional<std::string> posture = std::nullopt) {
    return auth_->decide(from("127.0.0.1:4000", {{"x-forwarded-for", client}}), ForwardAuthQuery{dst, posture});
  }

  testing::TempDir dir_;
  FixedClock clock_;
  core::Metrics metrics_;
  std::unique_ptr<store::CachedStore> store_;
  std::unique_ptr<LivePolicy> live_;
  std::unique_ptr<ForwardAuth> auth_;
};

TEST_F(ForwardAuthTest, AnAllowedDeviceIsNamedWithItsIdentity) {
  auto a = ask("100.64.0.1", "tag:wiki:443");
  EXPECT_EQ(a.verdict, Verdict::kAllowed) << a.reason;
  EXPECT_EQ(a.deviceId, "alice1");
  EXPECT_EQ(a.hostname, "alice-laptop");
  EXPECT_EQ(a.user, "alice@example.com");
  EXPECT_TRUE(a.tags.empty());
  // The same destination by host alias, device name and address; and over IPv6.
  for (const char* dst : {"wiki-host:443", "wiki:443", "100.64.0.10:443", "[fd7a:115c:a1e0::10]:443"})
    EXPECT_EQ(ask("100.64.0.1", dst).verdict, Verdict::kAllowed) << dst;
  EXPECT_EQ(ask("fd7a:115c:a1e0::1", "tag:wiki:443").verdict, Verdict::kAllowed);
  // A tagged device has no user.
  auto wiki = ask("100.64.0.10", std::nullopt, "posture:healthy");
  EXPECT_EQ(wiki.verdict, Verdict::kDenied);
  EXPECT_EQ(wiki.tags, std::vector<std::string>{"tag:wiki"});
}

TEST_F(ForwardAuthTest, APostureFlipDeniesOnTheNextRequestWithTheFailingCondition) {
  EXPECT_EQ(ask("100.64.0.2", "tag:wiki:443").verdict, Verdict::kAllowed);
  setAttributes("bob1", true, "23.4");
  auto a = ask("100.64.0.2", "tag:wiki:443");
  EXPECT_EQ(a.verdict, Verdict::kDenied);
  EXPECT_EQ(a.reason, "posture:healthy: custom:infected == false is false (custom:infected is true, not false)");
  auto p = ask("100.64.0.2", std::nullopt, "posture:healthy");
  EXPECT_EQ(p.verdict, Verdict::kDenied);
  EXPECT_EQ(p.reason, a.reason);
  setAttributes("bob1", false, "22.9");
  EXPECT_THAT(ask("100.64.0.2", "tag:wiki:443").reason, HasSubstr("custom:agent >= '23.1' is false"));
  setAttributes("bob1", false, "23.1");
  EXPECT_EQ(ask("100.64.0.2", "tag:wiki:443").verdict, Verdict::kAllowed);
}

TEST_F(ForwardAuthTest, DenialsSayWhatIsMissing) {
  auto a = ask("100.64.0.2", "tag:admin:8443");
  EXPECT_EQ(a.verdict, Verdict::kDenied);
  EXPECT_THAT(a.reason, HasSubstr("no acl or grant allows bob1"));
  EXPECT_EQ(ask("100.64.0.1", "tag:admin:8443").verdict, Verdict::kAllowed);
  EXPECT_EQ(ask("100.64.0.1", "tag:admin:443").verdict, Verdict::kDenied);  // another port
  EXPECT_EQ(ask("100.64.0.1", "tag:nobody:443").reason, "no node is tagged tag:nobody");
  EXPECT_EQ(ask("100.64.0.1", "100.64.0.99:443").reason, "no node holds or routes 100.64.0.99");
}

TEST_F(ForwardAuthTest, UnknownClientsAndBadQuestionsAreNeverAllowed) {
  auto stranger = ask("100.64.0.77", "tag:wiki:443");
  EXPECT_EQ(stranger.verdict, Verdict::kUnknownDevice);
  EXPECT_EQ(stranger.reason, "no device has the address 100.64.0.77 (from X-Forwarded-For)");
  auto direct = auth_->decide(from("100.64.0.99:1", {{"x-forwarded-for", "100.64.0.1"}}),
                              ForwardAuthQuery{"tag:wiki:443", std::nullopt});
  EXPECT_EQ(direct.verdict, Verdict::kUnknownDevice) << "a forwarded header from an untrusted peer";
  EXPECT_EQ(direct.reason, "no device has the address 100.64.0.99 (from peer)");

  EXPECT_EQ(ask("100.64.0.1", "tag:wiki").verdict, Verdict::kBadRequest);
  EXPECT_THAT(ask("100.64.0.1", "tag:wiki").reason, HasSubstr("has no port"));
  EXPECT_THAT(ask("100.64.0.1", "nothing-here:443").reason, HasSubstr("is not a known node, tag, host or IP"));
  EXPECT_THAT(ask("100.64.0.1", "wiki:99999").reason, HasSubstr("is not a port"));
  auto undefined = ask("100.64.0.1", std::nullopt, "posture:unknown");
  EXPECT_EQ(undefined.verdict, Verdict::kBadRequest);
  EXPECT_EQ(undefined.reason, "posture \"posture:unknown\" is not defined in the policy (defined: posture:healthy)");
}

}  // namespace
}  // namespace postured::enforce::forward_auth
