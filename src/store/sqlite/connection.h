// RAII wrappers over one sqlite3 connection and its cached prepared statements.
//
// A Connection is used by one thread at a time (it is opened with
// SQLITE_OPEN_NOMUTEX; the store hands each one out exclusively). Fixed
// statements (statements.h) are prepared once with SQLITE_PREPARE_PERSISTENT
// and live as long as the connection; a Statement borrows one for a single use
// and resets it when it goes out of scope.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "core/time.h"
#include "store/sqlite/statements.h"

namespace postured::store::sqlite {

using core::Result;

class Connection;

class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt) : connection_(&connection), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept
      : connection_(other.connection_), stmt_(other.stmt_), errorCode_(other.errorCode_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Text is bound without a copy: it must outlive the last step(). Binding a
  // temporary std::string is therefore refused at compile time.
  void bindText(int index, std::string_view text);
  void bindText(int index, const char* text) { bindText(index, std::string_view(text)); }
  void bindText(int index, std::string&& text) = delete;
  void bindInt(int index, std::int64_t value);
  void bindNull(int index);
  void bindTime(int index, core::Timestamp at) { bindInt(index, core::toUnixMillis(at)); }
  void bindTime(int index, const std::optional<core::Timestamp>& at);  // NULL when absent

  // true when a row is ready, false when the statement has finished.
  Result<bool> step();
  // Steps a statement that yields no rows (or whose rows do not matter) to its end.
  Result<void> run();
  // Extended result code of the last failed step(), for callers that map
  // constraint failures to their own errors.
  int errorCode() const { return errorCode_; }

  // Column accessors for the current row. Views are valid until the next step().
  std::string_view text(int column) const;
  std::string string(int column) const { return std::string(text(column)); }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  core::Timestamp time(int column) const { return core::fromUnixMillis(integer(column)); }
  std::optional<core::Timestamp> optionalTime(int column) const;

 private:
  Connection* connection_;
  sqlite3_stmt* stmt_;
  int errorCode_ = SQLITE_OK;
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens `path` (creating it in kReadWrite mode). Errors name the path and
  // say what to check. A file that exists but is not a database is only
  // detected by the first statement; see describeOpenFailure().
  static Result<std::unique_ptr<Connection>> open(const std::string& path, Mode mode, int busyTimeoutMs);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached statement for `sql`, prepared on first use.
  Result<Statement> statement(Sql sql);
  // A statement built at run time (a handful of variants), cached by its text.
  Result<Statement> statement(const std::string& text);
  // Runs one or more statements without reading results (pragmas, migrations).
  Result<void> exec(const char* sql);

  // False after SQLite rolled a transaction back on its own (for example on
  // SQLITE_FULL) or before BEGIN.
  bool inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // An Error for the failure `code` just reported by this connection.
  core::Error failure(int code) const;

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<sqlite3_stmt*> prepare(const char* sql);

  sqlite3* db_;
  std::string path_;
  std::array<sqlite3_stmt*, kSqlCount> cache_{};
  std::unordered_map<std::string, sqlite3_stmt*> dynamic_;
};

// The error for a database that cannot be opened or read at all, naming the
// path and what to do about it.
core::Error describeOpenFailure(const std::string& path, int code, std::string_view detail);

}  // namespace postured::store::sqlite
