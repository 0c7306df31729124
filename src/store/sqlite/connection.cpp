#include "store/sqlite/connection.h"

namespace postured::store::sqlite {

using core::ErrorKind;

Statement::~Statement() {
  if (stmt_) sqlite3_reset(stmt_);
}

void Statement::bindText(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void Statement::bindInt(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::bindNull(int index) { sqlite3_bind_null(stmt_, index); }

void Statement::bindTime(int index, const std::optional<core::Timestamp>& at) {
  if (at) {
    bindTime(index, *at);
  } else {
    bindNull(index);
  }
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  errorCode_ = rc;
  return tl::unexpected(connection_->failure(rc));
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) return {};
  }
}

std::string_view Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!data) return {};
  return std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<core::Timestamp> Statement::optionalTime(int column) const {
  if (isNull(column)) return std::nullopt;
  return time(column);
}

core::Error describeOpenFailure(const std::string& path, int code, std::string_view detail) {
  const std::string where = "cannot open the store at " + path + ": ";
  switch (code & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return {ErrorKind::kUnavailable,
              where + std::string(detail) +
                  "; check that the directory exists and that postured may read and write the file and its directory",
              {}};
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return {ErrorKind::kUnavailable,
              where + "the file is not a valid SQLite database (" + std::string(detail) +
                  "); point the store at a postured database or at a new file, or restore a backup",
              {}};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {ErrorKind::kUnavailable,
              where + "the database is locked by another process (" + std::string(detail) + "); try again",
              {}};
    default:
      return {ErrorKind::kUnavailable, where + std::string(detail), {}};
  }
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, Mode mode, int busyTimeoutMs) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // The handle must be closed even when opening failed.
  std::unique_ptr<Connection> connection(new Connection(db, path));
  if (rc != SQLITE_OK) {
    return tl::unexpected(describeOpenFailure(path, rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busyTimeoutMs);
  // SQLite silently falls back to read-only when the file is not writable.
  if (mode == Mode::kReadWrite && sqlite3_db_readonly(db, "main") == 1) {
    return tl::unexpected(describeOpenFailure(path, SQLITE_READONLY, "the file is read-only"));
  }
  return connection;
}

Connection::~Connection() {
  for (auto* stmt : cache_) sqlite3_finalize(stmt);  // finalize(nullptr) is a no-op
  for (auto& [text, stmt] : dynamic_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

core::Error Connection::failure(int code) const {
  std::string message = "SQLite error on " + path_ + ": " + sqlite3_errmsg(db_);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {ErrorKind::kUnavailable, message + "; another process holds the database, try again", {}};
    case SQLITE_CONSTRAINT:
      return {ErrorKind::kConflict, std::move(message), {}};
    case SQLITE_FULL:
      return {ErrorKind::kUnavailable, message + "; free disk space", {}};
    default:
      return {ErrorKind::kInternal, std::move(message), {}};
  }
}

Result<sqlite3_stmt*> Connection::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(failure(rc));
  return stmt;
}

Result<Statement> Connection::statement(Sql sql) {
  auto& slot = cache_[static_cast<std::size_t>(sql)];
  if (!slot) {
    auto prepared = prepare(sqlText(sql));
    if (!prepared) return tl::unexpected(std::move(prepared.error()));
    slot = *prepared;
  }
  return Statement(*this, slot);
}

Result<Statement> Connection::statement(const std::string& text) {
  auto it = dynamic_.find(text);
  if (it == dynamic_.end()) {
    auto prepared = prepare(text.c_str());
    if (!prepared) return tl::unexpected(std::move(prepared.error()));
    it = dynamic_.emplace(text, *prepared).first;
  }
  return Statement(*this, it->second);
}

Result<void> Connection::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(failure(rc));
  return {};
}

}  // namespace postured::store::sqlite
