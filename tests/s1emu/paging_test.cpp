// Paging, limits, cursors and filters of GET /web/api/v2.1/agents, against
// the real s1emu process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "s1emu/emu_process.h"

namespace postured::s1emu::testing {
namespace {

using nlohmann::json;

const json kLimitError = json::parse(
    R"({"errors":[{"code":4000010,"detail":"Limit must be greater than or equals to 1 and less than equals to 1000","title":"Validation Error"}]})");

std::uint64_t idOf(const json& agent) { return std::stoull(agent["id"].get<std::string>()); }

class S1emuGeneratedFleet : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emu_.start()) << emu_.stderrText();
    fleet_ = json::parse(readFile(dir_.file("fleet.json")));
    ASSERT_EQ(fleet_.size(), 2500u);
  }
  std::vector<std::uint64_t> idsWhere(bool decommissioned) const {
    std::vector<std::uint64_t> ids;
    for (const auto& a : fleet_)
      if (a["isDecommissioned"].get<bool>() == decommissioned) ids.push_back(idOf(a));
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  postured::testing::TempDir dir_;
  EmuProcess emu_{{"--generate", "2500", "--seed", "11", "--fleet-out", dir_.file("fleet.json")}};
  json fleet_;
};

TEST_F(S1emuGeneratedFleet, PagingCollectsEveryActiveAgentOnceInIdOrder) {
  const auto expected = idsWhere(false);
  ASSERT_LT(expected.size(), fleet_.size()) << "the generated fleet should hold decommissioned agents";

  const auto listing = listAll(emu_, "limit=1000");
  std::vector<std::uint64_t> ids;
  for (const auto& a : listing.agents) ids.push_back(idOf(a));
  EXPECT_EQ(ids, expected);  // all, once each, in numeric id order
  ASSERT_EQ(listing.pageSizes.size(), 3u);
  EXPECT_EQ(listing.pageSizes[0], 1000u);
  EXPECT_EQ(listing.pageSizes[1], 1000u);
  for (const auto total : listing.totals) EXPECT_EQ(total, expected.size());
}

TEST_F(S1emuGeneratedFleet, CursorIsBase64OfTheLastAgentId) {
  const auto page = json::parse(emu_.agents("limit=5").body);
  ASSERT_EQ(page["data"].size(), 5u);
  EXPECT_EQ(page["pagination"]["nextCursor"], base64("agent_id:" + page["data"][4]["id"].get<std::string>()));
  // A cursor sent without percent-encoding still works ('+' arrives as a space).
  const auto cursor = page["pagination"]["nextCursor"].get<std::string>();
  const auto next = emu_.agents("limit=5&cursor=" + cursor);
  EXPECT_EQ(next.status, 200) << next.body;
}

TEST_F(S1emuGeneratedFleet, SmallPagesAgreeWithLargeOnes) {
  const auto small = listAll(emu_, "limit=97");
  const auto large = listAll(emu_, "limit=1000");
  ASSERT_EQ(small.agents.size(), large.agents.size());
  EXPECT_TRUE(std::equal(small.agents.begin(), small.agents.end(), large.agents.begin()));
  EXPECT_EQ(small.pageSizes.back(), large.agents.size() % 97 == 0 ? 97 : large.agents.size() % 97);
}

TEST_F(S1emuGeneratedFleet, DefaultLimitIsTen) {
  const auto page = json::parse(emu_.agents("").body);
  EXPECT_EQ(page["data"].size(), 10u);
  EXPECT_TRUE(page["pagination"]["nextCursor"].is_string());
  EXPECT_TRUE(page.contains("errors") && page["errors"].is_null());
}

TEST_F(S1emuGeneratedFleet, LimitOutOfBoundsOrNotAnIntegerIs400) {
  for (const std::string limit : {"0", "1001", "-1", "abc", "1.5", "", "99999999999999999999", "10a"}) {
    const auto response = emu_.agents("limit=" + limit);
    EXPECT_EQ(response.status, 400) << "limit=" << limit;
    EXPECT_EQ(json::parse(response.body), kLimitError) << "limit=" << limit;
  }
  EXPECT_EQ(json::parse(emu_.agents("limit=1").body)["data"].size(), 1u);
  EXPECT_EQ(json::parse(emu_.agents("limit=1000").body)["data"].size(), 1000u);
}

TEST_F(S1emuGeneratedFleet, InvalidCursorIs400) {
  for (const std::string& cursor : std::vector<std::string>{"not-a-cursor", base64("agent_id:abc"), base64("agent:123"),
                                                            base64("agent_id:"), "YWdlbnRfaWQ6MTIz==="}) {
    const auto response = emu_.agents("limit=10&cursor=" + urlEncode(cursor));
    EXPECT_EQ(response.status, 400) << cursor;
    const auto body = json::parse(response.body);
    ASSERT_EQ(body["errors"].size(), 1u);
    EXPECT_EQ(body["errors"][0]["code"], 4000010);
    EXPECT_EQ(body["errors"][0]["title"], "Validation Error");
  }
}

TEST_F(S1emuGeneratedFleet, CursorOfAnUnknownIdContinuesAfterIt) {
  // Cursors name an id, not a position, so they survive deletions.
  const auto expected = idsWhere(false);
  const auto after = expected[10] + 1;
  const auto page =
      json::parse(emu_.agents("limit=3&cursor=" + urlEncode(base64("agent_id:" + std::to_string(after)))).body);
  ASSERT_EQ(page["data"].size(), 3u);
  EXPECT_EQ(idOf(page["data"][0]), expected[11]);
}

TEST_F(S1emuGeneratedFleet, IsDecommissionedFilter) {
  const auto decommissioned = idsWhere(true);
  ASSERT_FALSE(decommissioned.empty());
  for (const std::string value : {"true", "True", "TRUE"}) {
    const auto listing = listAll(emu_, "limit=1000&isDecommissioned=" + value);
    std::vector<std::uint64_t> ids;
    for (const auto& a : listing.agents) ids.push_back(idOf(a));
    EXPECT_EQ(ids, decommissioned) << value;
    EXPECT_EQ(listing.totals.front(), decommissioned.size());
  }
  EXPECT_EQ(listAll(emu_, "limit=1000&isDecommissioned=false").agents.size(), idsWhere(false).size());
  for (const std::string value : {"True,False", "false,true", "true%2Cfalse"}) {
    const auto listing = listAll(emu_, "limit=1000&isDecommissioned=" + value);
    EXPECT_EQ(listing.agents.size(), fleet_.size()) << value;
    EXPECT_EQ(listing.totals.front(), fleet_.size()) << value;
  }
  const auto bad = emu_.agents("isDecommissioned=maybe");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["errors"][0]["title"], "Validation Error");
}

TEST_F(S1emuGeneratedFleet, SerialNumberContainsIsACaseInsensitiveSubstring) {
  std::string serial;
  for (const auto& a : fleet_)
    if (a.contains("serialNumber") && a["serialNumber"].is_string() && !a["isDecommissioned"].get<bool>() &&
        a["serialNumber"].get<std::string>().size() >= 7) {
      serial = a["serialNumber"].get<std::string>();
      break;
    }
  ASSERT_FALSE(serial.empty());
  std::string needle = serial.substr(1, 5);
  for (auto& c : needle)
    c = static_cast<char>(std::islower(static_cast<unsigned char>(c)) ? std::toupper(c) : std::tolower(c));
  const auto listing = listAll(emu_, "limit=1000&serialNumber__contains=" + urlEncode(needle));
  ASSERT_FALSE(listing.agents.empty());
  std::string lowerNeedle = needle;
  for (auto& c : lowerNeedle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& a : listing.agents) {
    auto s = a["serialNumber"].get<std::string>();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(s.find(lowerNeedle), std::string::npos) << s;
  }
  EXPECT_EQ(listing.totals.front(), listing.agents.size());
}

TEST_F(S1emuGeneratedFleet, EmptyResultHasNullCursorAndZeroTotal) {
  const auto page = json::parse(emu_.agents("limit=10&serialNumber__contains=no-such-serial-anywhere").body);
  EXPECT_EQ(page["data"], json::array());
  EXPECT_TRUE(page["pagination"]["nextCursor"].is_null());
  EXPECT_EQ(page["pagination"]["totalItems"], 0);
}

TEST_F(S1emuGeneratedFleet, OtherQueryParametersAreIgnored) {
  const auto plain = json::parse(emu_.agents("limit=20").body);
  const auto extra = json::parse(emu_.agents("limit=20&sortBy=updatedAt&sortOrder=desc&skipCount=true&siteIds=1").body);
  EXPECT_EQ(plain, extra);
}

}  // namespace
}  // namespace postured::s1emu::testing
