// The enrollment protocol's client side without a network: host names made
// DNS labels, request bodies, limits, and how answers are classified.
#include "identity/enroll_client.h"

#include <gmock/gmock.h>

namespace postured::testing {
namespace {

using identity::Outcome;
using Json = nlohmann::json;

TEST(EnrollClient, HostNamesBecomeDnsLabels) {
  EXPECT_EQ(identity::deviceHostname("laptop"), "laptop");
  EXPECT_EQ(identity::deviceHostname("build-01.corp.example.com"), "build-01");
  EXPECT_EQ(identity::deviceHostname("Alice's MacBook Pro"), "Alice-s-MacBook-Pro");
  EXPECT_EQ(identity::deviceHostname("_gateway_"), "gateway");
  EXPECT_EQ(identity::deviceHostname("--x--"), "x");
  EXPECT_EQ(identity::deviceHostname("h\xc3\xa9te"), "h--te");
  EXPECT_EQ(identity::deviceHostname(""), "device");
  EXPECT_EQ(identity::deviceHostname(".corp"), "device");
  EXPECT_EQ(identity::deviceHostname("___"), "device");
  const auto longName = identity::deviceHostname(std::string(62, 'a') + "-b" + std::string(10, 'c'));
  EXPECT_EQ(longName, std::string(62, 'a')) << "cut at 63 and no trailing hyphen";
}

TEST(EnrollClient, BodiesHaveTheServersShape) {
  identity::ReportedFacts facts{"laptop", "linux",      "6.1.0-18-amd64",     "0.5.0",
                                false,    {"PF3ABC12"}, {"02:00:00:00:00:01"}, {}};
  EXPECT_EQ(identity::factsJson(facts),
            (Json{{"hostname", "laptop"},
                  {"os", "linux"},
                  {"osVersion", "6.1.0-18-amd64"},
                  {"clientVersion", "0.5.0"},
                  {"identity", {{"SerialNumbers", {"PF3ABC12"}}, {"IfaceHardwareAddrs", {"02:00:00:00:00:01"}}}}}));
  auto reg = identity::registrationJson("nodekey:ab", facts, {"tag:ci"});
  EXPECT_EQ(reg["nodeKey"], "nodekey:ab");
  EXPECT_EQ(reg["tags"], Json({"tag:ci"}));
  EXPECT_FALSE(identity::registrationJson("nodekey:ab", facts, {}).contains("tags")) << "the key's tags then";

  facts.addresses = {"100.64.0.7", "fd7a:115c:a1e0::7"};
  EXPECT_EQ(identity::factsJson(facts)["addresses"], Json({"100.64.0.7", "fd7a:115c:a1e0::7"}));

  facts.postureDisabled = true;
  EXPECT_EQ(identity::factsJson(facts)["identity"], Json({{"PostureDisabled", true}})) << "serials not sent";
  EXPECT_TRUE(identity::factsJson(facts).contains("addresses")) << "they name the machine, not its identity";
  EXPECT_EQ(identity::reportPath("n1CNTRL"), "/api/v2/machine/n1CNTRL/report");
}

TEST(EnrollClient, WhatTheServerWouldRefuseIsNotSent) {
  identity::ReportedFacts facts;
  for (int i = 0; i < 20; ++i) facts.serials.push_back("SN" + std::to_string(i));
  facts.serials.insert(facts.serials.begin(), std::string(129, 'S'));
  facts.hardwareAddrs = {"02:00:00:00:00:01", "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:0b:0c"};
  const auto notes = identity::fitToServerLimits(facts);
  ASSERT_EQ(facts.serials.size(), 16u);
  EXPECT_EQ(facts.serials.front(), "SN0");
  EXPECT_EQ(facts.hardwareAddrs, std::vector<std::string>{"02:00:00:00:00:01"}) << "InfiniBand's 20 bytes dropped";
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_THAT(notes[0], ::testing::HasSubstr("5 serial number(s)"));
  EXPECT_THAT(notes[1], ::testing::HasSubstr("1 hardware address(es)"));
  EXPECT_EQ(notes[0].find("SN1"), std::string::npos) << "never the values";

  identity::ReportedFacts fine{"h", "linux", "", "", false, {"A"}, {"02:00:00:00:00:02"}, {}};
  EXPECT_TRUE(identity::fitToServerLimits(fine).empty());
}

TEST(EnrollClient, AnswersAreClassified) {
  auto ok = identity::classifyAnswer(
      201,
      R"({"deviceId":"n1CNTRL","hostname":"laptop","tags":["tag:ci"],"created":true,"postureIdentityCollectionOn":true})");
  EXPECT_EQ(ok.outcome, Outcome::kOk);
  EXPECT_EQ(ok.deviceId, "n1CNTRL");
  EXPECT_EQ(ok.hostname, "laptop");
  EXPECT_EQ(ok.tags, std::vector<std::string>{"tag:ci"});
  EXPECT_TRUE(ok.created);
  EXPECT_TRUE(ok.collectionOn);
  auto owned = identity::classifyAnswer(200, R"({"deviceId":"n1","hostname":"h","user":"alice@example.com"})");
  EXPECT_EQ(owned.user, "alice@example.com");
  EXPECT_FALSE(owned.created);

  auto notOurs = identity::classifyAnswer(200, "<html>welcome</html>");
  EXPECT_EQ(notOurs.outcome, Outcome::kRejected);
  EXPECT_THAT(notOurs.message, ::testing::HasSubstr("postured server"));

  auto spent = identity::classifyAnswer(401, R"({"message":"auth key k1 was already used","status":401})");
  EXPECT_EQ(spent.outcome, Outcome::kUnauthenticated);
  EXPECT_EQ(spent.message, "auth key k1 was already used");
  EXPECT_FALSE(spent.retryable());
  EXPECT_EQ(identity::classifyAnswer(404, R"({"message":"no enrolled device"})").outcome, Outcome::kNotFound);
  EXPECT_EQ(identity::classifyAnswer(403, R"({"message":"tags[0]: not allowed"})").outcome, Outcome::kRejected);
  EXPECT_EQ(identity::classifyAnswer(400, R"({"message":"hostname: bad"})").outcome, Outcome::kRejected);
  for (int status : {500, 502, 503, 429, 408}) {
    auto ex = identity::classifyAnswer(status, "<html>\nBad Gateway\n</html>");
    EXPECT_EQ(ex.outcome, Outcome::kServerError) << status;
    EXPECT_TRUE(ex.retryable());
    EXPECT_EQ(ex.message, "<html> Bad Gateway </html>") << "a proxy's page, on one line";
  }
  EXPECT_EQ(identity::classifyAnswer(502, "").message, "no message");
}

}  // namespace
}  // namespace postured::testing
