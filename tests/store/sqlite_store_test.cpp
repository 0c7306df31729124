// The SQLite backend: the conformance suite plus what only SQLite has (the
// file, its pragmas, raw access by other programs, schema versions).
#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "store/store_conformance.h"
#include "support/temp_dir.h"
#include "support/unprivileged.h"

namespace postured::store {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Store> openSqliteIn(const std::string& dir) {
  auto store = openSqliteStore(SqliteOptions{.path = dir + "/postured.db"});
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace

POSTURED_STORE_CONFORMANCE(Sqlite, openSqliteIn);

namespace {

// A second, independent connection to the file, as another program would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK); }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // The error message, or "" on success.
  std::string exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return "";
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return message;
  }

  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::string out = "<error>";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string dbPath() const { return dir_.file("postured.db"); }

  std::unique_ptr<Store> open(core::Metrics* metrics = nullptr) {
    auto store = openSqliteStore(SqliteOptions{.path = dbPath(), .metrics = metrics});
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }

  postured::testing::TempDir dir_;
};

core::AuditEvent someEvent() {
  core::AuditEvent e;
  e.eventTime = core::fromUnixMillis(1000);
  e.actor.id = "k1";
  e.action = "CREATE";
  return e;
}

TEST_F(SqliteStoreTest, UsesWalModeAndRecordsTheMigration) {
  auto store = open();
  ASSERT_TRUE(store);
  RawDb raw(dbPath());
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA user_version"), "6");
  EXPECT_EQ(raw.text("SELECT group_concat(version || ' ' || name, ', ') FROM "
                     "(SELECT version, name FROM schema_migrations ORDER BY version)"),
            "1 initial, 2 integrations, 3 provider_attributes, 4 policy, 5 enrollment, 6 headscale_nodes");
  store->close();
}

TEST_F(SqliteStoreTest, ReopeningDoesNotReapplyMigrations) {
  open()->close();
  auto store = open();
  ASSERT_TRUE(store);
  RawDb raw(dbPath());
  EXPECT_EQ(raw.text("SELECT count(*) FROM schema_migrations"), "6");
  store->close();
}

std::string readSource(const std::string& relative) {
  std::ifstream in(std::string(POSTURED_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(SqliteStoreTest, MigrationMovesProviderAttributesIntoTheirSets) {
  {
    // A database as postured with schema version 2 left it.
    RawDb raw(dbPath());
    ASSERT_EQ(raw.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                       "applied_at INTEGER NOT NULL)"),
              "");
    ASSERT_EQ(raw.exec(readSource("src/store/migrations/sqlite/0001_initial.sql")), "");
    ASSERT_EQ(raw.exec(readSource("src/store/migrations/sqlite/0002_integrations.sql")), "");
    ASSERT_EQ(raw.exec("INSERT INTO schema_migrations VALUES (1, 'initial', 0), (2, 'integrations', 0); "
                       "PRAGMA user_version = 2;"
                       "INSERT INTO devices (id, hostname, user_login, tags, os, os_version, client_version, created, "
                       "serial_numbers, mac_addresses, posture_identity_disabled) "
                       "VALUES ('n1', 'h', 'u@example.com', '', 'linux', '', '', 0, '', '', 0);"
                       "INSERT INTO attributes VALUES ('n1', 'custom:tier', 'custom:tier', 'string', 'prod', NULL, 5),"
                       "('n1', 'sentinelone:agentversion', 'sentinelOne:agentVersion', 'string', 'a\\b', NULL, 6),"
                       "('n1', 'sentinelone:infected', 'sentinelOne:infected', 'bool', 'true', NULL, 7);"),
              "");
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto read = store->read();
  ASSERT_TRUE(read.has_value());
  auto attributes = (*read)->attributes("n1");
  ASSERT_TRUE(attributes.has_value()) << attributes.error().message;
  ASSERT_EQ(attributes->size(), 3u);
  EXPECT_EQ((*attributes)[0].key, "custom:tier");
  EXPECT_EQ((*attributes)[1].key, "sentinelOne:agentVersion");
  EXPECT_EQ((*attributes)[1].value, core::AttributeValue(std::string("a\\b")));
  EXPECT_EQ((*attributes)[1].updated, core::fromUnixMillis(6));
  EXPECT_EQ((*attributes)[2].key, "sentinelOne:infected");
  EXPECT_EQ((*attributes)[2].value, core::AttributeValue(true));
  read->reset();
  store->close();
  RawDb raw(dbPath());
  EXPECT_EQ(raw.text("SELECT group_concat(key) FROM attributes"), "custom:tier");
  EXPECT_EQ(raw.text("SELECT count(*) FROM provider_attributes"), "1");
}

TEST_F(SqliteStoreTest, AuditEventsCannotBeChangedByOtherPrograms) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto tx = store->write();
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE((*tx)->appendAudit(someEvent()).has_value());
    ASSERT_TRUE((*tx)->commit().has_value());
    store->close();
  }
  RawDb raw(dbPath());
  EXPECT_THAT(raw.exec("UPDATE audit_events SET action = 'DELETE'"), HasSubstr("append-only"));
  EXPECT_THAT(raw.exec("DELETE FROM audit_events"), HasSubstr("append-only"));
  EXPECT_EQ(raw.text("SELECT action FROM audit_events"), "CREATE");
  EXPECT_EQ(raw.exec("INSERT INTO audit_events (event_time, event_group_id, origin, actor_id, actor_type, "
                     "actor_login_name, actor_display_name, target_id, target_name, target_type, target_property, "
                     "action, old_json, new_json, action_details) "
                     "VALUES (2000, '', '', '', '', '', '', '', '', '', '', 'UPDATE', '', '', '')"),
            "")
      << "appending stays possible";
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerPostured) {
  open()->close();
  {
    RawDb raw(dbPath());
    ASSERT_EQ(raw.exec("INSERT INTO schema_migrations VALUES (8, 'future', 0); PRAGMA user_version = 8;"), "");
  }
  auto store = openSqliteStore(SqliteOptions{.path = dbPath()});
  ASSERT_FALSE(store.has_value());
  const auto& message = store.error().message;
  EXPECT_THAT(message, HasSubstr("postured.db"));
  EXPECT_THAT(message, HasSubstr("schema version 8"));
  EXPECT_THAT(message, HasSubstr("only up to 6"));
  EXPECT_THAT(message, HasSubstr("upgrade postured"));
}

TEST_F(SqliteStoreTest, RefusesWhenOnlyUserVersionIsNewer) {
  open()->close();
  {
    RawDb raw(dbPath());
    ASSERT_EQ(raw.exec("PRAGMA user_version = 7"), "");
  }
  auto store = openSqliteStore(SqliteOptions{.path = dbPath()});
  ASSERT_FALSE(store.has_value());
  EXPECT_THAT(store.error().message, HasSubstr("schema version 7"));
}

TEST_F(SqliteStoreTest, NamesThePathOfAFileThatIsNotADatabase) {
  {
    std::ofstream junk(dbPath());
    junk << std::string(4096, 'x');
  }
  auto store = openSqliteStore(SqliteOptions{.path = dbPath()});
  ASSERT_FALSE(store.has_value());
  EXPECT_THAT(store.error().message, HasSubstr(dbPath()));
  EXPECT_THAT(store.error().message, HasSubstr("not a valid SQLite database"));
}

TEST_F(SqliteStoreTest, NamesThePathOfAMissingDirectory) {
  const auto path = dir_.file("missing/dir/postured.db");
  auto store = openSqliteStore(SqliteOptions{.path = path});
  ASSERT_FALSE(store.has_value());
  EXPECT_THAT(store.error().message, HasSubstr(path));
  EXPECT_THAT(store.error().message, HasSubstr("directory exists"));
}

TEST_F(SqliteStoreTest, NamesThePathOfAReadOnlyFile) {
  open()->close();
  std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
  std::filesystem::permissions(dbPath(), std::filesystem::perms(0444));
  // Root writes any file: open it as "nobody", who may only read it.
  const auto message = testing::runUnprivileged([&] {
    auto store = openSqliteStore(SqliteOptions{.path = dbPath()});
    return store.has_value() ? std::string("opened") : store.error().message;
  });
  // Only where root may neither change its user nor give up a capability (a seccomp filter forbidding both).
  if (!message)
    GTEST_SKIP() << "running as root, and this process may neither become \"nobody\" nor drop "
                    "CAP_DAC_OVERRIDE, so no file can refuse it; as any other user, or as root allowed either, "
                    "this test runs";
  EXPECT_THAT(*message, HasSubstr(dbPath()));
}

TEST_F(SqliteStoreTest, CloseLeavesNoWalBehind) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto tx = store->write();
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE((*tx)->putSetting("s", "v").has_value());
    ASSERT_TRUE((*tx)->commit().has_value());
  }
  { auto reader = store->read(); }  // pooled readers close too
  store->close();
  const auto wal = dbPath() + "-wal";
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0);
  RawDb raw(dbPath());
  EXPECT_EQ(raw.text("SELECT value FROM settings WHERE name = 's'"), "v");
}

TEST_F(SqliteStoreTest, CountsOperationsAndTransactions) {
  core::Metrics metrics;
  auto store = open(&metrics);
  ASSERT_TRUE(store);
  {
    auto tx = store->write();
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE((*tx)->putSetting("s", "v").has_value());
    EXPECT_FALSE((*tx)->deleteDevice("ghost").has_value());
    ASSERT_TRUE((*tx)->commit().has_value());
  }
  {
    auto tx = store->write();
    ASSERT_TRUE(tx.has_value());  // destroyed: rolled back
  }
  {
    auto tx = store->read();
    ASSERT_TRUE(tx.has_value());
    EXPECT_TRUE((*tx)->attributes("n1").has_value());
  }
  store->close();
  const auto text = metrics.render();
  EXPECT_THAT(text, HasSubstr(R"(store_operations_total{op="putSetting",outcome="ok"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(store_operations_total{op="deleteDevice",outcome="error"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(store_operations_total{op="attributes",outcome="ok"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(store_operations_total{op="write",outcome="ok"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(store_transactions_total{kind="write",outcome="commit"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(store_transactions_total{kind="write",outcome="rollback"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(store_transactions_total{kind="read",outcome="commit"} 1)"));
}

TEST_F(SqliteStoreTest, ReaderConnectionsAreReused) {
  auto store = open();
  ASSERT_TRUE(store);
  // Sequential reads need one connection; a burst needs several at once.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->read().has_value());
  std::vector<std::unique_ptr<ReadTx>> open;
  for (int i = 0; i < 8; ++i) {
    auto tx = store->read();
    ASSERT_TRUE(tx.has_value()) << tx.error().message;
    open.push_back(std::move(*tx));
  }
  open.clear();
  store->close();
}

TEST_F(SqliteStoreTest, TransactionsMayOutliveTheStoreObject) {
  auto store = open();
  ASSERT_TRUE(store);
  auto read = store->read();
  ASSERT_TRUE(read.has_value());
  auto write = store->write();
  ASSERT_TRUE(write.has_value());
  store.reset();  // does not wait for the open write
  EXPECT_TRUE((*read)->devices().has_value());
  EXPECT_TRUE((*write)->putSetting("s", "v").has_value());
  EXPECT_TRUE((*write)->commit().has_value());
}

}  // namespace
}  // namespace postured::store
