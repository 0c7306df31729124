// The in-memory decorator: it must still pass the whole conformance suite,
// and its device cache must follow commits (and only commits).
#include "store/cached_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/store_conformance.h"
#include "support/temp_dir.h"

namespace postured::store {
namespace {

Result<std::unique_ptr<CachedStore>> openCached(const std::string& dir) {
  auto inner = openSqliteStore(SqliteOptions{.path = dir + "/postured.db"});
  if (!inner) return tl::unexpected(inner.error());
  return CachedStore::wrap(std::move(*inner));
}

std::unique_ptr<Store> openCachedIn(const std::string& dir) {
  auto store = openCached(dir);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace

POSTURED_STORE_CONFORMANCE(CachedSqlite, openCachedIn);

namespace {

core::Device device(const std::string& id, const std::string& v4) {
  core::Device d;
  d.id = id;
  d.hostname = "host-" + id;
  d.user = "alice@example.com";
  d.ipv4 = v4;
  d.created = core::fromUnixMillis(1000);
  return d;
}

core::DeviceAttribute attribute(const std::string& key, core::AttributeValue value) {
  return core::DeviceAttribute{key, std::move(value), std::nullopt, core::fromUnixMillis(2000)};
}

class CachedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = openCached(dir_.path().string());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  std::unique_ptr<WriteTx> write() { return std::move(*store_->write()); }

  testing::TempDir dir_;
  std::unique_ptr<CachedStore> store_;
};

TEST_F(CachedStoreTest, FollowsCommitsOnly) {
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n1", "100.64.0.1")));
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:tier", core::AttributeValue(std::string("gold")))));
    EXPECT_EQ(store_->deviceState("n1"), nullptr) << "nothing is visible before the commit";
    ASSERT_TRUE(tx->commit());
  }
  auto state = store_->deviceState("n1");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->device.hostname, "host-n1");
  ASSERT_EQ(state->attributes.size(), 1u);
  EXPECT_EQ(state->attributes[0].value.asString(), "gold");

  {
    auto tx = write();
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:tier", core::AttributeValue(std::string("silver")))));
    ASSERT_TRUE(tx->insertDevice(device("n2", "100.64.0.2")));
    // Destroyed without commit: rolled back, the cache keeps the old state.
  }
  EXPECT_EQ(store_->deviceState("n1")->attributes[0].value.asString(), "gold");
  EXPECT_EQ(store_->deviceState("n2"), nullptr);
  EXPECT_EQ(state->attributes[0].value.asString(), "gold") << "snapshots handed out never change";
}

TEST_F(CachedStoreTest, SnapshotsKeepPositionsAndNeverChangeOnceHandedOut) {
  {
    auto tx = write();
    for (const char* id : {"n1", "n2", "n3"}) ASSERT_TRUE(tx->insertDevice(device(id, "")));
    ASSERT_TRUE(tx->commit());
  }
  const auto before = store_->snapshot();
  ASSERT_EQ(before.states->size(), 3u);
  const auto positionOf = [](const CachedStore::Snapshot& s, const std::string& id) {
    for (std::size_t i = 0; i < s.states->size(); ++i)
      if ((*s.states)[i] && (*s.states)[i]->device.id == id) return static_cast<int>(i);
    return -1;
  };
  {
    auto tx = write();
    ASSERT_TRUE(tx->putAttribute("n2", attribute("custom:tier", core::AttributeValue(std::string("gold")))));
    ASSERT_TRUE(tx->commit());
  }
  const auto afterAttribute = store_->snapshot();
  EXPECT_EQ(afterAttribute.deviceGeneration, before.deviceGeneration);
  EXPECT_NE(afterAttribute.stateGeneration, before.stateGeneration);
  for (const char* id : {"n1", "n2", "n3"}) EXPECT_EQ(positionOf(afterAttribute, id), positionOf(before, id)) << id;
  EXPECT_TRUE((*before.states)[positionOf(before, "n2")]->attributes.empty()) << "a snapshot handed out never changes";
  EXPECT_EQ((*afterAttribute.states)[positionOf(afterAttribute, "n2")]->attributes.size(), 1u);

  {
    auto tx = write();
    ASSERT_TRUE(tx->deleteDevice("n1"));
    ASSERT_TRUE(tx->commit());
  }
  const auto afterDelete = store_->snapshot();
  EXPECT_NE(afterDelete.deviceGeneration, afterAttribute.deviceGeneration);
  EXPECT_EQ((*afterDelete.states)[positionOf(before, "n1")], nullptr) << "a removed device leaves its position empty";
  EXPECT_EQ(positionOf(afterDelete, "n3"), positionOf(before, "n3"));
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n4", "")));
    ASSERT_TRUE(tx->commit());
  }
  const auto afterInsert = store_->snapshot();
  EXPECT_EQ(positionOf(afterInsert, "n4"), positionOf(before, "n1")) << "and a new device may take it";
  EXPECT_EQ(store_->deviceCount(), 3u);
  EXPECT_EQ(store_->allDeviceStates().size(), 3u);
  EXPECT_NE((*afterDelete.states)[positionOf(before, "n1")], (*afterInsert.states)[positionOf(before, "n1")]);
  EXPECT_EQ(store_->deviceState("n4")->device.id, "n4");
  EXPECT_EQ(store_->deviceState("n1"), nullptr);
}

TEST_F(CachedStoreTest, StateGenerationCountsDeviceAndAttributeCommits) {
  const auto g0 = store_->stateGeneration();
  const auto d0 = store_->deviceGeneration();
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n1", "100.64.0.1")));
    ASSERT_TRUE(tx->commit());
  }
  const auto g1 = store_->stateGeneration();
  EXPECT_NE(g1, g0);
  EXPECT_NE(store_->deviceGeneration(), d0);
  const auto d1 = store_->deviceGeneration();
  {
    auto tx = write();
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:tier", core::AttributeValue(std::string("gold")))));
    ASSERT_TRUE(tx->commit());
  }
  const auto g2 = store_->stateGeneration();
  EXPECT_NE(g2, g1) << "an attribute change is a state change";
  EXPECT_EQ(store_->deviceGeneration(), d1) << "but not a device change";
  {
    auto tx = write();
    ASSERT_TRUE(tx->putSetting("s", "v"));
    ASSERT_TRUE(tx->commit());
  }
  {
    auto tx = write();
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:tier", core::AttributeValue(std::string("silver")))));
  }
  EXPECT_EQ(store_->stateGeneration(), g2) << "no device touched, or rolled back";
}

TEST_F(CachedStoreTest, ChangedSinceNamesTheDevicesEachCommitTouched) {
  const auto g0 = store_->stateGeneration();
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n1", "100.64.0.1")));
    ASSERT_TRUE(tx->insertDevice(device("n2", "100.64.0.2")));
    ASSERT_TRUE(tx->commit());
  }
  const auto g1 = store_->stateGeneration();
  {
    auto tx = write();
    ASSERT_TRUE(tx->putAttribute("n2", attribute("custom:tier", core::AttributeValue(std::string("gold")))));
    ASSERT_TRUE(tx->insertDevice(device("n3", "100.64.0.3")));
    ASSERT_TRUE(tx->commit());
  }
  {
    auto tx = write();  // rolled back: not a change
    ASSERT_TRUE(tx->deleteDevice("n1"));
  }
  auto all = store_->changedSince(g0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->ids, (std::vector<std::string>{"n1", "n2", "n3"}));
  EXPECT_EQ(all->generation, store_->stateGeneration());
  auto latest = store_->changedSince(g1);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->ids, (std::vector<std::string>{"n2", "n3"}));
  auto none = store_->changedSince(store_->stateGeneration());
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->ids.empty());
}

TEST_F(CachedStoreTest, ChangedSinceForgetsOldCommitsOfALargeHistory) {
  const auto g0 = store_->stateGeneration();
  for (int batch = 0; batch < 3; ++batch) {
    auto tx = write();
    for (int i = 0; i < 80000; ++i) {
      const int n = batch * 80000 + i;
      ASSERT_TRUE(tx->insertDevice(device("d" + std::to_string(n), "100." + std::to_string(64 + n / 65536) + "." +
                                                                       std::to_string(n / 256 % 256) + "." +
                                                                       std::to_string(n % 256))));
    }
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_FALSE(store_->changedSince(g0)) << "the first commit fell out of the bounded journal";
  auto last = store_->changedSince(store_->stateGeneration() - 1);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->ids.size(), 80000u);
}

TEST_F(CachedStoreTest, MirrorsUpdatesDeletesAndKeySpelling) {
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n1", "100.64.0.1")));
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:Owner", core::AttributeValue(std::string("a")))));
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:b", core::AttributeValue(1.0))));
    ASSERT_TRUE(tx->commit());
  }
  {
    auto tx = write();
    auto updated = device("n1", "100.64.0.1");
    updated.os = "linux";
    updated.created = core::fromUnixMillis(99);
    ASSERT_TRUE(tx->updateDevice(updated));
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:owner", core::AttributeValue(std::string("z")))));
    ASSERT_TRUE(tx->deleteAttribute("n1", "custom:B"));
    ASSERT_TRUE(tx->commit());
  }
  // The cache must agree with what the database itself returns.
  auto state = store_->deviceState("n1");
  auto read = std::move(*store_->read());
  auto stored = *read->attributes("n1");
  ASSERT_EQ(state->attributes.size(), stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(state->attributes[i].key, stored[i].key);
    EXPECT_EQ(state->attributes[i].value, stored[i].value);
  }
  EXPECT_EQ(state->device.os, "linux");
  EXPECT_EQ(state->device.created, (*read->device("n1"))->created);

  {
    auto tx = write();
    ASSERT_TRUE(tx->deleteDevice("n1"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(store_->deviceState("n1"), nullptr);
  EXPECT_EQ(store_->deviceCount(), 0u);
}

TEST_F(CachedStoreTest, ConcurrentCommitsAllReachTheCacheInOrder) {
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n1", "100.64.0.1")));
    ASSERT_TRUE(tx->commit());
  }
  constexpr int kThreads = 8, kWrites = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([this, t] {
      for (int i = 0; i < kWrites; ++i) {
        auto tx = std::move(*store_->write());
        const auto key = "custom:k" + std::to_string(t) + "_" + std::to_string(i);
        ASSERT_TRUE(tx->putAttribute("n1", attribute(key, core::AttributeValue(1.0))));
        ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:last", core::AttributeValue(double(t * kWrites + i)))));
        ASSERT_TRUE(tx->commit());
      }
    });
  for (auto& th : threads) th.join();
  const auto cached = store_->deviceState("n1")->attributes;
  const auto stored = *(*store_->read())->attributes("n1");
  ASSERT_EQ(cached.size(), static_cast<std::size_t>(kThreads * kWrites + 1));
  ASSERT_EQ(cached.size(), stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(cached[i].key, stored[i].key);
    EXPECT_EQ(cached[i].value, stored[i].value) << cached[i].key << ": the last commit must win in the cache too";
  }
}

TEST_F(CachedStoreTest, LoadsWhatIsAlreadyStored) {
  {
    auto tx = write();
    ASSERT_TRUE(tx->insertDevice(device("n1", "100.64.0.1")));
    ASSERT_TRUE(tx->putAttribute("n1", attribute("custom:x", core::AttributeValue(true))));
    ASSERT_TRUE(tx->commit());
  }
  store_->close();
  auto reopened = openCached(dir_.path().string());
  ASSERT_TRUE(reopened);
  auto state = (*reopened)->deviceState("n1");
  ASSERT_NE(state, nullptr);
  EXPECT_TRUE(state->attributes.at(0).value.asBool());
  (*reopened)->close();
}

}  // namespace
}  // namespace postured::store
