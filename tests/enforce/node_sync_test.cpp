// Devices that mirror headscale nodes, on a real SQLite store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "enforce/headscale/node_sync.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace postured::enforce::headscale {
namespace {

const core::Timestamp kNow = core::fromUnixMillis(1'790'000'000'000);

HeadscaleNode node(const std::string& id, const std::string& name, const std::string& ipv4,
                   std::vector<std::string> tags = {}) {
  HeadscaleNode n;
  n.id = id;
  n.name = name;
  n.userName = "alice";
  n.userEmail = "alice@example.com";
  n.tags = std::move(tags);
  n.ipv4 = ipv4;
  n.ipv6 = "fd7a:115c:a1e0::" + ipv4.substr(ipv4.rfind('.') + 1);
  n.online = true;
  n.lastSeen = kNow;
  return n;
}

class NodeSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto inner = store::openSqliteStore({dir_.file("postured.db")});
    ASSERT_TRUE(inner) << inner.error().message;
    auto cached = store::CachedStore::wrap(std::move(*inner));
    ASSERT_TRUE(cached) << cached.error().message;
    store_ = std::move(*cached);
  }
  void TearDown() override { store_->close(); }

  NodeSyncOutcome sync(const std::vector<HeadscaleNode>& nodes, core::Timestamp at = kNow) {
    auto outcome = syncNodes(*store_, nodes, at);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : NodeSyncOutcome{};
  }
  const core::Device* byNode(const std::string& nodeId) {
    for (const auto& s : store_->allDeviceStates())
      if (s->device.headscaleNodeId == nodeId) {
        held_ = s;
        return &s->device;
      }
    return nullptr;
  }
  std::vector<core::AuditEvent> audit() {
    auto tx = store_->read();
    auto events = (*tx)->auditEvents({});
    return events ? *events : std::vector<core::AuditEvent>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::CachedStore> store_;
  std::shared_ptr<const store::DeviceState> held_;
};

TEST_F(NodeSyncTest, NodesBecomeDevicesAndChangesAndRemovalsFollow) {
  auto first = sync({node("1", "laptop", "100.64.0.1"), node("2", "server", "100.64.0.2", {"tag:prod"})});
  EXPECT_EQ(first.created, 2u);
  const auto* laptop = byNode("1");
  ASSERT_NE(laptop, nullptr);
  EXPECT_EQ(laptop->hostname, "laptop");
  EXPECT_EQ(laptop->user, "alice@example.com");
  EXPECT_EQ(laptop->ipv4, "100.64.0.1");
  EXPECT_EQ(laptop->online, std::optional<bool>(true));
  const auto laptopId = laptop->id;
  const auto* server = byNode("2");
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(server->user.empty());
  EXPECT_EQ(server->tags, std::vector<std::string>{"tag:prod"});

  EXPECT_FALSE(sync({node("1", "laptop", "100.64.0.1"), node("2", "server", "100.64.0.2", {"tag:prod"})}).changed())
      << "the same list writes nothing";

  // The two nodes swap addresses and the laptop is renamed: no clash on the way.
  auto renamed = node("1", "laptop", "100.64.0.2");
  renamed.givenName = "alice-laptop";
  auto moved = sync({renamed, node("2", "server", "100.64.0.1", {"tag:prod"})});
  EXPECT_EQ(moved.updated, 2u);
  EXPECT_EQ(byNode("1")->id, laptopId) << "a node keeps its device";
  EXPECT_EQ(byNode("1")->hostname, "alice-laptop");
  EXPECT_EQ(byNode("1")->ipv4, "100.64.0.2");
  EXPECT_EQ(byNode("2")->ipv4, "100.64.0.1");

  auto gone = sync({renamed});
  EXPECT_EQ(gone.removed, 1u);
  EXPECT_EQ(byNode("2"), nullptr);
  EXPECT_EQ(store_->deviceCount(), 1u);

  std::vector<std::string> actions;
  for (const auto& e : audit()) {
    EXPECT_EQ(e.actor.id, "headscale");
    actions.push_back(e.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"CREATE", "CREATE", "UPDATE", "UPDATE", "DELETE"}));
}

TEST_F(NodeSyncTest, OnlineAndLastSeenAreWrittenWithoutAuditAndLastSeenOnlyByTheMinute) {
  sync({node("1", "laptop", "100.64.0.1")});
  const auto events = audit().size();
  auto seen = node("1", "laptop", "100.64.0.1");
  seen.lastSeen = kNow + std::chrono::seconds(20);
  EXPECT_FALSE(sync({seen}).changed()) << "20 s later is no news";
  seen.lastSeen = kNow + std::chrono::minutes(2);
  seen.online = false;
  EXPECT_EQ(sync({seen}).statusOnly, 1u);
  EXPECT_EQ(byNode("1")->online, std::optional<bool>(false));
  EXPECT_EQ(byNode("1")->lastSeen, seen.lastSeen);
  EXPECT_EQ(audit().size(), events);
}

TEST_F(NodeSyncTest, ADeviceHoldingTheNodesAddressBecomesTheNodesDevice) {
  core::Device enrolled;
  enrolled.id = "nENROLLED";
  enrolled.hostname = "laptop";
  enrolled.user = "alice@example.com";
  enrolled.ipv4 = "100.64.0.9";
  enrolled.nodeKey = "nodekey:aa";
  enrolled.serialNumbers = {"C02XL0GHJGH5"};
  enrolled.created = kNow;
  {
    auto tx = store_->write();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->insertDevice(enrolled));
    ASSERT_TRUE((*tx)->commit());
  }
  auto outcome = sync({node("9", "alice-mbp", "100.64.0.9")});
  EXPECT_EQ(outcome.adopted, 1u);
  EXPECT_EQ(outcome.created, 0u) << "no second device";
  const auto* d = byNode("9");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->id, "nENROLLED");
  EXPECT_EQ(d->serialNumbers, std::vector<std::string>{"C02XL0GHJGH5"}) << "its identity stays";
  EXPECT_EQ(d->nodeKey, "nodekey:aa");
  EXPECT_EQ(d->hostname, "alice-mbp") << "headscale's name from now on";
  EXPECT_EQ(store_->deviceCount(), 1u);
}

}  // namespace
}  // namespace postured::enforce::headscale
