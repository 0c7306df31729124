// The policy endpoints at handler level, on a real SQLite store behind the
// CachedStore: default policy, saves with If-Match, rejection keeps the old
// policy, tests block a save, validate, preview, packet filters with postures,
// access checks, history and audit.
#include "api/policy_api.h"

#include <gmock/gmock.h>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace postured::api {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class FixedClock final : public core::Clock {
 public:
  core::Timestamp now() const override { return now_; }
  void advance(std::int64_t ms) { now_ = now_ + std::chrono::milliseconds(ms); }

 private:
  core::Timestamp now_ = core::fromUnixMillis(1'790'000'000'000);
};

const char* const kPolicy = R"(// who may reach what
{
  "postures": {
    "posture:trusted": ["custom:trusted == true"], // set through the API
  },
  "acls": [
    {"action": "accept", "src": ["alice@example.com"], "dst": ["bob@example.com:22"],
     "srcPosture": ["posture:trusted"]},
  ],
  "tests": [
    {"src": "alice@example.com", "srcPostureAttrs": {"custom:trusted": true}, "accept": ["b1:22"], "deny": ["b1:80"]},
  ],
}
)";

class PolicyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sqlite = store::openSqliteStore(store::SqliteOptions{.path = dir_.file("postured.db")});
    ASSERT_TRUE(sqlite) << sqlite.error().message;
    store_ = std::move(*store::CachedStore::wrap(std::move(*sqlite)));
    auto tx = std::move(*store_->write());
    addDevice(*tx, "a1", "alice@example.com", 1);
    addDevice(*tx, "a2", "alice@example.com", 2);
    addDevice(*tx, "b1", "bob@example.com", 3);
    ASSERT_TRUE(tx->putAttribute(
        "a1", core::DeviceAttribute{"custom:trusted", core::AttributeValue(true), std::nullopt, clock_.now()}));
    ASSERT_TRUE(tx->commit());
    live_ = std::make_unique<enforce::LivePolicy>(*store_, clock_, metrics_);
    api_ = std::make_unique<PolicyApi>(*store_, clock_, *live_, "example.com");
    key_->id = "k1";
    key_->description = "admin";
  }
  void TearDown() override { store_->close(); }

  static void addDevice(store::WriteTx& tx, const std::string& id, const std::string& user, int n) {
    core::Device d;
    d.id = id;
    d.hostname = id;
    d.user = user;
    d.ipv4 = "100.64.0." + std::to_string(n);
    d.ipv6 = "fd7a:115c:a1e0::" + std::to_string(n);
    d.os = "linux";
    ASSERT_TRUE(tx.insertDevice(d));
  }

  static http::Request request(std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request r;
    r.method = "POST";
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }
  http::Response must(core::Result<http::Response> r) {
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : http::Response{};
  }
  static std::string etagOf(const http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "ETag") return v;
    return "";
  }
  double compiles(const char* kind) {
    return metrics_.counter("postured_policy_compiles_total", {{"kind", kind}}).value();
  }
  std::vector<core::AuditEvent> audit() { return *(*store_->read())->auditEvents({}); }

  testing::TempDir dir_;
  FixedClock clock_;
  core::Metrics metrics_;
  std::unique_ptr<store::CachedStore> store_;
  std::unique_ptr<enforce::LivePolicy> live_;
  std::unique_ptr<PolicyApi> api_;
  std::shared_ptr<core::ApiKey> key_ = std::make_shared<core::ApiKey>();
  Caller caller() const { return Caller{key_}; }
};

TEST_F(PolicyApiTest, DefaultIsAllowAllWithAnETag) {
  auto res = must(api_->get(request("")));
  EXPECT_EQ(res.status, 200);
  auto body = Json::parse(res.body);
  EXPECT_EQ(body, Json::parse(R"({"acls":[{"action":"accept","src":["*"],"dst":["*:*"]}]})"));
  EXPECT_EQ(etagOf(res), "\"" + policyETag(kDefaultPolicyText) + "\"");
  auto hu = must(api_->get(request("", {{"accept", "application/hujson"}})));
  EXPECT_EQ(hu.body, kDefaultPolicyText);
  EXPECT_EQ(hu.contentType, "application/hujson");
}

TEST_F(PolicyApiTest, SaveKeepsHuJsonAndHonoursIfMatch) {
  auto saved = must(
      api_->set(request(kPolicy, {{"content-type", "application/hujson"}, {"if-match", "\"ts-default\""}}), caller()));
  ASSERT_EQ(saved.status, 200) << saved.body;
  const auto etag = etagOf(saved);
  EXPECT_EQ(etag, "\"" + policyETag(kPolicy) + "\"");
  EXPECT_TRUE(Json::parse(saved.body).contains("postures"));
  auto hu = must(api_->get(request("", {{"accept", "application/hujson"}})));
  EXPECT_EQ(hu.body, kPolicy) << "comments kept";

  // ts-default no longer matches; a stale hash neither.
  auto stale = must(api_->set(request("{}", {{"if-match", "\"ts-default\""}}), caller()));
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.body, R"({"message":"precondition failed, invalid old hash"})");
  stale = must(api_->set(request("{}", {{"if-match", "\"" + policyETag(kDefaultPolicyText) + "\""}}), caller()));
  EXPECT_EQ(stale.status, 412);
  auto next = must(api_->set(request("{\"acls\":[]}", {{"if-match", etag}}), caller()));
  EXPECT_EQ(next.status, 200);

  auto history = *(*store_->read())->policyHistory(10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].text, kPolicy);
  EXPECT_EQ(history[1].actorId, "k1");
  auto events = audit();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].target.type, "TAILNET");
  EXPECT_EQ(events[0].target.property, "ACL");
  EXPECT_EQ(events[0].action, "UPDATE");
  EXPECT_EQ(Json::parse(events[0].oldJson)["etag"], policyETag(kDefaultPolicyText));
  EXPECT_EQ(Json::parse(events[0].newJson)["etag"], policyETag(kPolicy));
  EXPECT_EQ(Json::parse(events[1].oldJson)["etag"], policyETag(kPolicy));
}

TEST_F(PolicyApiTest, BadPolicyIsRejectedWithLineAndColumnAndTheOldStays) {
  auto bad = api_->set(
      request(
          "{\n  \"acls\": [\n    {\"action\": \"accept\", \"src\": [\"group:nope\"], \"dst\": [\"*:*\"]},\n  ],\n}"),
      caller());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidArgument);
  EXPECT_THAT(bad.error().message, HasSubstr("line 3"));
  auto syntax = api_->set(request("{\"acls\": [}"), caller());
  ASSERT_FALSE(syntax.has_value());
  EXPECT_THAT(syntax.error().message, HasSubstr("line 1, column"));
  EXPECT_EQ(etagOf(must(api_->get(request("")))), "\"" + policyETag(kDefaultPolicyText) + "\"");
  EXPECT_TRUE(audit().empty());
}

TEST_F(PolicyApiTest, FailingTestsBlockTheSave) {
  std::string failing = kPolicy;
  failing.replace(failing.find("\"deny\": [\"b1:80\"]"), 17, "\"deny\": [\"b1:22\"]");
  auto res = must(api_->set(request(failing), caller()));
  EXPECT_EQ(res.status, 400);
  auto body = Json::parse(res.body);
  EXPECT_EQ(body["message"], "test(s) failed");
  EXPECT_EQ(body["data"][0]["user"], "alice@example.com");
  EXPECT_THAT(body["data"][0]["errors"][0].get<std::string>(), HasSubstr("want: Drop, got: Accept"));
  EXPECT_TRUE((*(*store_->read())->policyHistory(10)).empty());
}

TEST_F(PolicyApiTest, ValidateNeverModifies) {
  EXPECT_EQ(must(api_->validate(request(kPolicy))).body, "{}");
  Json asString = kPolicy;
  EXPECT_EQ(must(api_->validate(request(asString.dump()))).body, "{}");
  // Tests against the current (default, allow-all) policy.
  auto tests = must(api_->validate(request(R"([{"src": "a2", "accept": ["b1:22"], "deny": ["b1:80"]}])")));
  EXPECT_EQ(tests.status, 400);
  EXPECT_THAT(tests.body, HasSubstr("want: Drop, got: Accept"));
  EXPECT_FALSE(api_->validate(request("{\"bogus\": 1}")).has_value());
  EXPECT_TRUE((*(*store_->read())->policyHistory(10)).empty());
  EXPECT_TRUE(audit().empty());
}

TEST_F(PolicyApiTest, PacketFilterLeavesOutADeviceFailingThePosture) {
  ASSERT_EQ(must(api_->set(request(kPolicy), caller())).status, 200);
  auto res = must(api_->packetFilter("b1"));
  auto rules = Json::parse(res.body)["rules"];
  ASSERT_EQ(rules.size(), 1u) << rules;
  EXPECT_EQ(rules[0]["SrcIPs"], Json::parse(R"(["100.64.0.1", "fd7a:115c:a1e0::1"])")) << "a1 is trusted, a2 is not";
  EXPECT_TRUE(Json::parse(must(api_->packetFilter("a1")).body)["rules"].empty());
  EXPECT_FALSE(api_->packetFilter("nope").has_value());

  auto allowed = Json::parse(must(api_->accessCheck(request(R"({"src":"a1","dst":"b1:22"})"))).body);
  EXPECT_EQ(allowed["allowed"], true);
  auto denied = Json::parse(must(api_->accessCheck(request(R"({"src":"a2","dst":"b1:22"})"))).body);
  EXPECT_EQ(denied["allowed"], false);
  EXPECT_FALSE(api_->accessCheck(request(R"({"src":"a2"})")).has_value());
}

TEST_F(PolicyApiTest, PacketFilterFollowsAttributeChangesAndExpiries) {
  ASSERT_EQ(must(api_->set(request(kPolicy), caller())).status, 200);
  auto sources = [&] {
    auto rules = Json::parse(must(api_->packetFilter("b1")).body)["rules"];
    return rules.empty() ? Json::array() : rules[0]["SrcIPs"];
  };
  const Json a1Only = Json::parse(R"(["100.64.0.1", "fd7a:115c:a1e0::1"])");
  EXPECT_EQ(sources(), a1Only);
  {
    auto tx = std::move(*store_->write());
    ASSERT_TRUE(
        tx->putAttribute("a2", core::DeviceAttribute{"custom:trusted", core::AttributeValue(true),
                                                     clock_.now() + std::chrono::milliseconds(1000), clock_.now()}));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(sources(), Json::parse(R"(["100.64.0.1-100.64.0.2", "fd7a:115c:a1e0::1-fd7a:115c:a1e0::2"])"))
      << "a1 and a2 after the commit";
  clock_.advance(1000);
  EXPECT_EQ(sources(), a1Only) << "a2's attribute expired: out at once, before any sweep";
  auto filter = must(api_->packetFilter("b1"));
  EXPECT_EQ(filter.body.find("\"SrcIPs\""), 11u) << "Go's field order: " << filter.body;
}

TEST_F(PolicyApiTest, AttributeChangesRecomputeIncrementallyAndIdentityChangesCompileAgain) {
  ASSERT_EQ(must(api_->set(request(kPolicy), caller())).status, 200);
  auto sources = [&] {
    auto rules = Json::parse(must(api_->packetFilter("b1")).body)["rules"];
    return rules.empty() ? Json::array() : rules[0]["SrcIPs"];
  };
  EXPECT_EQ(sources(), Json::parse(R"(["100.64.0.1", "fd7a:115c:a1e0::1"])"));
  EXPECT_EQ(compiles("full"), 1);
  sources();
  EXPECT_EQ(compiles("full"), 1) << "nothing changed: served as compiled";
  EXPECT_EQ(compiles("incremental"), 0);

  {
    auto tx = std::move(*store_->write());
    ASSERT_TRUE(tx->putAttribute(
        "a1", core::DeviceAttribute{"custom:trusted", core::AttributeValue(false), std::nullopt, clock_.now()}));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(sources(), Json::array()) << "a1 is no longer trusted";
  EXPECT_EQ(compiles("full"), 1);
  EXPECT_EQ(compiles("incremental"), 1);
  auto denied = Json::parse(must(api_->accessCheck(request(R"({"src":"a1","dst":"b1:22"})"))).body);
  EXPECT_EQ(denied["allowed"], false) << "access checks read the same engine";

  {
    auto tx = std::move(*store_->write());
    ASSERT_TRUE(tx->putAttribute(
        "a2", core::DeviceAttribute{"custom:trusted", core::AttributeValue(true), std::nullopt, clock_.now()}));
    auto found = tx->device("a2");
    ASSERT_TRUE(found && *found);
    core::Device moved = **found;
    moved.ipv4 = "100.64.0.9";
    ASSERT_TRUE(tx->updateDevice(moved));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(sources(), Json::parse(R"(["100.64.0.9", "fd7a:115c:a1e0::2"])")) << "a2 trusted at its new address";
  EXPECT_EQ(compiles("full"), 2) << "an address change compiles again";

  {
    auto tx = std::move(*store_->write());
    ASSERT_TRUE(tx->deleteDevice("a2"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(sources(), Json::array());
  EXPECT_EQ(compiles("full"), 3);
}

TEST_F(PolicyApiTest, HistoryListsEveryVersionNewestFirst) {
  ASSERT_EQ(must(api_->set(request(kPolicy), caller())).status, 200);
  const std::string second = std::string(kPolicy) + "// second\n";
  ASSERT_EQ(must(api_->set(request(second), caller())).status, 200);
  http::Request r;
  r.method = "GET";
  auto versions = Json::parse(must(api_->history(r)).body)["versions"];
  ASSERT_EQ(versions.size(), 2u) << versions;
  EXPECT_EQ(versions[0]["policy"], second);
  EXPECT_EQ(versions[1]["policy"], kPolicy);
  EXPECT_EQ(versions[0]["etag"], policyETag(second));
  EXPECT_GT(versions[0]["version"].get<int>(), versions[1]["version"].get<int>());
  EXPECT_EQ(versions[0]["actor"]["id"], "k1");
  EXPECT_EQ(versions[0]["created"], core::formatRfc3339(clock_.now()));
  r.query = {{"limit", "1"}};
  EXPECT_EQ(Json::parse(must(api_->history(r)).body)["versions"].size(), 1u);
  r.query = {{"limit", "0"}};
  auto bad = api_->history(r);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field, "limit");
}

TEST_F(PolicyApiTest, PreviewListsGrantsWithWhatTheyGrant) {
  http::Request r = request(R"({
  "postures": {"posture:ok": ["custom:trusted == true"]},
  "grants": [
    {"src": ["alice@example.com"], "dst": ["bob@example.com"], "ip": ["tcp:443"], "srcPosture": ["posture:ok"]},
  ],
})");
  r.query = {{"type", "user"}, {"previewFor", "alice@example.com"}};
  auto user = Json::parse(must(api_->preview(r)).body);
  ASSERT_EQ(user["matches"].size(), 1u) << user;
  EXPECT_EQ(user["matches"][0]["ip"], Json::parse(R"(["tcp:443"])"));
  EXPECT_EQ(user["matches"][0]["postures"], Json::parse(R"(["posture:ok"])"));
  EXPECT_EQ(user["matches"][0]["lineNumber"], 4);
  r.query = {{"type", "ipport"}, {"previewFor", "100.64.0.3:443"}};
  EXPECT_EQ(Json::parse(must(api_->preview(r)).body)["matches"].size(), 1u);
  r.query = {{"type", "ipport"}, {"previewFor", "100.64.0.3:22"}};
  EXPECT_TRUE(Json::parse(must(api_->preview(r)).body)["matches"].empty());
}

TEST_F(PolicyApiTest, PreviewListsTheRulesForAUserOrAnIpPort) {
  http::Request r = request(kPolicy);
  r.query = {{"type", "user"}, {"previewFor", "alice@example.com"}};
  auto user = Json::parse(must(api_->preview(r)).body);
  ASSERT_EQ(user["matches"].size(), 1u) << user;
  EXPECT_EQ(user["matches"][0]["users"], Json::parse(R"(["alice@example.com"])"));
  EXPECT_EQ(user["matches"][0]["ports"], Json::parse(R"(["bob@example.com:22"])"));
  EXPECT_EQ(user["matches"][0]["lineNumber"], 7);
  EXPECT_EQ(user["matches"][0]["postures"], Json::parse(R"(["posture:trusted"])"));
  EXPECT_EQ(user["type"], "user");
  EXPECT_EQ(user["postures"]["posture:trusted"][0], "custom:trusted == true");
  r.query = {{"type", "user"}, {"previewFor", "bob@example.com"}};
  EXPECT_TRUE(Json::parse(must(api_->preview(r)).body)["matches"].empty());
  r.query = {{"type", "ipport"}, {"previewFor", "100.64.0.3:22"}};
  EXPECT_EQ(Json::parse(must(api_->preview(r)).body)["matches"].size(), 1u);
  r.query = {{"type", "ipport"}, {"previewFor", "100.64.0.3:80"}};
  EXPECT_TRUE(Json::parse(must(api_->preview(r)).body)["matches"].empty());
  r.query = {{"type", "nope"}, {"previewFor", "x"}};
  EXPECT_FALSE(api_->preview(r).has_value());
}

}  // namespace
}  // namespace postured::api
