// The embedded default backend: one SQLite file in WAL mode. Writers use
// BEGIN IMMEDIATE on a dedicated connection; readers use a pool of read-only
// connections, so reads never wait for a writer.
#pragma once

#include <memory>
#include <string>

#include "core/metrics.h"
#include "store/store.h"

namespace postured::store {

struct SqliteOptions {
  std::string path;                   // database file; created when absent
  core::Metrics* metrics = nullptr;   // store_operations_total{op,outcome}; optional
  int busyTimeoutMs = 5000;
};

// Opens (creating and migrating as needed) the database. Fails with a clear
// message when the file was written by a newer postured (schema version
// above what this binary knows) or cannot be opened.
Result<std::unique_ptr<Store>> openSqliteStore(const SqliteOptions& options);

}  // namespace postured::store
