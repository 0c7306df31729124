// The policy file against the real server: the default with its ETag, HuJSON
// saves with If-Match, rejections that keep the old policy, tests that block a
// save, validate, a packet filter that follows a posture set through the
// attributes API, access checks, audit and persistence across a restart.
#include "server_fixture.h"

namespace postured::testing {
namespace {

const char* const kPolicy = R"(// Alice's trusted devices may SSH to Bob's.
{
  "postures": {
    "posture:trusted": ["custom:trusted == true"],
  },
  "acls": [
    /* only from trusted devices */
    {"action": "accept", "src": ["alice@example.com"], "dst": ["bob@example.com:22"],
     "srcPosture": ["posture:trusted"]},
  ],
  "tests": [
    {"src": "alice@example.com", "srcPostureAttrs": {"custom:trusted": true}, "accept": ["bob@example.com:22"]},
  ],
}
)";

class PolicyTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auto res = call("POST", "/api/v2/tailnet/-/devices",
                    Json{{"devices",
                          {{{"hostname", "alice-laptop"}, {"user", "alice@example.com"}, {"os", "linux"}},
                           {{"hostname", "alice-phone"}, {"user", "alice@example.com"}, {"os", "linux"}},
                           {{"hostname", "bob-server"}, {"user", "bob@example.com"}, {"os", "linux"}}}}},
                    200);
    for (const auto& d : res["devices"]) {
      ids_.push_back(d["id"].get<std::string>());
      ipv4_.push_back(d["addresses"][0].get<std::string>());
    }
  }
  http::ClientResponse post(const std::string& path, const std::string& body,
                            std::vector<std::pair<std::string, std::string>> headers) {
    return server().request("POST", path, body, std::nullopt, std::move(headers));
  }
  http::ClientResponse getAcl(bool hujson = false) {
    return server().request("GET", "/api/v2/tailnet/-/acl", "", std::nullopt,
                            hujson ? std::vector<std::pair<std::string, std::string>>{{"Accept", "application/hujson"}}
                                   : std::vector<std::pair<std::string, std::string>>{});
  }
  std::vector<std::string> ids_, ipv4_;
};

TEST_F(PolicyTest, PolicyLifecycle) {
  // The default: allow-all, with an ETag.
  auto initial = getAcl();
  ASSERT_EQ(initial.status, 200);
  EXPECT_EQ(Json::parse(initial.body)["acls"][0]["dst"][0], "*:*");
  const std::string defaultEtag(initial.header("etag"));
  ASSERT_FALSE(defaultEtag.empty());

  // A bad policy: 400 with line:column, the default stays.
  auto bad = post("/api/v2/tailnet/-/acl", "{\n  \"acls\": [\n    {\"action\": \"accept\", \"src\": [\"group:x\"]},\n  ],\n}",
                  {{"Content-Type", "application/hujson"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("line 3, column"), std::string::npos) << bad.body;
  EXPECT_EQ(getAcl().header("etag"), defaultEtag);

  // Failing tests block the save.
  std::string failing = kPolicy;
  failing.replace(failing.find("\"accept\": [\"bob"), 9, "\"deny\":  ");
  auto failed = post("/api/v2/tailnet/-/acl", failing, {{"Content-Type", "application/hujson"}});
  EXPECT_EQ(failed.status, 400);
  EXPECT_EQ(Json::parse(failed.body)["message"], "test(s) failed") << failed.body;
  EXPECT_EQ(getAcl().header("etag"), defaultEtag);

  // Validate never modifies.
  auto valid = post("/api/v2/tailnet/-/acl/validate", kPolicy, {{"Content-Type", "application/hujson"}});
  EXPECT_EQ(valid.status, 200);
  EXPECT_EQ(valid.body, "{}");
  EXPECT_EQ(getAcl().header("etag"), defaultEtag);

  // HuJSON with comments, replacing the untouched default.
  auto saved = post("/api/v2/tailnet/-/acl", kPolicy,
                    {{"Content-Type", "application/hujson"}, {"Accept", "application/hujson"}, {"If-Match", "\"ts-default\""}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.body, kPolicy);
  const std::string etag(saved.header("etag"));
  EXPECT_NE(etag, defaultEtag);
  EXPECT_EQ(getAcl(true).body, kPolicy);
  EXPECT_TRUE(Json::parse(getAcl().body).contains("postures"));

  // A stale If-Match: 412, nothing changes.
  auto stale = post("/api/v2/tailnet/-/acl", "{}", {{"If-Match", defaultEtag}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Json::parse(stale.body)["message"], "precondition failed, invalid old hash");
  EXPECT_EQ(post("/api/v2/tailnet/-/acl", "{}", {{"If-Match", "\"ts-default\""}}).status, 412);
  EXPECT_EQ(getAcl().header("etag"), etag);

  // The posture decides who is in Bob's filter.
  auto filter = [&] { return get("/api/v2/device/" + ids_[2] + "/packet-filter")["rules"]; };
  EXPECT_TRUE(filter().empty()) << "no device is trusted yet";
  call("POST", "/api/v2/device/" + ids_[0] + "/attributes/custom:trusted", Json{{"value", true}}, 200);
  call("POST", "/api/v2/device/" + ids_[1] + "/attributes/custom:trusted", Json{{"value", false}}, 200);
  auto rules = filter();
  ASSERT_EQ(rules.size(), 1u) << rules;
  const auto src = rules[0]["SrcIPs"].dump();
  EXPECT_NE(src.find("\"" + ipv4_[0] + "\""), std::string::npos) << src;
  EXPECT_EQ(src.find("\"" + ipv4_[1] + "\""), std::string::npos) << src;
  EXPECT_EQ(rules[0]["DstPorts"][0]["Ports"]["First"], 22);

  auto allowed = call("POST", "/api/v2/tailnet/-/access/check",
                      Json{{"src", ids_[0]}, {"dst", ids_[2] + ":22"}, {"proto", "tcp"}}, 200);
  EXPECT_EQ(allowed["allowed"], true) << allowed;
  auto denied = call("POST", "/api/v2/tailnet/-/access/check", Json{{"src", ids_[1]}, {"dst", ids_[2] + ":22"}}, 200);
  EXPECT_EQ(denied["allowed"], false) << denied;

  // Audit: one event per change, with the old and new ETag.
  auto logs = get("/api/v2/tailnet/-/logging/configuration?event=ACL")["logs"];
  ASSERT_EQ(logs.size(), 1u) << logs;
  EXPECT_EQ(logs[0]["target"]["type"], "TAILNET");
  EXPECT_EQ(logs[0]["action"], "UPDATE");
  EXPECT_EQ("\"" + logs[0]["old"]["etag"].get<std::string>() + "\"", defaultEtag);
  EXPECT_EQ("\"" + logs[0]["new"]["etag"].get<std::string>() + "\"", etag);

  // A second version with the current ETag; both survive a restart.
  auto second = post("/api/v2/tailnet/-/acl", R"({"acls": []})", {{"If-Match", etag}});
  ASSERT_EQ(second.status, 200) << second.body;
  restartServer();
  EXPECT_EQ(getAcl().header("etag"), second.header("etag"));
  EXPECT_EQ(get("/api/v2/tailnet/-/logging/configuration?event=ACL")["logs"].size(), 2u);
}

TEST_F(PolicyTest, ReadScopeCannotWrite) {
  const auto reader = createKey({"policy_file:read"});
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/acl", "", reader).status, 200);
  EXPECT_EQ(server().request("POST", "/api/v2/tailnet/-/acl/validate", "{}", reader).status, 200);
  EXPECT_EQ(server().request("POST", "/api/v2/tailnet/-/acl", "{}", reader).status, 403);
}

}  // namespace
}  // namespace postured::testing
