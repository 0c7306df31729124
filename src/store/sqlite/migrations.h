// Schema migrations for the SQLite backend. The SQL files under
// src/store/migrations/sqlite/ are embedded at build time; applying them is
// idempotent and safe against several processes opening the file at once.
#pragma once

#include "core/result.h"
#include "core/time.h"
#include "store/sqlite/connection.h"

namespace postured::store::sqlite {

// The highest schema version this binary knows.
int latestSchemaVersion();

// Applies every embedded migration the database lacks, in order, each in its
// own IMMEDIATE transaction that also records it in schema_migrations and sets
// PRAGMA user_version. Fails, changing nothing, when the database already has
// a version above latestSchemaVersion() (it was written by a newer postured).
Result<void> migrate(Connection& connection, core::Timestamp now);

}  // namespace postured::store::sqlite
