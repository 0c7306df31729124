// The embedded default backend: one SQLite file in WAL mode. Writers use
// BEGIN IMMEDIATE on a dedicated connection; readers use a pool of read-only
// connections, so reads never wait for a writer.
//
// write() waits while another WriteTx is open (so a thread must not open a
// second one while holding the first). A ReadTx sees the database as of
// read(). close() waits for an open WriteTx, checkpoints the WAL into the main
// file and closes every idle connection; transactions still open keep working
// and close their connection when destroyed. Destroying the Store without
// close() does the same but does not wait for an open WriteTx.
#pragma once

#include <memory>
#include <string>

#include "core/metrics.h"
#include "store/store.h"

namespace postured::store {

struct SqliteOptions {
  std::string path;                  // database file; created when absent
  core::Metrics* metrics = nullptr;  // store_operations_total{op,outcome}; optional
  int busyTimeoutMs = 5000;
};

// Opens (creating and migrating as needed) the database. Fails with a clear
// message when the file was written by a newer postured (schema version
// above what this binary knows) or cannot be opened.
Result<std::unique_ptr<Store>> openSqliteStore(const SqliteOptions& options);

}  // namespace postured::store
