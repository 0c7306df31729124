// Matching provider hosts to devices by serial (DESIGN §6).
#include "integrations/serial_matching.h"

#include <gtest/gtest.h>

#include "integrations/attribute_diff.h"

namespace postured::integrations {
namespace {

std::shared_ptr<const store::DeviceState> device(const std::string& id, std::vector<std::string> serials,
                                                 std::vector<core::DeviceAttribute> attributes = {}) {
  core::Device d;
  d.id = id;
  d.hostname = id;
  d.postureIdentityDisabled = serials.empty();
  d.serialNumbers = std::move(serials);
  return std::make_shared<store::DeviceState>(std::move(d), std::move(attributes));
}

// An attribute as a host reports it.
core::DeviceAttribute reported(const std::string& key, core::AttributeValue value) {
  return core::DeviceAttribute{key, std::move(value), std::nullopt, {}};
}

ProviderHost host(const std::string& id, std::vector<std::string> serials, std::int64_t lastActiveMs = 0,
                  bool matchable = true) {
  ProviderHost h;
  h.providerId = id;
  h.serialNumbers = std::move(serials);
  if (lastActiveMs) h.lastActive = core::fromUnixMillis(lastActiveMs);
  h.matchable = matchable;
  h.attributes = {reported("sentinelOne:agentVersion", core::AttributeValue(std::string("v-" + id))),
                  reported("sentinelOne:infected", core::AttributeValue(false))};
  return h;
}

// Which host a match came from: test hosts report "v-<id>" as their agent version.
std::string agentOf(const MatchedHost* match) {
  if (!match) return "(no match)";
  for (const auto& a : match->attributes)
    if (a.key == "sentinelOne:agentVersion") return std::string(a.value.asString().substr(2));
  return "(no agent version)";
}

TEST(NormaliseSerial, TrimsUppercasesAndDropsPlaceholders) {
  EXPECT_EQ(normaliseSerial("  c02xl0ghjgh5\t"), "C02XL0GHJGH5");
  for (const char* placeholder : {"To be filled by O.E.M.", "Default string", "System Serial Number", "Not Specified",
                                  "None", "N/A", "0", "0123456789", "000000000", "FFFFFFFF", "ffff", "  "})
    EXPECT_EQ(normaliseSerial(placeholder), "") << placeholder;
  EXPECT_EQ(normaliseSerial("F0F0"), "F0F0");
}

TEST(SerialMatcher, MatchesCaseInsensitivelyAndCounts) {
  SerialMatcher m({device("d1", {"SN-1"}), device("d2", {"sn-2", "SN-2"}), device("d3", {}),
                   device("d4", {"To be filled by O.E.M."})},
                  "sentinelOne");
  EXPECT_EQ(m.possibleMatchedCount(), 2u);
  m.offer(host("a1", {" sn-1 "}));
  m.offer(host("a2", {"SN-2"}));
  m.offer(host("a9", {"SN-9"}));
  m.offer(host("a0", {}));
  EXPECT_EQ(m.providerHostCount(), 4u);
  ASSERT_EQ(m.matchedCount(), 2u);
  ASSERT_NE(m.matchOf("d1"), nullptr);
  ASSERT_NE(m.matchOf("d2"), nullptr);
  EXPECT_EQ(agentOf(m.matchOf("d1")), "a1");
  EXPECT_EQ(agentOf(m.matchOf("d2")), "a2");
  EXPECT_EQ(m.matchOf("d3"), nullptr);
  EXPECT_EQ(m.duplicateSerials(), 0u) << "a serial listed twice by one device is not a duplicate";
}

TEST(SerialMatcher, NewestAgentWinsOnReinstalls) {
  SerialMatcher m({device("d1", {"SN-1"})}, "sentinelOne");
  m.offer(host("old", {"SN-1"}, 1000));
  m.offer(host("new", {"SN-1"}, 3000));
  m.offer(host("older", {"SN-1"}, 2000));
  m.offer(host("unknown", {"SN-1"}));  // no last-active time loses
  ASSERT_NE(m.matchOf("d1"), nullptr);
  EXPECT_EQ(agentOf(m.matchOf("d1")), "new");
  EXPECT_EQ(m.matchOf("d1")->attributes[0].value.asString(), "v-new");
}

TEST(SerialMatcher, SharedSerialsMatchNoneAndDecommissionedAgentsNothing) {
  SerialMatcher m({device("d1", {"SN-X"}), device("d2", {"sn-x"}), device("d3", {"SN-3"})}, "sentinelOne");
  EXPECT_EQ(m.duplicateSerials(), 1u);
  m.offer(host("a1", {"SN-X"}));
  m.offer(host("a3", {"SN-3"}, 5, /*matchable=*/false));
  EXPECT_EQ(m.matchedCount(), 0u);
  EXPECT_EQ(m.providerHostCount(), 1u) << "decommissioned agents are not counted as provider hosts";
}

TEST(SerialMatcher, DevicesWithIdentityDisabledTakeNoPart) {
  core::Device d;
  d.id = "d1";
  d.serialNumbers = {"SN-1"};
  d.postureIdentityDisabled = true;
  SerialMatcher m({std::make_shared<store::DeviceState>(std::move(d))}, "sentinelOne");
  m.offer(host("a1", {"SN-1"}));
  EXPECT_EQ(m.matchedCount(), 0u);
  EXPECT_EQ(m.possibleMatchedCount(), 0u);
}

TEST(SerialMatcher, AHostWithTwoSerialsMatchesBothDevices) {
  SerialMatcher m({device("d1", {"SN-1"}), device("d2", {"SN-2"})}, "sentinelOne");
  m.offer(host("a1", {"SN-1", "sn-2", "SN-1"}));
  ASSERT_EQ(m.matchedCount(), 2u);
  EXPECT_EQ(agentOf(m.matchOf("d1")), "a1");
  EXPECT_EQ(agentOf(m.matchOf("d2")), "a1");
  EXPECT_EQ(m.matchOf("d1")->attributes.size(), 2u) << "each device gets the host's values";
  EXPECT_EQ(m.matchOf("d2")->attributes.size(), 2u);
}

TEST(SerialMatcher, RebaseKeepsOnlyWhatTheDevicesNowStillMatch) {
  SerialMatcher m({device("kept", {"SN-1"}), device("reserialed", {"SN-2"}), device("removed", {"SN-3"}),
                   device("shared", {"SN-4"})},
                  "sentinelOne");
  for (const char* serial : {"SN-1", "SN-2", "SN-3", "SN-4"}) m.offer(host(std::string("a-") + serial, {serial}));
  ASSERT_EQ(m.matchedCount(), 4u);
  // While the hosts were fetched: one device got a new serial, one was removed,
  // a new device arrived holding SN-4 too, and another takes over SN-2.
  m.rebase({device("new", {"SN-4"}), device("reserialed", {"SN-9"}), device("kept", {"SN-1"}),
            device("shared", {"SN-4"}), device("thief", {"SN-2"})});
  EXPECT_EQ(m.matchedCount(), 1u);
  ASSERT_NE(m.matchOf("kept"), nullptr);
  EXPECT_EQ(agentOf(m.matchOf("kept")), "a-SN-1");
  EXPECT_EQ(m.matchOf("thief"), nullptr) << "a match belongs to the device it was made for";
  EXPECT_EQ(m.matchOf("shared"), nullptr);
  EXPECT_EQ(m.duplicateSerials(), 1u);
  EXPECT_EQ(m.devices().size(), 5u);
}

TEST(SerialIndex, GrowsPastItsFirstSizeAndCountsSharedSerialsOnce) {
  SerialIndex index;  // sized for nothing: every add past 8 grows it
  for (std::uint32_t i = 0; i < 5000; ++i) index.add("SN-" + std::to_string(i), i);
  index.add("SN-7", 7);     // the same device again: still its own
  index.add("SN-9", 1234);  // another device: shared
  index.add("SN-9", 4321);
  for (std::uint32_t i = 0; i < 5000; ++i) {
    const auto hit = index.find("SN-" + std::to_string(i));
    if (i == 9) {
      EXPECT_EQ(hit.device, SerialIndex::kNoDevice) << "a shared serial finds nothing";
    } else {
      ASSERT_EQ(hit.device, i);
      EXPECT_EQ(hit.serial, "SN-" + std::to_string(i));
    }
  }
  EXPECT_EQ(index.find("SN-5000").device, SerialIndex::kNoDevice);
  EXPECT_EQ(index.sharedCount(), 1u);
}

core::DeviceAttribute heldValue(const std::string& key, core::AttributeValue v) {
  return core::DeviceAttribute{key, std::move(v), std::nullopt, core::fromUnixMillis(1)};
}

TEST(SerialMatcher, AMatchTheDeviceAlreadyHoldsKeepsNoValuesAndDiffsToNothing) {
  // host() reports agentVersion "v-<id>" and infected false.
  const std::vector<core::DeviceAttribute> same = {
      heldValue("sentinelOne:agentVersion", core::AttributeValue(std::string("v-a1"))),
      heldValue("sentinelOne:infected", core::AttributeValue(false)),
      heldValue("custom:tier", core::AttributeValue(std::string("gold")))};
  auto extra = same;
  extra.push_back(heldValue("sentinelOne:isActive", core::AttributeValue(true)));
  SerialMatcher m({device("same", {"SN-1"}, same), device("extra", {"SN-2"}, extra)}, "sentinelOne");
  auto a1 = host("a1", {"SN-1"});
  auto a2 = host("a1", {"SN-2"});
  m.offer(std::move(a1));
  m.offer(std::move(a2));
  ASSERT_NE(m.matchOf("same"), nullptr);
  EXPECT_TRUE(m.matchOf("same")->unchanged);
  EXPECT_TRUE(m.matchOf("same")->attributes.empty()) << "values the device holds are not kept twice";
  EXPECT_FALSE(m.matchOf("extra")->unchanged) << "isActive would be removed";
  const auto diffs = diffProviderAttributes(m.devices(), "sentinelOne", m.matches(), core::fromUnixMillis(5));
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].device().id, "extra");

  // Re-matched against changed devices, an unchanged match spells its values out again.
  m.rebase({device("same", {"SN-1"}), device("extra", {"SN-2"}, extra)});
  ASSERT_NE(m.matchOf("same"), nullptr);
  EXPECT_FALSE(m.matchOf("same")->unchanged);
  EXPECT_EQ(m.matchOf("same")->attributes.size(), 2u);
  const auto after = diffProviderAttributes(m.devices(), "sentinelOne", m.matches(), core::fromUnixMillis(5));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].device().id, "same");
  EXPECT_EQ(after[1].puts().size(), 2u) << "the device lost its values meanwhile: they are written again";
}

core::DeviceAttribute held(const std::string& key, core::AttributeValue v) {
  return core::DeviceAttribute{key, std::move(v), std::nullopt, core::fromUnixMillis(1)};
}

TEST(AttributeDiff, WritesOnlyWhatChangedAndRemovesUnmatched) {
  const auto now = core::fromUnixMillis(100);
  std::vector<std::shared_ptr<const store::DeviceState>> devices = {
      device("same", {"S1"},
             {held("sentinelOne:agentVersion", core::AttributeValue(std::string("v-a"))),
              held("sentinelOne:infected", core::AttributeValue(false)),
              held("custom:tier", core::AttributeValue(std::string("gold")))}),
      device("changed", {"S2"}, {held("sentinelOne:infected", core::AttributeValue(true))}),
      device(
          "gone", {"S3"},
          {held("sentinelOne:infected", core::AttributeValue(false)), held("custom:keep", core::AttributeValue(1.0))}),
      device("never", {"S4"}),
  };
  std::vector<std::optional<MatchedHost>> desired(devices.size());  // by index in `devices`
  desired[0].emplace().attributes = {reported("sentinelOne:agentVersion", core::AttributeValue(std::string("v-a"))),
                                     reported("sentinelOne:infected", core::AttributeValue(false))};
  desired[1].emplace().attributes = {reported("sentinelOne:infected", core::AttributeValue(false)),
                                     reported("sentinelOne:agentVersion", core::AttributeValue(std::string("v-b")))};
  const auto diffs = diffProviderAttributes(devices, "sentinelOne", desired, now);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].device().id, "changed");  // ordered by device id
  EXPECT_EQ(diffs[0].puts().size(), 2u);
  EXPECT_TRUE(diffs[0].removals.empty());
  EXPECT_EQ(diffs[1].device().id, "gone");
  EXPECT_EQ(diffs[1].removals, std::vector<core::AttributeKey>{"sentinelOne:infected"})
      << "custom: keys are not touched";
  ASSERT_NE(diffs[1].held("sentinelOne:infected"), nullptr);
  EXPECT_FALSE(diffs[1].held("sentinelOne:infected")->asBool()) << "the old value is kept for the audit";
}

TEST(AttributeDiff, NamespaceBoundaries) {
  EXPECT_TRUE(inNamespace("sentinelOne:infected", "sentinelOne"));
  EXPECT_FALSE(inNamespace("sentinelOneX:infected", "sentinelOne"));
  EXPECT_FALSE(inNamespace("sentinelOne", "sentinelOne"));
  EXPECT_FALSE(inNamespace("custom:sentinelOne", "sentinelOne"));
}

}  // namespace
}  // namespace postured::integrations
