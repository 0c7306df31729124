#include "store/sqlite/sqlite_store.h"

#include <exception>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/store_state.h"
#include "store/sqlite/transactions.h"

namespace postured::store {

namespace {

using core::ErrorKind;
using sqlite::Connection;
using sqlite::Op;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::shared_ptr<sqlite::StoreState> state) : state_(std::move(state)) {}
  // Does not wait for a WriteTx that is still open; see StoreState::close().
  ~SqliteStore() override { state_->close(false); }

  Result<std::unique_ptr<ReadTx>> read() override {
    auto result = begin<ReadTx>([&]() -> Result<std::unique_ptr<ReadTx>> {
      auto reader = state_->takeReader();
      if (!reader) return tl::unexpected(std::move(reader.error()));
      // A reader that failed to begin is dropped rather than pooled.
      if (auto begun = sqlite::beginRead(**reader); !begun) return tl::unexpected(std::move(begun.error()));
      return std::make_unique<sqlite::SqliteReadTx>(state_, std::move(*reader));
    });
    state_->metrics().operation(Op::kRead, result.has_value());
    return result;
  }

  Result<std::unique_ptr<WriteTx>> write() override {
    auto result = begin<WriteTx>([&]() -> Result<std::unique_ptr<WriteTx>> {
      auto writer = state_->acquireWriter();
      if (!writer) return tl::unexpected(std::move(writer.error()));
      if (auto begun = sqlite::beginWrite(**writer); !begun) {
        state_->releaseWriter();
        return tl::unexpected(std::move(begun.error()));
      }
      return std::make_unique<sqlite::SqliteWriteTx>(state_, **writer);
    });
    state_->metrics().operation(Op::kWrite, result.has_value());
    return result;
  }

  // Waits for an open WriteTx to finish, then checkpoints and closes.
  void close() override { state_->close(true); }

 private:
  template <class Tx, class Work>
  static Result<std::unique_ptr<Tx>> begin(Work&& work) {
    try {
      return work();
    } catch (const std::exception& e) {
      return core::fail(ErrorKind::kInternal, std::string("starting a store transaction failed: ") + e.what());
    }
  }

  std::shared_ptr<sqlite::StoreState> state_;
};

// WAL with synchronous=FULL: every commit is fsynced to the WAL before
// write() returns. NORMAL would only risk losing the newest commits on power
// loss, but those can be an API key revocation or the removal of stale
// posture attributes, which must not silently come back. Write volume is a
// control plane's (API calls, one transaction per sync run), so the fsync
// per commit is affordable; reads never fsync.
Result<void> configureWriter(Connection& writer) {
  {
    auto st = writer.statement(std::string("PRAGMA journal_mode = WAL"));
    if (!st) return tl::unexpected(std::move(st.error()));
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row || st->text(0) != "wal") {
      return core::fail(ErrorKind::kUnavailable, "cannot open the store at " + writer.path() +
                                                     ": SQLite refused WAL mode (journal mode " + st->string(0) +
                                                     "); put the database on a local file system");
    }
  }
  // A sync of a large fleet rewrites 100,000 rows in one transaction; with
  // SQLite's default 2,000-page cache those pages spill to the WAL and are
  // read back again. 8 MiB is as fast for a first sync of 100,000 devices as
  // 16 MiB was (bench/sync), and 8 MiB less at the sync's peak.
  return writer.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192;");
}

Result<std::unique_ptr<Store>> open(const SqliteOptions& options) {
  if (options.path.empty()) return core::fail(ErrorKind::kInvalidArgument, "the store path is empty", "path");
  auto writer = Connection::open(options.path, Connection::Mode::kReadWrite, options.busyTimeoutMs);
  if (!writer) return tl::unexpected(std::move(writer.error()));
  // A file that is not a database is only noticed by the first statement.
  if (auto configured = configureWriter(**writer); !configured) {
    const int code = sqlite3_extended_errcode((*writer)->handle());
    if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_CANTOPEN ||
        (code & 0xff) == SQLITE_IOERR)
      return tl::unexpected(sqlite::describeOpenFailure(options.path, code, sqlite3_errmsg((*writer)->handle())));
    return tl::unexpected(std::move(configured.error()));
  }
  if (auto migrated = sqlite::migrate(**writer, core::SystemClock().now()); !migrated)
    return tl::unexpected(std::move(migrated.error()));
  auto state =
      std::make_shared<sqlite::StoreState>(options.path, options.busyTimeoutMs, options.metrics, std::move(*writer));
  return std::make_unique<SqliteStore>(std::move(state));
}

}  // namespace

Result<std::unique_ptr<Store>> openSqliteStore(const SqliteOptions& options) {
  try {
    return open(options);
  } catch (const std::exception& e) {
    return core::fail(ErrorKind::kInternal, "opening the store at " + options.path + " failed: " + e.what());
  }
}

}  // namespace postured::store
