// headscale's node list in the JSON dialects headscale has spoken.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "enforce/headscale/headscale_node.h"

namespace postured::enforce::headscale {
namespace {

using ::testing::HasSubstr;

TEST(HeadscaleNodeList, MainPrintsStringIdsAndOneTagsField) {
  auto nodes = parseNodeList(R"({"nodes": [
    {"id": "1", "name": "laptop", "givenName": "alice-laptop", "ipAddresses": ["100.64.0.1", "fd7a:115c:a1e0::1"],
     "user": {"id": "1", "name": "alice", "email": "alice@example.com"}, "tags": [], "online": true,
     "lastSeen": "2026-12-01T10:00:00Z", "machineKey": "mkey:00", "approvedRoutes": []},
    {"id": "2", "name": "ci-runner", "ipAddresses": ["100.64.0.2"], "user": {"name": "tagged-devices"},
     "tags": ["tag:ci", "tag:ci"], "online": false, "lastSeen": null},
    {"id": "3", "name": "desk", "ipAddresses": ["fd7a:115c:a1e0:0:0:0:0:3", "100.64.0.3"], "user": {"name": "bob"}}
  ]})");
  ASSERT_TRUE(nodes) << nodes.error().message;
  ASSERT_EQ(nodes->size(), 3u);
  const auto& alice = (*nodes)[0];
  EXPECT_EQ(alice.id, "1");
  EXPECT_EQ(alice.hostname(), "alice-laptop") << "givenName first";
  EXPECT_EQ(alice.owner(), "alice@example.com");
  EXPECT_EQ(alice.ipv4, "100.64.0.1");
  EXPECT_EQ(alice.ipv6, "fd7a:115c:a1e0::1");
  EXPECT_TRUE(alice.online);
  ASSERT_TRUE(alice.lastSeen.has_value());
  const auto& ci = (*nodes)[1];
  EXPECT_EQ(ci.tags, std::vector<std::string>{"tag:ci"});
  EXPECT_EQ(ci.owner(), "") << "a tagged node has no owner";
  EXPECT_EQ(ci.hostname(), "ci-runner") << "name when there is no givenName";
  EXPECT_FALSE(ci.lastSeen.has_value());
  EXPECT_EQ((*nodes)[2].owner(), "bob@") << "a user without e-mail as headscale's policy names it";
  EXPECT_EQ((*nodes)[2].ipv6, "fd7a:115c:a1e0::3") << "canonical text";
}

TEST(HeadscaleNodeList, OlderReleasesNumericIdsAndForcedAndValidTags) {
  auto nodes = parseNodeList(R"({"nodes": [
    {"id": 17, "name": "srv", "ipAddresses": ["100.64.0.17"], "user": {"name": "ops"},
     "forcedTags": ["tag:prod"], "validTags": ["tag:web"], "invalidTags": ["tag:nope"],
     "lastSeen": "0001-01-01T00:00:00Z"}
  ]})");
  ASSERT_TRUE(nodes) << nodes.error().message;
  EXPECT_EQ((*nodes)[0].id, "17");
  EXPECT_EQ((*nodes)[0].tags, (std::vector<std::string>{"tag:prod", "tag:web"})) << "invalid tags are not the node's";
  EXPECT_FALSE((*nodes)[0].lastSeen.has_value()) << "Go's zero time means never";
  auto empty = parseNodeList("{}");
  ASSERT_TRUE(empty) << "protojson leaves an empty list out";
  EXPECT_TRUE(empty->empty());
}

TEST(HeadscaleNodeList, BadInputNamesTheField) {
  const auto error = [](const char* body) {
    auto r = parseNodeList(body);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_THAT(error("not json"), HasSubstr("not JSON"));
  EXPECT_THAT(error(R"({"nodes": {}})"), HasSubstr("nodes must be an array"));
  EXPECT_THAT(error(R"({"nodes": [{"name": "a", "user": {"name": "u"}}]})"), HasSubstr("nodes[0].id is missing"));
  EXPECT_THAT(error(R"({"nodes": [{"id": "x1", "name": "a", "user": {"name": "u"}}]})"), HasSubstr("nodes[0].id"));
  EXPECT_THAT(error(R"({"nodes": [{"id": "1", "name": "a", "user": {"name": "u"}, "ipAddresses": ["1.2.3"]}]})"),
              HasSubstr("nodes[0].ipAddresses[0]: \"1.2.3\" is not an IP address"));
  EXPECT_THAT(error(R"({"nodes": [{"id": "1", "name": "a"}]})"), HasSubstr("nodes[0].user is missing"));
  EXPECT_THAT(error(R"({"nodes": [{"id": "1", "name": "a", "user": {"name": "u"}, "tags": ["web"]}]})"),
              HasSubstr("is not a tag"));
  EXPECT_THAT(error(R"({"nodes": [{"id": "1", "name": "a", "user": {"name": "u"}, "online": "yes"}]})"),
              HasSubstr("nodes[0].online must be a boolean"));
  EXPECT_THAT(error(R"({"nodes": [{"id": "1", "name": "a", "user": {"name": "u"}},
                                  {"id": "1", "name": "b", "user": {"name": "u"}}]})"),
              HasSubstr("id 1 appears twice"));
}

}  // namespace
}  // namespace postured::enforce::headscale
