// The Store conformance tests; backends instantiate them (store_conformance.h).
#include "store/store_conformance.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace postured::store::conformance {
namespace {

using core::ErrorKind;
using core::fromUnixMillis;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr std::int64_t kT0 = 1'790'000'000'000;  // 2026-09-22, in ms

core::Timestamp at(std::int64_t offsetMs) { return fromUnixMillis(kT0 + offsetMs); }

core::Device makeDevice(const std::string& id, int n) {
  core::Device d;
  d.id = id;
  d.hostname = "host-" + id;
  d.user = "alice@example.com";
  d.ipv4 = "100.64.0." + std::to_string(n);
  d.ipv6 = "fd7a:115c:a1e0::" + std::to_string(n);
  d.os = "linux";
  d.osVersion = "6.1";
  d.clientVersion = "1.2.3";
  d.created = at(n);
  d.serialNumbers = {"SN-" + id};
  d.macAddresses = {"00:11:22:33:44:" + std::to_string(10 + n)};
  return d;
}

void expectSameDevice(const core::Device& actual, const core::Device& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.hostname, expected.hostname);
  EXPECT_EQ(actual.user, expected.user);
  EXPECT_EQ(actual.tags, expected.tags);
  EXPECT_EQ(actual.ipv4, expected.ipv4);
  EXPECT_EQ(actual.ipv6, expected.ipv6);
  EXPECT_EQ(actual.os, expected.os);
  EXPECT_EQ(actual.osVersion, expected.osVersion);
  EXPECT_EQ(actual.clientVersion, expected.clientVersion);
  EXPECT_EQ(actual.created, expected.created);
  EXPECT_EQ(actual.lastSeen, expected.lastSeen);
  EXPECT_EQ(actual.serialNumbers, expected.serialNumbers);
  EXPECT_EQ(actual.macAddresses, expected.macAddresses);
  EXPECT_EQ(actual.postureIdentityDisabled, expected.postureIdentityDisabled);
  EXPECT_EQ(actual.nodeKey, expected.nodeKey);
  EXPECT_EQ(actual.ephemeral, expected.ephemeral);
  EXPECT_EQ(actual.headscaleNodeId, expected.headscaleNodeId);
  EXPECT_EQ(actual.online, expected.online);
}

core::DeviceAttribute attr(std::string key, core::AttributeValue value, std::optional<core::Timestamp> expiry = {},
                           core::Timestamp updated = at(0)) {
  return core::DeviceAttribute{std::move(key), std::move(value), expiry, updated};
}

core::AttributeValue str(const char* s) { return core::AttributeValue(std::string(s)); }

std::vector<std::string> keysOf(const std::vector<core::DeviceAttribute>& attributes) {
  std::vector<std::string> keys;
  for (const auto& a : attributes) keys.push_back(a.key);
  return keys;
}

std::vector<std::string> idsOf(const std::vector<core::Device>& devices) {
  std::vector<std::string> ids;
  for (const auto& d : devices) ids.push_back(d.id);
  return ids;
}

core::AuditEvent makeEvent(const std::string& label, std::int64_t time, const std::string& actorId,
                           const std::string& actorLogin, const std::string& targetId, const std::string& targetName,
                           const std::string& property, const std::string& action) {
  core::AuditEvent e;
  e.eventTime = at(time);
  e.eventGroupId = "group-" + label;
  e.origin = "CONFIG_API";
  e.actor = {actorId, "API_KEY", actorLogin, "Display " + actorId};
  e.target = {targetId, targetName, "NODE", property};
  e.action = action;
  e.oldJson = R"({"old":")" + label + R"("})";
  e.newJson = R"({"new":")" + label + R"("})";
  e.actionDetails = label;  // identifies the event in assertions
  return e;
}

std::vector<std::string> labelsOf(const std::vector<core::AuditEvent>& events) {
  std::vector<std::string> labels;
  for (const auto& e : events) labels.push_back(e.actionDetails);
  return labels;
}

core::ApiKey makeKey(const std::string& id, std::int64_t created) {
  core::ApiKey k;
  k.id = id;
  k.secretHash = std::string(64, 'a');
  k.description = "key " + id;
  k.scopes = {"devices:core", "devices:posture_attributes:read"};
  k.created = at(created);
  k.expires = at(created + 90LL * 24 * 3600 * 1000);
  return k;
}

core::Integration makeIntegration(const std::string& id, const std::string& provider, std::int64_t created) {
  core::Integration i;
  i.id = id;
  i.provider = provider;
  i.cloudId = "https://" + provider + ".example.net";
  i.clientId = "client-" + id;
  i.tenantId = "tenant-" + id;
  i.sealedSecret = "v1:" + id + ":q83v+/==";  // opaque to the store
  i.created = at(created);
  i.configUpdated = at(created);
  return i;
}

core::IntegrationStatus fullStatus() {
  core::IntegrationStatus s;
  s.lastSync = at(1000);
  s.lastSuccess = at(900);
  s.nextSync = at(1000 + 30 * 60 * 1000);
  s.pausedUntil = at(5000);
  s.error = "authentication failed: 401 \"bad token\"";
  s.providerHostCount = 1234;
  s.matchedCount = 1200;
  s.possibleMatchedCount = 17;
  s.duplicateSerials = 3;
  s.durationMs = 4567;
  return s;
}

void expectSameStatus(const std::optional<core::IntegrationStatus>& actual,
                      const std::optional<core::IntegrationStatus>& expected) {
  ASSERT_EQ(actual.has_value(), expected.has_value());
  if (!expected) return;
  EXPECT_EQ(actual->lastSync, expected->lastSync);
  EXPECT_EQ(actual->lastSuccess, expected->lastSuccess);
  EXPECT_EQ(actual->nextSync, expected->nextSync);
  EXPECT_EQ(actual->pausedUntil, expected->pausedUntil);
  EXPECT_EQ(actual->error, expected->error);
  EXPECT_EQ(actual->providerHostCount, expected->providerHostCount);
  EXPECT_EQ(actual->matchedCount, expected->matchedCount);
  EXPECT_EQ(actual->possibleMatchedCount, expected->possibleMatchedCount);
  EXPECT_EQ(actual->duplicateSerials, expected->duplicateSerials);
  EXPECT_EQ(actual->durationMs, expected->durationMs);
}

void expectSameIntegration(const core::Integration& actual, const core::Integration& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.provider, expected.provider);
  EXPECT_EQ(actual.cloudId, expected.cloudId);
  EXPECT_EQ(actual.clientId, expected.clientId);
  EXPECT_EQ(actual.tenantId, expected.tenantId);
  EXPECT_EQ(actual.sealedSecret, expected.sealedSecret);
  EXPECT_EQ(actual.created, expected.created);
  EXPECT_EQ(actual.configUpdated, expected.configUpdated);
  expectSameStatus(actual.status, expected.status);
}

std::vector<std::string> idsOf(const std::vector<core::Integration>& integrations) {
  std::vector<std::string> ids;
  for (const auto& i : integrations) ids.push_back(i.id);
  return ids;
}

core::IntegrationRun makeRun(const std::string& id, const std::string& integrationId, std::int64_t startedAt) {
  core::IntegrationRun r;
  r.id = id;
  r.integrationId = integrationId;
  r.trigger = "schedule";
  r.startedAt = at(startedAt);
  return r;
}

void expectSameRun(const core::IntegrationRun& actual, const core::IntegrationRun& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.integrationId, expected.integrationId);
  EXPECT_EQ(actual.trigger, expected.trigger);
  EXPECT_EQ(actual.startedAt, expected.startedAt);
  EXPECT_EQ(actual.finishedAt, expected.finishedAt);
  EXPECT_EQ(actual.outcome, expected.outcome);
  EXPECT_EQ(actual.error, expected.error);
  EXPECT_EQ(actual.providerHostCount, expected.providerHostCount);
  EXPECT_EQ(actual.matchedCount, expected.matchedCount);
  EXPECT_EQ(actual.attributesChanged, expected.attributesChanged);
  EXPECT_EQ(actual.durationMs, expected.durationMs);
}

std::vector<std::string> idsOf(const std::vector<core::IntegrationRun>& runs) {
  std::vector<std::string> ids;
  for (const auto& r : runs) ids.push_back(r.id);
  return ids;
}

// ---- devices ----

TEST_P(StoreConformance, InsertedDeviceReadsBackWithEveryField) {
  auto d = makeDevice("n1", 1);
  d.user.clear();
  d.tags = {"tag:server", "tag:prod"};
  d.lastSeen = at(500);
  d.serialNumbers = {"C02XL0GSJGH5", "with\\backslash", "with\nnewline", ""};
  d.macAddresses = {};
  d.postureIdentityDisabled = false;
  d.nodeKey = "nodekey:00ff";
  d.ephemeral = true;
  d.headscaleNodeId = "17";
  d.online = false;
  auto other = makeDevice("n2", 2);
  other.ipv4.clear();  // a device may lack an address
  other.tags.clear();
  other.online = true;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(d));
    STORE_ASSERT_OK(tx->insertDevice(other));
    STORE_ASSERT_OK(tx->commit());
  }
  auto tx = beginRead();
  ASSERT_TRUE(tx);
  STORE_ASSIGN_OR_FAIL(got, tx->device("n1"));
  ASSERT_TRUE(got.has_value());
  expectSameDevice(*got, d);
  STORE_ASSIGN_OR_FAIL(got2, tx->device("n2"));
  ASSERT_TRUE(got2.has_value());
  expectSameDevice(*got2, other);
  STORE_ASSIGN_OR_FAIL(missing, tx->device("nope"));
  EXPECT_FALSE(missing.has_value());
}

TEST_P(StoreConformance, DevicesAreListedInCreationOrder) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("c", 1)));
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("a", 2)));
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("b", 3)));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->deleteDevice("b"));
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("aa", 4)));
    STORE_ASSERT_OK(tx->commit());
  }
  auto tx = beginRead();
  ASSERT_TRUE(tx);
  STORE_ASSIGN_OR_FAIL(devices, tx->devices());
  EXPECT_THAT(idsOf(devices), ElementsAre("c", "a", "aa"));
}

TEST_P(StoreConformance, UpdateReplacesEverythingButIdAndCreated) {
  const auto original = makeDevice("n1", 1);
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(original));
  auto changed = makeDevice("n1", 7);
  changed.hostname = "renamed";
  changed.user.clear();
  changed.tags = {"tag:ci"};
  changed.os = "macOS";
  changed.osVersion = "14.4";
  changed.clientVersion = "1.60.0";
  changed.lastSeen = at(9000);
  changed.serialNumbers = {"NEW-SERIAL"};
  changed.macAddresses = {"aa:bb:cc:dd:ee:ff"};
  changed.postureIdentityDisabled = false;
  changed.created = at(123456);  // ignored
  STORE_ASSERT_OK(tx->updateDevice(changed));
  STORE_ASSERT_OK(tx->commit());

  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(got, read->device("n1"));
  ASSERT_TRUE(got.has_value());
  auto expected = changed;
  expected.created = original.created;
  expectSameDevice(*got, expected);
}

TEST_P(StoreConformance, UpdateOrDeleteOfMissingDeviceIsNotFound) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  auto update = tx->updateDevice(makeDevice("ghost", 1));
  ASSERT_FALSE(update.has_value());
  EXPECT_EQ(update.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(update.error().message, HasSubstr("ghost"));
  auto removal = tx->deleteDevice("ghost");
  ASSERT_FALSE(removal.has_value());
  EXPECT_EQ(removal.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformance, DeletingADeviceRemovesItsAttributes) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n2", 2)));
    STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:only", str("x"), at(10))));
    STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:shared", str("y"))));
    STORE_ASSERT_OK(tx->putAttribute("n2", attr("custom:shared", str("z"))));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->deleteDevice("n1"));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginRead();
    ASSERT_TRUE(tx);
    STORE_ASSIGN_OR_FAIL(device, tx->device("n1"));
    EXPECT_FALSE(device.has_value());
    STORE_ASSIGN_OR_FAIL(attributes, tx->attributes("n1"));
    EXPECT_TRUE(attributes.empty());
    STORE_ASSIGN_OR_FAIL(all, tx->allAttributes());
    EXPECT_TRUE(all["n1"].empty());
    EXPECT_THAT(keysOf(all["n2"]), ElementsAre("custom:shared"));
    STORE_ASSIGN_OR_FAIL(key, tx->attributeKey("custom:only"));
    EXPECT_FALSE(key.has_value()) << "a key no device holds is free again";
    STORE_ASSIGN_OR_FAIL(expired, tx->expiredAttributes(at(1'000'000)));
    EXPECT_TRUE(expired.empty());
  }
  // A new device with the same id starts without the old attributes.
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSIGN_OR_FAIL(attributes, tx->attributes("n1"));
  EXPECT_TRUE(attributes.empty());
}

TEST_P(StoreConformance, DuplicateIdIsAConflictNamingTheId) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  auto again = tx->insertDevice(makeDevice("n1", 2));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_THAT(again.error().message, HasSubstr("n1"));
}

TEST_P(StoreConformance, DuplicateAddressesAreConflictsNamingTheAddress) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));

  auto sameV4 = makeDevice("n2", 2);
  sameV4.ipv4 = "100.64.0.1";
  auto v4 = tx->insertDevice(sameV4);
  ASSERT_FALSE(v4.has_value());
  EXPECT_EQ(v4.error().kind, ErrorKind::kConflict);
  EXPECT_THAT(v4.error().message, HasSubstr("100.64.0.1"));

  auto sameV6 = makeDevice("n3", 3);
  sameV6.ipv6 = "fd7a:115c:a1e0::1";
  auto v6 = tx->insertDevice(sameV6);
  ASSERT_FALSE(v6.has_value());
  EXPECT_EQ(v6.error().kind, ErrorKind::kConflict);
  EXPECT_THAT(v6.error().message, HasSubstr("fd7a:115c:a1e0::1"));

  // Moving another device onto a used address clashes too.
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n4", 4)));
  auto moved = makeDevice("n4", 4);
  moved.ipv4 = "100.64.0.1";
  auto update = tx->updateDevice(moved);
  ASSERT_FALSE(update.has_value());
  EXPECT_EQ(update.error().kind, ErrorKind::kConflict);
  EXPECT_THAT(update.error().message, HasSubstr("100.64.0.1"));
}

TEST_P(StoreConformance, DevicesWithoutAnAddressDoNotClash) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  for (int n = 1; n <= 3; ++n) {
    auto d = makeDevice("n" + std::to_string(n), n);
    d.ipv6.clear();
    STORE_ASSERT_OK(tx->insertDevice(d));
  }
  STORE_ASSIGN_OR_FAIL(used, tx->usedAddresses());
  EXPECT_EQ(used.ipv4, (std::unordered_set<std::string>{"100.64.0.1", "100.64.0.2", "100.64.0.3"}));
  EXPECT_TRUE(used.ipv6.empty());
}

// ---- transactions ----

TEST_P(StoreConformance, DestroyedWriteRollsBackEverything) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
    STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:a", str("x"))));
    STORE_ASSERT_OK(tx->putSetting("s", "v"));
    STORE_ASSERT_OK(tx->appendAudit(makeEvent("e", 0, "k", "", "n1", "host", "", "CREATE")));
    // no commit
  }
  auto tx = beginWrite();  // the writer was released
  ASSERT_TRUE(tx);
  STORE_ASSIGN_OR_FAIL(devices, tx->devices());
  EXPECT_TRUE(devices.empty());
  STORE_ASSIGN_OR_FAIL(all, tx->allAttributes());
  EXPECT_TRUE(all.empty());
  STORE_ASSIGN_OR_FAIL(setting, tx->setting("s"));
  EXPECT_FALSE(setting.has_value());
  STORE_ASSIGN_OR_FAIL(events, tx->auditEvents({}));
  EXPECT_TRUE(events.empty());
}

TEST_P(StoreConformance, CommittedChangesBecomeVisibleAtCommit) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSIGN_OR_FAIL(ownView, tx->device("n1"));
  EXPECT_TRUE(ownView.has_value()) << "a transaction sees its own writes";
  {
    auto before = beginRead();  // reads do not wait for the open writer
    ASSERT_TRUE(before);
    STORE_ASSIGN_OR_FAIL(devices, before->devices());
    EXPECT_TRUE(devices.empty()) << "uncommitted writes are invisible to readers";
  }
  STORE_ASSERT_OK(tx->commit());
  auto after = beginRead();
  ASSERT_TRUE(after);
  STORE_ASSIGN_OR_FAIL(devices, after->devices());
  EXPECT_THAT(idsOf(devices), ElementsAre("n1"));
}

TEST_P(StoreConformance, ReadIsASnapshotFromReadOnwards) {
  auto early = beginRead();  // taken before the commit, not yet used
  ASSERT_TRUE(early);
  auto used = beginRead();
  ASSERT_TRUE(used);
  STORE_ASSIGN_OR_FAIL(before, used->devices());
  EXPECT_TRUE(before.empty());
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
    STORE_ASSERT_OK(tx->putSetting("s", "v"));
    STORE_ASSERT_OK(tx->commit());
  }
  STORE_ASSIGN_OR_FAIL(stillBefore, used->devices());
  EXPECT_TRUE(stillBefore.empty());
  STORE_ASSIGN_OR_FAIL(earlyDevices, early->devices());
  EXPECT_TRUE(earlyDevices.empty());
  STORE_ASSIGN_OR_FAIL(earlySetting, early->setting("s"));
  EXPECT_FALSE(earlySetting.has_value());
  auto fresh = beginRead();
  ASSERT_TRUE(fresh);
  STORE_ASSIGN_OR_FAIL(after, fresh->devices());
  EXPECT_THAT(idsOf(after), ElementsAre("n1"));
}

TEST_P(StoreConformance, CallsAfterCommitFailAndChangeNothing) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSERT_OK(tx->commit());
  EXPECT_FALSE(tx->insertDevice(makeDevice("n2", 2)).has_value());
  EXPECT_FALSE(tx->putSetting("s", "v").has_value());
  EXPECT_FALSE(tx->devices().has_value());
  EXPECT_FALSE(tx->commit().has_value());

  auto next = beginWrite();  // not blocked by the finished transaction
  ASSERT_TRUE(next);
  STORE_ASSIGN_OR_FAIL(devices, next->devices());
  EXPECT_THAT(idsOf(devices), ElementsAre("n1"));
  STORE_ASSIGN_OR_FAIL(setting, next->setting("s"));
  EXPECT_FALSE(setting.has_value());
}

TEST_P(StoreConformance, WriteWaitsForThePreviousWriteToFinish) {
  auto first = beginWrite();
  ASSERT_TRUE(first);
  STORE_ASSERT_OK(first->putSetting("counter", "1"));

  std::atomic<bool> started{false};
  std::optional<std::string> seen;
  std::string error;
  std::thread second([&] {
    started = true;
    auto tx = store_->write();
    if (!tx) {
      error = tx.error().message;
      return;
    }
    auto value = (*tx)->setting("counter");
    if (value) seen = value->value_or("<unset>");
  });
  while (!started) std::this_thread::yield();
  // Give the second writer every chance to run early; it must wait regardless.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  STORE_ASSERT_OK(first->commit());
  second.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(seen, "1") << "the second writer started before the first committed";
}

TEST_P(StoreConformance, ConcurrentWritersLoseNoWrites) {
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 25;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->putSetting("counter", "0"));
    STORE_ASSERT_OK(tx->commit());
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        auto tx = store_->write();
        if (!tx) {
          ++failures;
          continue;
        }
        auto& w = **tx;
        // Read-modify-write: only serialised writers keep every increment.
        auto current = w.setting("counter");
        if (!current || !*current) {
          ++failures;
          continue;
        }
        const int next = std::stoi(**current) + 1;
        const int n = t * kWritesPerThread + i + 1;
        if (!w.putSetting("counter", std::to_string(next)) ||
            !w.insertDevice(makeDevice("t" + std::to_string(t) + "-" + std::to_string(i), n)) || !w.commit()) {
          ++failures;
        }
      }
    });
  }
  // Readers keep working while the writers run.
  for (int i = 0; i < 20; ++i) {
    auto tx = store_->read();
    ASSERT_TRUE(tx.has_value()) << tx.error().message;
    EXPECT_TRUE((*tx)->devices().has_value());
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  auto tx = beginRead();
  ASSERT_TRUE(tx);
  STORE_ASSIGN_OR_FAIL(counter, tx->setting("counter"));
  EXPECT_EQ(counter, std::to_string(kThreads * kWritesPerThread));
  STORE_ASSIGN_OR_FAIL(devices, tx->devices());
  EXPECT_EQ(devices.size(), static_cast<std::size_t>(kThreads * kWritesPerThread));
}

// ---- attributes ----

TEST_P(StoreConformance, AttributesArePutReplacedAndDeleted) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:zeta", str("last"))));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:alpha", core::AttributeValue(1.5), at(60'000), at(1))));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("node:os", str("linux"))));
  STORE_ASSERT_OK(tx->commit());

  {
    auto read = beginRead();
    ASSERT_TRUE(read);
    STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
    ASSERT_THAT(keysOf(attributes), ElementsAre("custom:alpha", "custom:zeta", "node:os"));
    EXPECT_EQ(attributes[0].value, core::AttributeValue(1.5));
    EXPECT_EQ(attributes[0].expiry, at(60'000));
    EXPECT_EQ(attributes[0].updated, at(1));
    EXPECT_EQ(attributes[1].value, str("last"));
    EXPECT_EQ(attributes[1].expiry, std::nullopt);
  }

  auto change = beginWrite();
  ASSERT_TRUE(change);
  // Replacing may change the type, the value and the expiry.
  STORE_ASSERT_OK(change->putAttribute("n1", attr("custom:alpha", core::AttributeValue(false), std::nullopt, at(2))));
  STORE_ASSERT_OK(change->putAttribute("n1", attr("custom:zeta", core::AttributeValue(-42.0), at(5), at(2))));
  STORE_ASSIGN_OR_FAIL(removed, change->deleteAttribute("n1", "node:os"));
  EXPECT_TRUE(removed);
  STORE_ASSIGN_OR_FAIL(removedAgain, change->deleteAttribute("n1", "node:os"));
  EXPECT_FALSE(removedAgain);
  STORE_ASSIGN_OR_FAIL(removedElsewhere, change->deleteAttribute("ghost", "custom:alpha"));
  EXPECT_FALSE(removedElsewhere);
  STORE_ASSERT_OK(change->commit());

  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
  ASSERT_THAT(keysOf(attributes), ElementsAre("custom:alpha", "custom:zeta"));
  EXPECT_EQ(attributes[0].value, core::AttributeValue(false));
  EXPECT_EQ(attributes[0].expiry, std::nullopt);
  EXPECT_EQ(attributes[0].updated, at(2));
  EXPECT_EQ(attributes[1].value, core::AttributeValue(-42.0));
  EXPECT_EQ(attributes[1].expiry, at(5));
}

TEST_P(StoreConformance, ProviderAttributesAreReplacedAsOneSetPerNamespace) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
    STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:tier", str("prod"))));
    STORE_ASSERT_OK(tx->replaceProviderAttributes(
        "n1", "sentinelOne",
        {attr("sentinelOne:isActive", core::AttributeValue(true), std::nullopt, at(7)),
         attr("sentinelOne:agentVersion", str("23.4.6.347\nwith \\ escapes"), std::nullopt, at(8))}));
    STORE_ASSERT_OK(
        tx->replaceProviderAttributes("n1", "falcon", {attr("falcon:ztaScore", core::AttributeValue(70.5))}));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto read = beginRead();
    ASSERT_TRUE(read);
    STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
    ASSERT_THAT(keysOf(attributes),
                ElementsAre("custom:tier", "falcon:ztaScore", "sentinelOne:agentVersion", "sentinelOne:isActive"));
    EXPECT_EQ(attributes[1].value, core::AttributeValue(70.5));
    EXPECT_EQ(attributes[2].value, str("23.4.6.347\nwith \\ escapes"));
    EXPECT_EQ(attributes[2].updated, at(8));
    EXPECT_EQ(attributes[3].value, core::AttributeValue(true));
    EXPECT_EQ(attributes[3].expiry, std::nullopt);
    STORE_ASSIGN_OR_FAIL(all, read->allAttributes());
    EXPECT_THAT(keysOf(all["n1"]),
                ElementsAre("custom:tier", "falcon:ztaScore", "sentinelOne:agentVersion", "sentinelOne:isActive"));
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    // A new set replaces the namespace's old one whole; other namespaces stay.
    STORE_ASSERT_OK(tx->replaceProviderAttributes("n1", "sentinelOne",
                                                  {attr("sentinelOne:infected", core::AttributeValue(false))}));
    STORE_ASSERT_OK(tx->replaceProviderAttributes("n1", "falcon", {}));
    STORE_ASSERT_OK(tx->replaceProviderAttributes("ghost", "falcon", {}));  // nothing to remove
    STORE_ASSERT_OK(tx->commit());
  }
  reopen();
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
  EXPECT_THAT(keysOf(attributes), ElementsAre("custom:tier", "sentinelOne:infected"));
}

TEST_P(StoreConformance, ProviderAttributesAreWrittenOnlyAsSets) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  auto single = tx->putAttribute("n1", attr("sentinelOne:infected", core::AttributeValue(true)));
  ASSERT_FALSE(single.has_value());
  EXPECT_EQ(single.error().kind, core::ErrorKind::kInvalidArgument);
  EXPECT_THAT(single.error().message, HasSubstr("replaceProviderAttributes"));
  auto removal = tx->deleteAttribute("n1", "sentinelOne:infected");
  ASSERT_FALSE(removal.has_value());
  auto foreign = tx->replaceProviderAttributes("n1", "sentinelOne", {attr("custom:tier", str("prod"))});
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().kind, core::ErrorKind::kInvalidArgument);
  EXPECT_THAT(foreign.error().message, HasSubstr("custom:tier"));
  auto missing =
      tx->replaceProviderAttributes("ghost", "sentinelOne", {attr("sentinelOne:infected", core::AttributeValue(true))});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

TEST_P(StoreConformance, DeletingADeviceRemovesItsProviderAttributes) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
    STORE_ASSERT_OK(
        tx->replaceProviderAttributes("n1", "sentinelOne", {attr("sentinelOne:infected", core::AttributeValue(true))}));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->deleteDevice("n1"));
    STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));  // the same id again starts empty
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
  EXPECT_TRUE(attributes.empty());
}

TEST_P(StoreConformance, AttributeValuesRoundTripExactly) {
  const std::vector<core::AttributeValue> values = {core::AttributeValue(true),
                                                    core::AttributeValue(0.1),
                                                    core::AttributeValue(9007199254740991.0),
                                                    core::AttributeValue(-1e-300),
                                                    str(""),
                                                    str("multi\nline \"quoted\" \xC3\xA9")};
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  for (std::size_t i = 0; i < values.size(); ++i)
    STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:v" + std::to_string(i), values[i])));
  STORE_ASSERT_OK(tx->commit());
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
  ASSERT_EQ(attributes.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(attributes[i].value, values[i]) << attributes[i].key;
}

TEST_P(StoreConformance, KeysAreUniquePerDeviceCaseInsensitively) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:Owner", str("a"))));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:owner", str("b"))));
  STORE_ASSIGN_OR_FAIL(attributes, tx->attributes("n1"));
  ASSERT_EQ(attributes.size(), 1u);
  EXPECT_EQ(attributes[0].key, "custom:Owner") << "the spelling first written stays";
  EXPECT_EQ(attributes[0].value, str("b"));
  STORE_ASSIGN_OR_FAIL(info, tx->attributeKey("custom:OWNER"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->key, "custom:Owner");
  STORE_ASSIGN_OR_FAIL(removed, tx->deleteAttribute("n1", "CUSTOM:OWNER"));
  EXPECT_TRUE(removed);
}

TEST_P(StoreConformance, PutAttributeOnMissingDeviceIsNotFound) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  auto put = tx->putAttribute("ghost", attr("custom:a", str("x")));
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(put.error().message, HasSubstr("ghost"));
  STORE_ASSIGN_OR_FAIL(attributes, tx->attributes("ghost"));
  EXPECT_TRUE(attributes.empty());
}

TEST_P(StoreConformance, AttributeKeyLookupIsCaseInsensitive) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n2", 2)));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:FooBar", core::AttributeValue(3.0))));
  STORE_ASSERT_OK(tx->putAttribute("n2", attr("custom:FooBar", core::AttributeValue(4.0))));
  STORE_ASSERT_OK(tx->commit());

  auto read = beginRead();
  ASSERT_TRUE(read);
  for (const char* probe : {"custom:FooBar", "custom:foobar", "CUSTOM:FOOBAR"}) {
    STORE_ASSIGN_OR_FAIL(info, read->attributeKey(probe));
    ASSERT_TRUE(info.has_value()) << probe;
    EXPECT_EQ(info->key, "custom:FooBar");
    EXPECT_EQ(info->type, core::AttributeType::kNumber);
  }
  STORE_ASSIGN_OR_FAIL(none, read->attributeKey("custom:foo"));
  EXPECT_FALSE(none.has_value());
  read.reset();

  auto change = beginWrite();
  ASSERT_TRUE(change);
  STORE_ASSERT_OK(change->deleteAttribute("n1", "custom:FooBar"));
  STORE_ASSIGN_OR_FAIL(stillHeld, change->attributeKey("custom:foobar"));
  EXPECT_TRUE(stillHeld.has_value()) << "n2 still holds the key";
  STORE_ASSERT_OK(change->deleteAttribute("n2", "custom:FooBar"));
  STORE_ASSIGN_OR_FAIL(freed, change->attributeKey("custom:foobar"));
  EXPECT_FALSE(freed.has_value());
}

TEST_P(StoreConformance, ExpiredAttributesAreThoseAtOrBeforeNow) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n1", 1)));
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n2", 2)));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:past", str("a"), at(999))));
  STORE_ASSERT_OK(tx->putAttribute("n2", attr("custom:now", core::AttributeValue(true), at(1000))));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:future", str("c"), at(1001))));
  STORE_ASSERT_OK(tx->putAttribute("n2", attr("custom:never", str("d"))));
  STORE_ASSERT_OK(tx->commit());

  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(expired, read->expiredAttributes(at(1000)));
  std::vector<std::string> found;
  for (const auto& e : expired) found.push_back(e.deviceId + "/" + e.attribute.key.str());
  EXPECT_THAT(found, UnorderedElementsAre("n1/custom:past", "n2/custom:now"));
  for (const auto& e : expired) {
    if (e.attribute.key == "custom:now") {
      EXPECT_EQ(e.attribute.value, core::AttributeValue(true));
      EXPECT_EQ(e.attribute.expiry, at(1000));
    }
  }
  STORE_ASSIGN_OR_FAIL(none, read->expiredAttributes(at(998)));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformance, AllAttributesGroupsByDevice) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  for (int n = 1; n <= 3; ++n) STORE_ASSERT_OK(tx->insertDevice(makeDevice("n" + std::to_string(n), n)));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:b", str("1"))));
  STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:a", str("2"))));
  STORE_ASSERT_OK(tx->putAttribute("n3", attr("custom:c", core::AttributeValue(3.0))));
  STORE_ASSERT_OK(tx->commit());

  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(all, read->allAttributes());
  EXPECT_THAT(keysOf(all["n1"]), ElementsAre("custom:a", "custom:b"));
  EXPECT_TRUE(all["n2"].empty());
  ASSERT_THAT(keysOf(all["n3"]), ElementsAre("custom:c"));
  EXPECT_EQ(all["n3"][0].value, core::AttributeValue(3.0));
}

// ---- audit ----

class AuditFixture {
 public:
  // Appended out of time order; e2 and e3 share a time and keep append order.
  static std::vector<core::AuditEvent> events() {
    return {
        makeEvent("e4", 3000, "worker-1", "", "n1", "host1", "", "DELETE"),
        makeEvent("e1", 1000, "k1", "alice@example.com", "n1", "host1", "ATTRIBUTES", "UPDATE"),
        makeEvent("e2", 2000, "k2", "bob@example.com", "n2", "host2", "", "CREATE"),
        makeEvent("e3", 2000, "k1", "alice@example.com", "n2", "host2", "POSTURE_IDENTITY", "UPDATE"),
    };
  }
};

TEST_P(StoreConformance, AuditEventsAreAppendedInOrderWithSequences) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  for (const auto& e : AuditFixture::events()) STORE_ASSERT_OK(tx->appendAudit(e));
  STORE_ASSERT_OK(tx->commit());

  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(all, read->auditEvents({}));
  ASSERT_THAT(labelsOf(all), ElementsAre("e1", "e2", "e3", "e4"));
  // Sequences follow append order: e4 was appended first.
  EXPECT_LT(all[3].sequence, all[0].sequence);
  EXPECT_LT(all[1].sequence, all[2].sequence);
  const auto expected = AuditFixture::events()[1];
  const auto& got = all[0];
  EXPECT_GT(got.sequence, 0);
  EXPECT_EQ(got.eventTime, expected.eventTime);
  EXPECT_EQ(got.eventGroupId, expected.eventGroupId);
  EXPECT_EQ(got.origin, expected.origin);
  EXPECT_EQ(got.actor.id, expected.actor.id);
  EXPECT_EQ(got.actor.type, expected.actor.type);
  EXPECT_EQ(got.actor.loginName, expected.actor.loginName);
  EXPECT_EQ(got.actor.displayName, expected.actor.displayName);
  EXPECT_EQ(got.target.id, expected.target.id);
  EXPECT_EQ(got.target.name, expected.target.name);
  EXPECT_EQ(got.target.type, expected.target.type);
  EXPECT_EQ(got.target.property, expected.target.property);
  EXPECT_EQ(got.action, expected.action);
  EXPECT_EQ(got.oldJson, expected.oldJson);
  EXPECT_EQ(got.newJson, expected.newJson);
  EXPECT_EQ(got.actionDetails, expected.actionDetails);
}

TEST_P(StoreConformance, AuditFiltersSelectTheRightEvents) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    for (const auto& e : AuditFixture::events()) STORE_ASSERT_OK(tx->appendAudit(e));
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  auto labels = [&](AuditQuery q) -> std::vector<std::string> {
    auto events = read->auditEvents(q);
    if (!events) {
      ADD_FAILURE() << events.error().message;
      return {};
    }
    return labelsOf(*events);
  };
  AuditQuery q;
  q.start = at(2000);
  EXPECT_THAT(labels(q), ElementsAre("e2", "e3", "e4")) << "start is inclusive";
  q = {};
  q.end = at(2000);
  EXPECT_THAT(labels(q), ElementsAre("e1")) << "end is exclusive";
  q = {};
  q.start = at(2000);
  q.end = at(3000);
  EXPECT_THAT(labels(q), ElementsAre("e2", "e3"));
  q = {};
  q.actor = "k1";
  EXPECT_THAT(labels(q), ElementsAre("e1", "e3")) << "actor by id";
  q.actor = "bob@example.com";
  EXPECT_THAT(labels(q), ElementsAre("e2")) << "actor by login name";
  q = {};
  q.target = "n1";
  EXPECT_THAT(labels(q), ElementsAre("e1", "e4")) << "target by id";
  q.target = "host2";
  EXPECT_THAT(labels(q), ElementsAre("e2", "e3")) << "target by name";
  q = {};
  q.event = "update";
  EXPECT_THAT(labels(q), ElementsAre("e1", "e3")) << "event by action, any case";
  q.event = "Posture_Identity";
  EXPECT_THAT(labels(q), ElementsAre("e3")) << "event by target property, any case";
  q = {};
  q.limit = 2;
  EXPECT_THAT(labels(q), ElementsAre("e3", "e4")) << "limit keeps the newest, oldest first";
  q = {};
  q.actor = "alice@example.com";
  q.target = "host2";
  q.event = "UPDATE";
  q.start = at(0);
  q.end = at(10'000);
  EXPECT_THAT(labels(q), ElementsAre("e3")) << "filters combine";
  q.event = "CREATE";
  EXPECT_THAT(labels(q), ElementsAre());
}

TEST_P(StoreConformance, AHeadscaleNodeIsOneDeviceAndItsMirrorFieldsUpdate) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  auto a = makeDevice("n1", 1);
  a.headscaleNodeId = "7";
  auto b = makeDevice("n2", 2);
  b.headscaleNodeId = "7";
  STORE_ASSERT_OK(tx->insertDevice(a));
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n3", 3)));  // devices that are no node never clash
  STORE_ASSERT_OK(tx->insertDevice(makeDevice("n4", 4)));
  auto clash = tx->insertDevice(b);
  ASSERT_FALSE(clash.has_value());
  EXPECT_EQ(clash.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(clash.error().field, "headscaleNodeId");

  a.online = true;
  a.headscaleNodeId = "8";
  STORE_ASSERT_OK(tx->updateDevice(a));
  STORE_ASSIGN_OR_FAIL(got, tx->device("n1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->headscaleNodeId, "8");
  EXPECT_EQ(got->online, std::optional<bool>(true));
  a.online.reset();
  a.headscaleNodeId.clear();
  STORE_ASSERT_OK(tx->updateDevice(a));
  STORE_ASSIGN_OR_FAIL(cleared, tx->device("n1"));
  ASSERT_TRUE(cleared.has_value());
  EXPECT_TRUE(cleared->headscaleNodeId.empty());
  EXPECT_FALSE(cleared->online.has_value());
}

// ---- API keys ----

TEST_P(StoreConformance, ANodeKeyBelongsToOneDevice) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  auto a = makeDevice("n1", 1);
  a.nodeKey = "nodekey:aa";
  auto b = makeDevice("n2", 2);
  b.nodeKey = "nodekey:aa";
  auto c = makeDevice("n3", 3);  // devices without a node key never clash
  auto d = makeDevice("n4", 4);
  STORE_ASSERT_OK(tx->insertDevice(a));
  STORE_ASSERT_OK(tx->insertDevice(c));
  STORE_ASSERT_OK(tx->insertDevice(d));
  auto clash = tx->insertDevice(b);
  ASSERT_FALSE(clash.has_value());
  EXPECT_EQ(clash.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(clash.error().field, "nodeKey");
}

TEST_P(StoreConformance, AuthKeysKeepTheirCapabilitiesAndTheirFirstUse) {
  auto key = makeKey("ka", 1);
  key.keyType = "auth";
  key.scopes.clear();
  key.capabilities = core::AuthKeyCapabilities{false, true, true, {"tag:ci", "tag:linux"}, ""};
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertApiKey(key));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSIGN_OR_FAIL(first, tx->markAuthKeyUsed("ka", at(10)));
    EXPECT_TRUE(first);
    STORE_ASSIGN_OR_FAIL(second, tx->markAuthKeyUsed("ka", at(20)));
    EXPECT_FALSE(second) << "the first use is kept";
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(got, read->apiKey("ka"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->keyType, "auth");
  EXPECT_FALSE(got->capabilities.reusable);
  EXPECT_TRUE(got->capabilities.ephemeral);
  EXPECT_TRUE(got->capabilities.preauthorized);
  EXPECT_EQ(got->capabilities.tags, (std::vector<std::string>{"tag:ci", "tag:linux"}));
  EXPECT_EQ(got->used, at(10));
  EXPECT_TRUE(got->spent());
}

TEST_P(StoreConformance, ApiKeysAreStoredListedAndRevokedOnce) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertApiKey(makeKey("kb", 1)));
    STORE_ASSERT_OK(tx->insertApiKey(makeKey("ka", 2)));
    auto duplicate = tx->insertApiKey(makeKey("kb", 3));
    ASSERT_FALSE(duplicate.has_value());
    EXPECT_EQ(duplicate.error().kind, ErrorKind::kConflict);
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto read = beginRead();
    ASSERT_TRUE(read);
    STORE_ASSIGN_OR_FAIL(key, read->apiKey("kb"));
    ASSERT_TRUE(key.has_value());
    const auto expected = makeKey("kb", 1);
    EXPECT_EQ(key->secretHash, expected.secretHash);
    EXPECT_EQ(key->keyType, "api");
    EXPECT_EQ(key->description, expected.description);
    EXPECT_EQ(key->scopes, expected.scopes);
    EXPECT_EQ(key->created, expected.created);
    EXPECT_EQ(key->expires, expected.expires);
    EXPECT_EQ(key->revoked, std::nullopt);
    STORE_ASSIGN_OR_FAIL(missing, read->apiKey("kz"));
    EXPECT_FALSE(missing.has_value());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->revokeApiKey("kb", at(50)));
    auto twice = tx->revokeApiKey("kb", at(60));
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().kind, ErrorKind::kNotFound);
    auto missing = tx->revokeApiKey("kz", at(60));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(keys, read->apiKeys());
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, "kb");
  EXPECT_EQ(keys[0].revoked, at(50)) << "the first revocation stands";
  EXPECT_FALSE(keys[0].usableAt(at(51)));
  EXPECT_EQ(keys[1].id, "ka");
  EXPECT_EQ(keys[1].revoked, std::nullopt);
}

// ---- settings ----

TEST_P(StoreConformance, SettingsAreUnsetThenSetThenReplaced) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSIGN_OR_FAIL(unset, tx->setting("ipv4.next"));
  EXPECT_EQ(unset, std::nullopt);
  STORE_ASSERT_OK(tx->putSetting("ipv4.next", "100.64.0.2"));
  STORE_ASSERT_OK(tx->putSetting("empty", ""));
  STORE_ASSERT_OK(tx->putSetting("ipv4.next", "100.64.0.3"));
  STORE_ASSERT_OK(tx->commit());
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(value, read->setting("ipv4.next"));
  EXPECT_EQ(value, "100.64.0.3");
  STORE_ASSIGN_OR_FAIL(empty, read->setting("empty"));
  EXPECT_EQ(empty, "") << "an empty value is set, not unset";
}

// ---- integrations ----

TEST_P(StoreConformance, InsertedIntegrationReadsBackAndListsByCreation) {
  const auto s1 = makeIntegration("i-s1", "sentinelone", 1);
  const auto cs = makeIntegration("i-cs", "falcon", 2);
  const auto in = makeIntegration("i-in", "intune", 3);
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(s1));
    STORE_ASSERT_OK(tx->insertIntegration(cs));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->deleteIntegration("i-cs"));
    STORE_ASSERT_OK(tx->insertIntegration(in));
    STORE_ASSERT_OK(tx->insertIntegration(cs));  // the provider is free again
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(got, read->integration("i-s1"));
  ASSERT_TRUE(got.has_value());
  expectSameIntegration(*got, s1);
  EXPECT_FALSE(got->status.has_value()) << "no status before the first update that writes one";
  STORE_ASSIGN_OR_FAIL(missing, read->integration("i-none"));
  EXPECT_FALSE(missing.has_value());
  STORE_ASSIGN_OR_FAIL(all, read->integrations());
  EXPECT_THAT(idsOf(all), ElementsAre("i-s1", "i-in", "i-cs"));
  ASSERT_EQ(all.size(), 3u);
  expectSameIntegration(all[1], in);
}

TEST_P(StoreConformance, IntegrationProviderAndIdAreUnique) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 1)));
  auto sameProvider = tx->insertIntegration(makeIntegration("i2", "sentinelone", 2));
  ASSERT_FALSE(sameProvider.has_value());
  EXPECT_EQ(sameProvider.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(sameProvider.error().message, "a sentinelone integration already exists");
  auto sameId = tx->insertIntegration(makeIntegration("i1", "falcon", 3));
  ASSERT_FALSE(sameId.has_value());
  EXPECT_EQ(sameId.error().kind, ErrorKind::kConflict);
  EXPECT_THAT(sameId.error().message, HasSubstr("i1"));
  // The transaction goes on after a refused insert.
  STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i3", "falcon", 4)));
  STORE_ASSIGN_OR_FAIL(all, tx->integrations());
  EXPECT_THAT(idsOf(all), ElementsAre("i1", "i3"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].clientId, "client-i1") << "the refused insert changed nothing";
}

TEST_P(StoreConformance, UpdateIntegrationReplacesConfigAndStatus) {
  const auto original = makeIntegration("i1", "sentinelone", 1);
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(original));
    STORE_ASSERT_OK(tx->commit());
  }
  auto changed = original;
  changed.provider = "falcon";   // ignored
  changed.created = at(777777);  // ignored
  changed.cloudId = "https://other.example.net";
  changed.clientId = "client-2";
  changed.tenantId = "";
  changed.sealedSecret = "sealed:rotated";
  changed.configUpdated = at(2000);
  changed.status = fullStatus();
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->updateIntegration(changed));
    STORE_ASSERT_OK(tx->commit());
  }
  auto expected = changed;
  expected.provider = original.provider;
  expected.created = original.created;
  {
    auto read = beginRead();
    ASSERT_TRUE(read);
    STORE_ASSIGN_OR_FAIL(got, read->integration("i1"));
    ASSERT_TRUE(got.has_value());
    expectSameIntegration(*got, expected);
  }

  // A status whose optional times are all absent stays a status.
  core::IntegrationStatus bare;
  bare.error = "";
  bare.providerHostCount = 5;
  changed.status = bare;
  expected.status = bare;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->updateIntegration(changed));
    STORE_ASSIGN_OR_FAIL(got, tx->integration("i1"));
    ASSERT_TRUE(got.has_value());
    expectSameIntegration(*got, expected);
    ASSERT_TRUE(got->status.has_value());
    EXPECT_EQ(got->status->lastSync, std::nullopt);
    EXPECT_EQ(got->status->pausedUntil, std::nullopt);

    // And an absent status replaces a present one.
    changed.status.reset();
    expected.status.reset();
    STORE_ASSERT_OK(tx->updateIntegration(changed));
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(got, read->integration("i1"));
  ASSERT_TRUE(got.has_value());
  expectSameIntegration(*got, expected);
  EXPECT_FALSE(got->status.has_value());
}

TEST_P(StoreConformance, UpdateOrDeleteOfMissingIntegrationIsNotFound) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  auto update = tx->updateIntegration(makeIntegration("ghost", "sentinelone", 1));
  ASSERT_FALSE(update.has_value());
  EXPECT_EQ(update.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(update.error().message, HasSubstr("ghost"));
  auto removal = tx->deleteIntegration("ghost");
  ASSERT_FALSE(removal.has_value());
  EXPECT_EQ(removal.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(removal.error().message, HasSubstr("ghost"));
  STORE_ASSIGN_OR_FAIL(all, tx->integrations());
  EXPECT_TRUE(all.empty());
}

TEST_P(StoreConformance, DeletingAnIntegrationRemovesItsRuns) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 1)));
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i2", "falcon", 2)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r1", "i1", 10)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r2", "i1", 20)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r3", "i2", 30)));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->deleteIntegration("i1"));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto read = beginRead();
    ASSERT_TRUE(read);
    STORE_ASSIGN_OR_FAIL(gone, read->integration("i1"));
    EXPECT_FALSE(gone.has_value());
    STORE_ASSIGN_OR_FAIL(runs, read->integrationRuns("i1", 100));
    EXPECT_TRUE(runs.empty());
    STORE_ASSIGN_OR_FAIL(others, read->integrationRuns("i2", 100));
    EXPECT_THAT(idsOf(others), ElementsAre("r3"));
  }
  // An integration created again with the same id starts without runs, and
  // the deleted runs' ids are free again.
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 3)));
  STORE_ASSIGN_OR_FAIL(runs, tx->integrationRuns("i1", 100));
  EXPECT_TRUE(runs.empty());
  STORE_ASSERT_OK(tx->insertRun(makeRun("r1", "i1", 40)));
}

TEST_P(StoreConformance, RunsAreListedNewestFirstUpToTheLimit) {
  auto full = makeRun("r2", "i1", 100);
  full.trigger = "manual";
  full.finishedAt = at(160);
  full.outcome = "failed";
  full.error = "provider returned 503";
  full.providerHostCount = 40;
  full.matchedCount = 38;
  full.attributesChanged = 12;
  full.durationMs = 60;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 1)));
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i2", "falcon", 2)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r1", "i1", 100)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("x1", "i2", 100)));
    STORE_ASSERT_OK(tx->insertRun(full));  // same start as r1: insertion order decides
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertRun(makeRun("r3", "i1", 100)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r4", "i1", 200)));
    auto duplicate = tx->insertRun(makeRun("r4", "i1", 300));
    ASSERT_FALSE(duplicate.has_value());
    EXPECT_EQ(duplicate.error().kind, ErrorKind::kConflict);
    EXPECT_THAT(duplicate.error().message, HasSubstr("r4"));
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(all, read->integrationRuns("i1", 100));
  ASSERT_THAT(idsOf(all), ElementsAre("r4", "r3", "r2", "r1"));
  expectSameRun(all[2], full);
  expectSameRun(all[3], makeRun("r1", "i1", 100));
  EXPECT_EQ(all[3].outcome, "running");
  EXPECT_EQ(all[3].finishedAt, std::nullopt);
  STORE_ASSIGN_OR_FAIL(two, read->integrationRuns("i1", 2));
  EXPECT_THAT(idsOf(two), ElementsAre("r4", "r3"));
  STORE_ASSIGN_OR_FAIL(none, read->integrationRuns("i1", 0));
  EXPECT_TRUE(none.empty());
  STORE_ASSIGN_OR_FAIL(other, read->integrationRuns("i2", 100));
  EXPECT_THAT(idsOf(other), ElementsAre("x1"));
  STORE_ASSIGN_OR_FAIL(unknown, read->integrationRuns("ghost", 100));
  EXPECT_TRUE(unknown.empty());
}

TEST_P(StoreConformance, UpdateRunReplacesEverythingButIdIntegrationAndStart) {
  const auto original = makeRun("r1", "i1", 100);
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 1)));
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i2", "falcon", 2)));
    STORE_ASSERT_OK(tx->insertRun(original));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r2", "i1", 200)));
    STORE_ASSERT_OK(tx->commit());
  }
  auto finished = original;
  finished.integrationId = "i2";  // ignored
  finished.startedAt = at(999);   // ignored
  finished.trigger = "update";
  finished.finishedAt = at(150);
  finished.outcome = "success";
  finished.error = "";
  finished.providerHostCount = 7;
  finished.matchedCount = 6;
  finished.attributesChanged = 18;
  finished.durationMs = 50;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->updateRun(finished));
    auto missing = tx->updateRun(makeRun("ghost", "i1", 1));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
    EXPECT_THAT(missing.error().message, HasSubstr("ghost"));
    STORE_ASSERT_OK(tx->commit());
  }
  auto expected = finished;
  expected.integrationId = original.integrationId;
  expected.startedAt = original.startedAt;
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(runs, read->integrationRuns("i1", 100));
  ASSERT_THAT(idsOf(runs), ElementsAre("r2", "r1")) << "an update does not move a run";
  expectSameRun(runs[1], expected);
  expectSameRun(runs[0], makeRun("r2", "i1", 200));
  STORE_ASSIGN_OR_FAIL(other, read->integrationRuns("i2", 100));
  EXPECT_TRUE(other.empty());
}

TEST_P(StoreConformance, OnlyTheNewestRunsAreKeptPerIntegration) {
  constexpr std::size_t kExtra = 5;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 1)));
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i2", "falcon", 2)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("other-1", "i2", 0)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("other-2", "i2", 0)));
    STORE_ASSERT_OK(tx->commit());
  }
  // In two transactions: pruning holds across commits, not just within one.
  for (std::size_t batch = 0; batch < 2; ++batch) {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    const std::size_t first = batch == 0 ? 0 : kRunsKept;
    const std::size_t last = batch == 0 ? kRunsKept : kRunsKept + kExtra;
    for (std::size_t n = first; n < last; ++n) {
      // Every run starts at the same time: the order of insertion decides.
      STORE_ASSERT_OK(tx->insertRun(makeRun("r" + std::to_string(n), "i1", 100)));
    }
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(runs, read->integrationRuns("i1", kRunsKept * 10));
  ASSERT_EQ(runs.size(), kRunsKept);
  EXPECT_EQ(runs.front().id, "r" + std::to_string(kRunsKept + kExtra - 1));
  EXPECT_EQ(runs.back().id, "r" + std::to_string(kExtra)) << "the oldest runs went";
  for (std::size_t k = 0; k < runs.size(); ++k) ASSERT_EQ(runs[k].id, "r" + std::to_string(kRunsKept + kExtra - 1 - k));
  STORE_ASSIGN_OR_FAIL(other, read->integrationRuns("i2", kRunsKept * 10));
  EXPECT_THAT(idsOf(other), ElementsAre("other-2", "other-1")) << "another integration keeps its runs";
}

TEST_P(StoreConformance, InsertRunForMissingIntegrationIsNotFound) {
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  auto run = tx->insertRun(makeRun("r1", "ghost", 1));
  ASSERT_FALSE(run.has_value());
  EXPECT_EQ(run.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(run.error().message, HasSubstr("ghost"));
  STORE_ASSIGN_OR_FAIL(runs, tx->integrationRuns("ghost", 100));
  EXPECT_TRUE(runs.empty());
  // The transaction is still usable.
  STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("ghost", "sentinelone", 1)));
  STORE_ASSERT_OK(tx->insertRun(makeRun("r1", "ghost", 1)));
  STORE_ASSERT_OK(tx->commit());
}

TEST_P(StoreConformance, DestroyedWriteRollsBackIntegrationsAndRuns) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("keep", "falcon", 1)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("keep-run", "keep", 1)));
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 2)));
    STORE_ASSERT_OK(tx->insertRun(makeRun("r1", "i1", 2)));
    auto changed = makeIntegration("keep", "falcon", 1);
    changed.clientId = "changed";
    changed.status = fullStatus();
    STORE_ASSERT_OK(tx->updateIntegration(changed));
    auto finished = makeRun("keep-run", "keep", 1);
    finished.outcome = "success";
    STORE_ASSERT_OK(tx->updateRun(finished));
    STORE_ASSERT_OK(tx->insertRun(makeRun("keep-run-2", "keep", 3)));
    STORE_ASSERT_OK(tx->deleteIntegration("keep"));
    // no commit
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(all, read->integrations());
  ASSERT_THAT(idsOf(all), ElementsAre("keep"));
  expectSameIntegration(all[0], makeIntegration("keep", "falcon", 1));
  STORE_ASSIGN_OR_FAIL(runs, read->integrationRuns("keep", 100));
  ASSERT_THAT(idsOf(runs), ElementsAre("keep-run"));
  expectSameRun(runs[0], makeRun("keep-run", "keep", 1));
  STORE_ASSIGN_OR_FAIL(none, read->integrationRuns("i1", 100));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformance, IntegrationsAndRunsSurviveCloseAndReopen) {
  auto integration = makeIntegration("i1", "sentinelone", 1);
  integration.status = fullStatus();
  auto plain = makeIntegration("i2", "falcon", 2);
  auto run = makeRun("r1", "i1", 100);
  run.finishedAt = at(200);
  run.outcome = "success";
  run.attributesChanged = 3;
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertIntegration(makeIntegration("i1", "sentinelone", 1)));
    STORE_ASSERT_OK(tx->updateIntegration(integration));
    STORE_ASSERT_OK(tx->insertIntegration(plain));
    STORE_ASSERT_OK(tx->insertRun(run));
    STORE_ASSERT_OK(tx->commit());
  }
  reopen();
  {
    auto read = beginRead();
    ASSERT_TRUE(read);
    STORE_ASSIGN_OR_FAIL(all, read->integrations());
    ASSERT_THAT(idsOf(all), ElementsAre("i1", "i2"));
    expectSameIntegration(all[0], integration);
    expectSameIntegration(all[1], plain);
    STORE_ASSIGN_OR_FAIL(runs, read->integrationRuns("i1", 10));
    ASSERT_EQ(runs.size(), 1u);
    expectSameRun(runs[0], run);
  }
  // Runs inserted after a reopen are still newer than those before it.
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->insertRun(makeRun("r2", "i1", 100)));
  STORE_ASSIGN_OR_FAIL(runs, tx->integrationRuns("i1", 10));
  EXPECT_THAT(idsOf(runs), ElementsAre("r2", "r1"));
  auto conflict = tx->insertIntegration(makeIntegration("i3", "sentinelone", 3));
  ASSERT_FALSE(conflict.has_value());
  EXPECT_EQ(conflict.error().kind, ErrorKind::kConflict);
}

// ---- policy ----

PolicyVersion makePolicy(const std::string& text, const std::string& etag, std::int64_t offsetMs) {
  PolicyVersion v;
  v.sequence = 999;  // ignored: the store assigns it
  v.text = text;
  v.etag = etag;
  v.created = at(offsetMs);
  v.actorId = "k1";
  v.actorLoginName = "admin@example.com";
  return v;
}

TEST_P(StoreConformance, PolicyIsUnsetUntilAVersionIsAppended) {
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(current, read->currentPolicy());
  EXPECT_EQ(current, std::nullopt);
  STORE_ASSIGN_OR_FAIL(history, read->policyHistory(10));
  EXPECT_TRUE(history.empty());
}

TEST_P(StoreConformance, PolicyVersionsKeepTextVerbatimAndTheNewestIsCurrent) {
  const std::string hujson = "// comment\n{\n  \"acls\": [], /* more */\n}\n";
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSIGN_OR_FAIL(first, tx->appendPolicyVersion(makePolicy(hujson, "e1", 1)));
    STORE_ASSIGN_OR_FAIL(second, tx->appendPolicyVersion(makePolicy("{}", "e2", 2)));
    EXPECT_LT(first, second);
    STORE_ASSIGN_OR_FAIL(inTx, tx->currentPolicy());
    ASSERT_TRUE(inTx.has_value());
    EXPECT_EQ(inTx->etag, "e2") << "a transaction sees its own appends";
    STORE_ASSERT_OK(tx->commit());
  }
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    auto third = makePolicy("{\"acls\":[]}", "e3", 3);
    third.actorId = "k2";
    third.actorLoginName = "";
    STORE_ASSERT_OK(tx->appendPolicyVersion(third));
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(current, read->currentPolicy());
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->etag, "e3");
  EXPECT_EQ(current->actorId, "k2");
  EXPECT_EQ(current->actorLoginName, "");
  EXPECT_EQ(current->created, at(3));
  STORE_ASSIGN_OR_FAIL(history, read->policyHistory(10));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].etag, "e3");
  EXPECT_EQ(history[1].etag, "e2");
  EXPECT_EQ(history[2].etag, "e1");
  EXPECT_EQ(history[2].text, hujson) << "comments and layout are kept";
  EXPECT_EQ(history[2].created, at(1));
  EXPECT_EQ(history[2].actorId, "k1");
  EXPECT_EQ(history[2].actorLoginName, "admin@example.com");
  EXPECT_GT(history[0].sequence, history[1].sequence);
  EXPECT_GT(history[1].sequence, history[2].sequence);
  STORE_ASSIGN_OR_FAIL(limited, read->policyHistory(2));
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].etag, "e3");
  EXPECT_EQ(limited[1].etag, "e2");
}

TEST_P(StoreConformance, DestroyedWriteRollsBackAPolicyVersion) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->appendPolicyVersion(makePolicy("{}", "e1", 1)));
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(current, read->currentPolicy());
  EXPECT_EQ(current, std::nullopt);
}

TEST_P(StoreConformance, PolicyHistorySurvivesCloseAndReopen) {
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->appendPolicyVersion(makePolicy("{}", "e1", 1)));
    STORE_ASSERT_OK(tx->commit());
  }
  reopen();
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->appendPolicyVersion(makePolicy("{\"acls\":[]}", "e2", 2)));
    STORE_ASSERT_OK(tx->commit());
  }
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(history, read->policyHistory(10));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].etag, "e2");
  EXPECT_EQ(history[1].etag, "e1");
  EXPECT_GT(history[0].sequence, history[1].sequence) << "sequences keep increasing across a reopen";
}

// ---- lifecycle ----

TEST_P(StoreConformance, EverythingSurvivesCloseAndReopen) {
  auto device = makeDevice("n1", 1);
  device.tags = {"tag:a"};
  device.user.clear();
  {
    auto tx = beginWrite();
    ASSERT_TRUE(tx);
    STORE_ASSERT_OK(tx->insertDevice(device));
    STORE_ASSERT_OK(tx->putAttribute("n1", attr("custom:x", core::AttributeValue(7.0), at(100))));
    STORE_ASSERT_OK(tx->appendAudit(makeEvent("e1", 0, "k1", "", "n1", "host", "", "CREATE")));
    STORE_ASSERT_OK(tx->insertApiKey(makeKey("k1", 0)));
    STORE_ASSERT_OK(tx->putSetting("s", "v"));
    STORE_ASSERT_OK(tx->commit());
  }
  reopen();
  auto read = beginRead();
  ASSERT_TRUE(read);
  STORE_ASSIGN_OR_FAIL(got, read->device("n1"));
  ASSERT_TRUE(got.has_value());
  expectSameDevice(*got, device);
  STORE_ASSIGN_OR_FAIL(attributes, read->attributes("n1"));
  ASSERT_EQ(attributes.size(), 1u);
  EXPECT_EQ(attributes[0].value, core::AttributeValue(7.0));
  EXPECT_EQ(attributes[0].expiry, at(100));
  STORE_ASSIGN_OR_FAIL(events, read->auditEvents({}));
  EXPECT_THAT(labelsOf(events), ElementsAre("e1"));
  STORE_ASSIGN_OR_FAIL(key, read->apiKey("k1"));
  EXPECT_TRUE(key.has_value());
  STORE_ASSIGN_OR_FAIL(setting, read->setting("s"));
  EXPECT_EQ(setting, "v");
  read.reset();

  // Sequences keep increasing across a reopen.
  auto tx = beginWrite();
  ASSERT_TRUE(tx);
  STORE_ASSERT_OK(tx->appendAudit(makeEvent("e2", 0, "k1", "", "n1", "host", "", "UPDATE")));
  STORE_ASSIGN_OR_FAIL(both, tx->auditEvents({}));
  ASSERT_THAT(labelsOf(both), ElementsAre("e1", "e2"));
  EXPECT_LT(both[0].sequence, both[1].sequence);
}

TEST_P(StoreConformance, ClosedStoreRefusesNewTransactions) {
  store_->close();
  auto read = store_->read();
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().kind, ErrorKind::kUnavailable);
  EXPECT_THAT(read.error().message, HasSubstr("closed"));
  auto write = store_->write();
  ASSERT_FALSE(write.has_value());
  EXPECT_EQ(write.error().kind, ErrorKind::kUnavailable);
  EXPECT_THAT(write.error().message, HasSubstr("closed"));
  store_.reset();
}

}  // namespace
}  // namespace postured::store::conformance
