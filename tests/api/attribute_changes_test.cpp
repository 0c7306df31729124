// Custom-attribute writes (single and merge-patch batches) on a real SQLite
// store: validation before any write, all-or-nothing, one audit event per
// changed device.
#include "api/attribute_changes.h"

#include <gtest/gtest.h>

#include "store/cached_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace postured::api {
namespace {

using core::AttributeValue;

class AttributeChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sqlite = store::openSqliteStore(store::SqliteOptions{.path = dir_.file("postured.db")});
    ASSERT_TRUE(sqlite) << sqlite.error().message;
    store_ = std::move(*store::CachedStore::wrap(std::move(*sqlite)));
    auto tx = std::move(*store_->write());
    for (int i = 1; i <= 3; ++i) {
      core::Device d;
      d.id = "n" + std::to_string(i);
      d.hostname = "host" + std::to_string(i);
      d.user = "alice@example.com";
      d.ipv4 = "100.64.0." + std::to_string(i);
      ASSERT_TRUE(tx->insertDevice(d));
    }
    ASSERT_TRUE(tx->commit());
  }
  void TearDown() override { store_->close(); }

  core::Result<std::size_t> apply(const std::vector<AttributeChange>& changes) {
    auto tx = std::move(*store_->write());
    auto applied = applyAttributeChanges(*tx, changes, context_);
    if (applied) {
      EXPECT_TRUE(tx->commit());
    }
    return applied;
  }
  std::vector<core::DeviceAttribute> attributes(const std::string& id) {
    return *(*store_->read())->attributes(id);
  }
  std::vector<core::AuditEvent> audit() { return *(*store_->read())->auditEvents({}); }

  static AttributeChange set(std::string id, std::string key, AttributeValue v) {
    return AttributeChange{std::move(id), key, std::move(v), std::nullopt, key};
  }
  static AttributeChange remove(std::string id, std::string key) {
    return AttributeChange{std::move(id), key, std::nullopt, std::nullopt, key};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::CachedStore> store_;
  ChangeContext context_{core::AuditActor{"k1", "API_KEY", "k1", "tests"}, "CONFIG_API", core::fromUnixMillis(10'000)};
};

TEST_F(AttributeChangesTest, BatchAppliesEverythingWithOneEventPerDevice) {
  context_.comment = "bulk";
  auto applied = apply({set("n1", "custom:tier", AttributeValue(std::string("gold"))),
                        set("n1", "custom:rank", AttributeValue(1.0)),
                        set("n2", "custom:tier", AttributeValue(std::string("silver")))});
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, 2u);
  EXPECT_EQ(attributes("n1").size(), 2u);
  auto events = audit();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].target.id, "n1");
  EXPECT_EQ(events[0].target.property, "ATTRIBUTES");
  EXPECT_EQ(events[0].oldJson, R"({"custom:rank":null,"custom:tier":null})");
  EXPECT_EQ(events[0].newJson, R"({"custom:rank":1,"custom:tier":"gold"})");
  EXPECT_EQ(events[0].actionDetails, "bulk");
  EXPECT_EQ(events[0].eventGroupId, events[1].eventGroupId) << "one request, one group";
}

TEST_F(AttributeChangesTest, NullDeletesAndUnchangedValuesAreNotAudited) {
  ASSERT_TRUE(apply({set("n1", "custom:tier", AttributeValue(std::string("gold")))}));
  ASSERT_TRUE(apply({set("n1", "custom:tier", AttributeValue(std::string("gold")))}));
  EXPECT_EQ(audit().size(), 1u) << "rewriting the same value changes nothing";
  auto deleted = apply({remove("n1", "custom:tier"), remove("n2", "custom:never")});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 1u);
  EXPECT_TRUE(attributes("n1").empty());
  EXPECT_EQ(audit().back().newJson, R"({"custom:tier":null})");
}

TEST_F(AttributeChangesTest, AnyInvalidChangeWritesNothing) {
  ASSERT_TRUE(apply({set("n1", "custom:tier", AttributeValue(std::string("gold")))}));
  const std::vector<std::vector<AttributeChange>> bad = {
      {set("n2", "custom:x", AttributeValue(1.0)), set("n3", "custom:tier", AttributeValue(2.0))},  // type
      {set("n2", "custom:x", AttributeValue(1.0)), set("n3", "custom:Tier", AttributeValue(std::string("a")))},
      {set("n2", "custom:x", AttributeValue(1.0)), set("nX", "custom:y", AttributeValue(1.0))},  // no device
      {set("n2", "custom:x", AttributeValue(1.0)), set("n3", "custom:x", AttributeValue(true))},  // within batch
      {set("n2", "custom:x", AttributeValue(1.0)), set("n3", "custom:bad key", AttributeValue(1.0))},
      {set("n2", "custom:x", AttributeValue(1.0)), set("n3", "falcon:ztaScore", AttributeValue(90.0))},
      {set("n2", "custom:x", AttributeValue(1.0)), set("n3", "custom:s", AttributeValue(std::string("a b")))},
  };
  for (const auto& batch : bad) {
    auto result = apply(batch);
    ASSERT_FALSE(result) << batch.back().key;
    EXPECT_FALSE(result.error().field.empty()) << result.error().message;
  }
  EXPECT_TRUE(attributes("n2").empty());
  EXPECT_TRUE(attributes("n3").empty());
  EXPECT_EQ(audit().size(), 1u);
}

TEST_F(AttributeChangesTest, ExpiryMustBeInTheFutureAndExpiredValuesAreSwept) {
  auto past = set("n1", "custom:temp", AttributeValue(true));
  past.expiry = core::fromUnixMillis(9'000);
  EXPECT_FALSE(apply({past}));

  auto soon = set("n1", "custom:temp", AttributeValue(true));
  soon.expiry = core::fromUnixMillis(20'000);
  ASSERT_TRUE(apply({soon}));
  auto none = sweepExpiredAttributes(*store_, core::fromUnixMillis(19'999));
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0u);
  auto removed = sweepExpiredAttributes(*store_, core::fromUnixMillis(20'000));
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1u);
  EXPECT_TRUE(attributes("n1").empty());
  EXPECT_TRUE(store_->deviceState("n1")->attributes.empty()) << "the cache follows the sweep";
  const auto last = audit().back();
  EXPECT_EQ(last.actor.type, "AUTOMATED_WORKER");
  EXPECT_EQ(last.oldJson, R"({"custom:temp":true})");
}

}  // namespace
}  // namespace postured::api
