#include "store/sqlite/migrations.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "sqlite_migrations.inc"

namespace postured::store::sqlite {

namespace {

using core::ErrorKind;

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

// The version a database is at: the higher of user_version and the newest
// recorded migration, so tampering with either one still stops an old binary.
Result<int> currentVersion(Connection& connection) {
  std::int64_t version = 0;
  for (const char* sql : {"PRAGMA user_version", "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"}) {
    auto st = connection.statement(std::string(sql));
    if (!st) return tl::unexpected(std::move(st.error()));
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (*row) version = std::max(version, st->integer(0));
  }
  return static_cast<int>(version);
}

Result<bool> isApplied(Connection& connection, int version) {
  auto st = connection.statement(std::string("SELECT 1 FROM schema_migrations WHERE version = ?1"));
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindInt(1, version);
  return st->step();
}

Result<void> record(Connection& connection, const EmbeddedMigration& migration, core::Timestamp now) {
  auto st = connection.statement(
      std::string("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"));
  if (!st) return tl::unexpected(std::move(st.error()));
  st->bindInt(1, migration.version);
  st->bindText(2, migration.name);
  st->bindTime(3, now);
  if (auto done = st->run(); !done) return done;
  // PRAGMA takes no parameters; the version is an integer we control.
  const std::string pragma = "PRAGMA user_version = " + std::to_string(migration.version);
  return connection.exec(pragma.c_str());
}

Result<void> apply(Connection& connection, const EmbeddedMigration& migration, core::Timestamp now) {
  if (auto begun = connection.exec("BEGIN IMMEDIATE"); !begun) return begun;
  // Another process may have applied it since we looked.
  auto applied = isApplied(connection, migration.version);
  Result<void> result;
  if (!applied) {
    result = tl::unexpected(std::move(applied.error()));
  } else if (!*applied) {
    result = connection.exec(migration.sql);
    if (result) result = record(connection, migration, now);
  }
  if (result) result = connection.exec("COMMIT");
  if (!result) {
    if (connection.inTransaction()) (void)connection.exec("ROLLBACK");
    char number[16];
    std::snprintf(number, sizeof number, "%04d", migration.version);
    return core::fail(result.error().kind, "applying schema migration " + std::string(number) + "_" + migration.name +
                                               " failed: " + result.error().message);
  }
  return {};
}

}  // namespace

int latestSchemaVersion() { return std::end(kSqliteMigrations)[-1].version; }

Result<void> migrate(Connection& connection, core::Timestamp now) {
  if (auto created = connection.exec(kCreateMigrationsTable); !created) return created;
  auto version = currentVersion(connection);
  if (!version) return tl::unexpected(std::move(version.error()));
  const int latest = latestSchemaVersion();
  if (*version > latest) {
    const auto file = std::filesystem::path(connection.path()).filename().string();
    return core::fail(ErrorKind::kPreconditionFailed,
                      file + " (" + connection.path() + ") has schema version " + std::to_string(*version) +
                          " but this postured knows only up to " + std::to_string(latest) +
                          "; upgrade postured or restore a backup");
  }
  for (const auto& migration : kSqliteMigrations) {
    if (migration.version <= *version) continue;
    if (auto applied = apply(connection, migration, now); !applied) return applied;
  }
  return {};
}

}  // namespace postured::store::sqlite
