// Parsing pages of GET /web/api/v2.1/agents in the shapes real consoles send
// (see the reference's recorded agents) and the ways a page can be broken.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "integrations/sentinelone/agents_page.h"
#include "sentinelone_fixtures.h"

namespace postured::integrations::sentinelone {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

core::Result<AgentsPage> parseFixture(const std::string& name) {
  AgentsPageParser parser;
  auto body = fixture(name);
  return parser.parse(body);
}

std::optional<core::AttributeValue> attribute(const ProviderHost& host, std::string_view key) {
  for (const auto& a : host.attributes)
    if (a.key == key) return a.value;
  return std::nullopt;
}

// One attribute as a host reports it.
auto Reported(const char* key, const core::AttributeValue& value) {
  return AllOf(Field(&core::DeviceAttribute::key, core::AttributeKey(key)),
               Field(&core::DeviceAttribute::value, value));
}

const core::AttributeValue kTrue(true);
const core::AttributeValue kFalse(false);

class SentinelOneAgentsPage : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = parseFixture("page_recorded_shapes.json");
    ASSERT_TRUE(parsed) << parsed.error().message;
    page_ = std::move(*parsed);
    ASSERT_EQ(page_.hosts.size(), 9u);
  }
  const ProviderHost& host(std::size_t i) const { return page_.hosts.at(i); }
  AgentsPage page_;
};

TEST(SentinelOneAgentsPageReuse, APageParsedIntoAnEarlierOnesHostsKeepsNothingOfThem) {
  AgentsPageParser parser;
  AgentsPage page;
  auto full = fixture("page_recorded_shapes.json");
  ASSERT_TRUE(parser.parse(full, page));
  ASSERT_EQ(page.hosts.size(), 9u);
  ASSERT_FALSE(page.hosts[4].matchable);  // MacBook-Uninstalled
  // Five agents with nothing but an id, on the last page.
  std::string bare = R"({"pagination": {"nextCursor": null, "totalItems": 5},
                         "data": [{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": "4"}, {"id": "5"}]})";
  ASSERT_TRUE(parser.parse(bare, page));
  EXPECT_EQ(page.nextCursor, std::nullopt);
  ASSERT_EQ(page.hosts.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& h = page.hosts[i];
    EXPECT_EQ(h.providerId, std::to_string(i + 1));
    EXPECT_EQ(h.name, "") << i;
    EXPECT_THAT(h.serialNumbers, IsEmpty()) << i;
    EXPECT_THAT(h.macAddresses, IsEmpty()) << i;
    EXPECT_EQ(h.lastActive, std::nullopt) << i;
    EXPECT_TRUE(h.matchable) << i;
    EXPECT_THAT(h.attributes, IsEmpty()) << i;
  }
}

TEST_F(SentinelOneAgentsPage, KeepsTheCursorAndTheOrderOfAgents) {
  EXPECT_EQ(page_.nextCursor, "YWdlbnRfaWQ6NTgwMjkzODE=");
  std::vector<std::string> names;
  for (const auto& h : page_.hosts) names.push_back(h.name);
  EXPECT_THAT(names,
              ElementsAre("WIN-GCP-2022", "ubuntu-arm-qemu", "EC2AMAZ-AJ1RBNH", "linux-infected", "MacBook-Uninstalled",
                          "odd-types", "esc\xc3\xa4ped \"name\"", "bare-minimum", "negative-threats"));
}

TEST_F(SentinelOneAgentsPage, ReadsAModernAgentCompletely) {
  const auto& h = host(0);
  EXPECT_EQ(h.providerId, "2100373624418153911");                         // 19 digits, kept verbatim
  EXPECT_THAT(h.serialNumbers, ElementsAre("GoogleCloud-3F1E2D4C5B6A"));  // trimmed, case kept
  EXPECT_THAT(h.macAddresses, ElementsAre("42:01:0a:80:00:07"));
  ASSERT_TRUE(h.lastActive);
  EXPECT_EQ(core::formatRfc3339(*h.lastActive), "2025-02-03T11:22:33.456Z");
  EXPECT_TRUE(h.matchable);
  EXPECT_THAT(h.attributes,
              ElementsAre(Reported("sentinelOne:isActive", kTrue),
                          Reported("sentinelOne:agentVersion", core::AttributeValue(std::string("22.3.4.612"))),
                          Reported("sentinelOne:activeThreats", core::AttributeValue(0.0)),
                          Reported("sentinelOne:infected", kFalse), Reported("sentinelOne:firewallEnabled", kTrue),
                          Reported("sentinelOne:encryptedApplications", kTrue),
                          Reported("sentinelOne:operationalState", core::AttributeValue(std::string("na")))));
}

TEST_F(SentinelOneAgentsPage, NullSerialAndMacAddressVariants) {
  const auto& h = host(1);
  EXPECT_THAT(h.serialNumbers, IsEmpty());
  // Upper case and dashes normalised, the duplicate kept once; all-zero,
  // empty, invalid, null and non-object interfaces skipped.
  EXPECT_THAT(h.macAddresses, ElementsAre("52:54:00:bc:62:53", "00:00:5e:00:53:00"));
  EXPECT_TRUE(h.matchable);
  EXPECT_EQ(attribute(h, "sentinelOne:agentVersion"), core::AttributeValue(std::string("23.3.2.12")));
}

TEST_F(SentinelOneAgentsPage, StringBooleansAndDecommissionedAgents) {
  const auto& h = host(2);
  EXPECT_EQ(h.providerId, "657613730168123595");
  EXPECT_THAT(h.serialNumbers, IsEmpty());                        // older consoles send no serialNumber key at all
  EXPECT_FALSE(h.matchable);                                      // "isDecommissioned": "True"
  EXPECT_EQ(attribute(h, "sentinelOne:firewallEnabled"), kTrue);  // "True"
  EXPECT_EQ(attribute(h, "sentinelOne:isActive"), kFalse);        // "False"
  EXPECT_THAT(h.macAddresses, ElementsAre("06:35:e6:62:53:2e"));
}

TEST_F(SentinelOneAgentsPage, InfectedAgentWithoutSerial) {
  const auto& h = host(3);
  EXPECT_EQ(attribute(h, "sentinelOne:infected"), kTrue);
  EXPECT_EQ(attribute(h, "sentinelOne:activeThreats"), core::AttributeValue(7.0));
  EXPECT_EQ(attribute(h, "sentinelOne:operationalState"), core::AttributeValue(std::string("partially_disabled")));
  EXPECT_THAT(h.serialNumbers, IsEmpty());
  EXPECT_THAT(h.macAddresses, IsEmpty());
  EXPECT_TRUE(h.matchable);
}

TEST_F(SentinelOneAgentsPage, UninstalledAgentsMatchNothingAndStringBooleansIgnoreCase) {
  const auto& h = host(4);
  EXPECT_FALSE(h.matchable);
  EXPECT_THAT(h.serialNumbers, ElementsAre("C02XK1ZZJGH5"));
  EXPECT_EQ(attribute(h, "sentinelOne:encryptedApplications"), kTrue);  // "true"
  EXPECT_EQ(attribute(h, "sentinelOne:firewallEnabled"), kFalse);       // "false"
  EXPECT_EQ(attribute(h, "sentinelOne:infected"), kFalse);              // "FALSE"
  EXPECT_THAT(h.macAddresses, IsEmpty());                               // networkInterfaces: null
  ASSERT_TRUE(h.lastActive);
  EXPECT_EQ(core::formatRfc3339(*h.lastActive), "2024-05-01T00:00:00.000Z");
}

TEST_F(SentinelOneAgentsPage, WrongTypedAndNullFieldsAreNotReported) {
  const auto& h = host(5);
  EXPECT_EQ(h.providerId, "1888888888888888888");
  // isActive: 7, infected: 1, firewallEnabled: "yes", operationalState: 42 and
  // the nulls are left out; the numeric string "3" is a count.
  EXPECT_THAT(h.attributes, ElementsAre(Reported("sentinelOne:activeThreats", core::AttributeValue(3.0))));
  EXPECT_TRUE(h.matchable);                 // isDecommissioned: null, isUninstalled: "maybe"
  EXPECT_THAT(h.serialNumbers, IsEmpty());  // blank
  EXPECT_THAT(h.macAddresses, IsEmpty());   // networkInterfaces is an object, not an array
  EXPECT_FALSE(h.lastActive);               // "yesterday"
}

TEST_F(SentinelOneAgentsPage, NumericIdsEscapesAndFractionalCounts) {
  const auto& h = host(6);
  EXPECT_EQ(h.providerId, "1777777777777777777");  // the literal, not a rounded double
  EXPECT_EQ(h.name, "esc\xc3\xa4ped \"name\"");
  EXPECT_THAT(h.serialNumbers, ElementsAre("PF3ABCDE"));
  EXPECT_EQ(attribute(h, "sentinelOne:activeThreats"), core::AttributeValue(2.0));
  EXPECT_EQ(h.attributes.size(), 4u);
}

TEST_F(SentinelOneAgentsPage, AlmostEmptyAgents) {
  const auto& bare = host(7);
  EXPECT_EQ(bare.providerId, "");
  EXPECT_THAT(bare.attributes, IsEmpty());
  EXPECT_TRUE(bare.matchable);
  EXPECT_FALSE(bare.lastActive);

  const auto& negative = host(8);
  EXPECT_FALSE(attribute(negative, "sentinelOne:activeThreats"));  // -1 is not a count
  EXPECT_EQ(attribute(negative, "sentinelOne:agentVersion"), core::AttributeValue(std::string()));
  ASSERT_TRUE(negative.lastActive);
  EXPECT_EQ(core::formatRfc3339(*negative.lastActive), "2024-05-01T10:34:56.100Z");
}

TEST(SentinelOneAgentsPageShapes, LastPageAndKeysInAnyOrder) {
  auto empty = parseFixture("page_empty_last.json");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_FALSE(empty->nextCursor);
  EXPECT_THAT(empty->hosts, IsEmpty());

  auto first = parseFixture("page_pagination_first.json");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->nextCursor);
  ASSERT_EQ(first->hosts.size(), 1u);
  EXPECT_EQ(first->hosts[0].name, "pagination-first");
}

TEST(SentinelOneAgentsPageShapes, ParserIsReusableAcrossPages) {
  AgentsPageParser parser;
  for (const auto* name :
       {"page_recorded_shapes.json", "malformed_truncated.json", "page_empty_last.json", "page_recorded_shapes.json"}) {
    auto body = fixture(name);
    const auto parsed = parser.parse(body);
    EXPECT_EQ(static_cast<bool>(parsed), std::string(name).starts_with("page_")) << name;
  }
}

struct MalformedCase {
  const char* fixture;
  const char* what;
};

class SentinelOneMalformedPage : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(SentinelOneMalformedPage, SaysWhatIsWrong) {
  const auto parsed = parseFixture(GetParam().fixture);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::kInvalidArgument);
  EXPECT_THAT(parsed.error().message, HasSubstr(GetParam().what));
  EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    SentinelOneFixtures, SentinelOneMalformedPage,
    ::testing::Values(MalformedCase{"malformed_truncated.json", "invalid JSON"},
                      MalformedCase{"malformed_html.json", "invalid JSON"},
                      MalformedCase{"malformed_data_object.json", "\"data\" is an object, not an array"},
                      MalformedCase{"malformed_data_null.json", "\"data\" is null, not an array"},
                      MalformedCase{"malformed_no_pagination.json", "\"pagination\" is missing"},
                      MalformedCase{"malformed_no_data.json", "\"data\" is missing"},
                      MalformedCase{"malformed_pagination_null.json", "\"pagination\" is null, not an object"},
                      MalformedCase{"malformed_no_next_cursor.json", "\"pagination.nextCursor\" is missing"},
                      MalformedCase{"malformed_cursor_number.json", "\"pagination.nextCursor\" is a number"},
                      MalformedCase{"malformed_data_element.json", "data[1] is a string, not an agent object"},
                      MalformedCase{"malformed_root_array.json", "it is an array, not an object"},
                      MalformedCase{"malformed_trailing.json", "unexpected text after the top-level object"}),
    [](const auto& info) {
      std::string name = info.param.fixture;
      name = name.substr(0, name.find('.'));
      for (auto& c : name)
        if (c == '_') c = 'X';
      return name;
    });

TEST(SentinelOneAgentsPageShapes, EmptyAndBlankBodies) {
  AgentsPageParser parser;
  for (std::string body : {std::string(), std::string("  \n")}) {
    const auto parsed = parser.parse(body);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message, "the body is empty");
  }
  std::string emptyCursor = R"({"pagination":{"nextCursor":""},"data":[]})";
  const auto parsed = parser.parse(emptyCursor);
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message, HasSubstr("empty string"));
}

}  // namespace
}  // namespace postured::integrations::sentinelone
