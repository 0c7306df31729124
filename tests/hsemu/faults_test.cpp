// Injected faults: an outage of the whole API, failing PUTs, delays.
#include <gtest/gtest.h>

#include <chrono>

#include "hs_client.h"

namespace postured::hsemu::testing {
namespace {

TEST(FaultsTest, UnavailableAnswers503InTheFlavorsShape) {
  for (const std::string flavor : {"main", "v0.29"}) {
    HsEmulatorProcess emu({"--flavor", flavor});
    ASSERT_TRUE(emu.start()) << emu.logText();
    emu.control("POST", "/_emu/faults", {{"unavailable", true}});
    auto res = call(emu, "GET", "/api/v1/node");
    EXPECT_EQ(res.status, 503);
    if (flavor == "main")
      EXPECT_EQ(parsed(res)["status"], 503);
    else
      EXPECT_EQ(parsed(res)["code"], 14);
    res = call(emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy));
    EXPECT_EQ(res.status, 503);
    EXPECT_EQ(emu.pushes()[0]["outcome"], "failed");
    emu.control("DELETE", "/_emu/faults");
    EXPECT_EQ(call(emu, "GET", "/api/v1/node").status, 200);
  }
}

TEST(FaultsTest, FailPutsFailTheNextPuts) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  const auto faults = emu.control("POST", "/_emu/faults", {{"failPuts", 2}, {"failStatus", 502}});
  EXPECT_EQ(faults["failPuts"], 2);
  EXPECT_EQ(call(emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy)).status, 502);
  EXPECT_EQ(call(emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy)).status, 502);
  EXPECT_EQ(call(emu, "PUT", "/api/v1/policy", putBody(kGoodPolicy)).status, 200);
  const auto pushes = emu.pushes();
  ASSERT_EQ(pushes.size(), 3u);
  EXPECT_EQ(pushes[0]["outcome"], "failed");
  EXPECT_EQ(pushes[0]["status"], 502);
  EXPECT_EQ(pushes[2]["outcome"], "accepted");
  EXPECT_EQ(emu.control("GET", "/_emu/faults")["failPuts"], 0);
  EXPECT_EQ(emu.control("GET", "/_emu/stats")["policyPuts"], 3);
}

TEST(FaultsTest, DelayHoldsEveryAnswer) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  emu.control("POST", "/_emu/faults", {{"delayMs", 300}});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(call(emu, "GET", "/api/v1/node").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

TEST(FaultsTest, BadFaultsNameTheField) {
  HsEmulatorProcess emu;
  ASSERT_TRUE(emu.start()) << emu.logText();
  try {
    emu.control("POST", "/_emu/faults", {{"failStatus", 99}});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("failStatus"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace postured::hsemu::testing
