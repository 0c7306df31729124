#include "store/sqlite/store_state.h"

namespace postured::store::sqlite {

core::Error storeClosed() { return {core::ErrorKind::kUnavailable, "store is closed", {}}; }

StoreState::StoreState(std::string path, int busyTimeoutMs, core::Metrics* metrics, std::unique_ptr<Connection> writer)
    : path_(std::move(path)), busyTimeoutMs_(busyTimeoutMs), metrics_(metrics), writer_(std::move(writer)) {}

Result<std::unique_ptr<Connection>> StoreState::takeReader() {
  {
    std::lock_guard lock(readersMutex_);
    if (readersClosed_) return tl::unexpected(storeClosed());
    if (!idleReaders_.empty()) {
      auto reader = std::move(idleReaders_.back());
      idleReaders_.pop_back();
      return reader;
    }
  }
  // Opening takes a while; nobody else needs to wait for it.
  return Connection::open(path_, Connection::Mode::kReadOnly, busyTimeoutMs_);
}

void StoreState::returnReader(std::unique_ptr<Connection> reader) {
  std::lock_guard lock(readersMutex_);
  if (!readersClosed_ && idleReaders_.size() < kMaxIdleReaders) idleReaders_.push_back(std::move(reader));
  // Otherwise `reader` closes here. Closing under the lock is rare (shutdown,
  // or a burst beyond the pool size) and keeps close() from racing it.
}

Result<Connection*> StoreState::acquireWriter() {
  std::unique_lock lock(writerMutex_);
  writerFree_.wait(lock, [this] { return !writerBusy_ || writerClosed_; });
  if (writerClosed_) return tl::unexpected(storeClosed());
  writerBusy_ = true;
  return writer_.get();
}

void StoreState::releaseWriter() {
  {
    std::lock_guard lock(writerMutex_);
    writerBusy_ = false;
  }
  writerFree_.notify_all();
}

void StoreState::close(bool waitForWriter) {
  {
    std::lock_guard lock(readersMutex_);
    readersClosed_ = true;
    idleReaders_.clear();
  }
  std::unique_lock lock(writerMutex_);
  if (waitForWriter) writerFree_.wait(lock, [this] { return !writerBusy_; });
  if (writerClosed_) return;
  writerClosed_ = true;
  writerFree_.notify_all();  // writers still waiting now fail with "store is closed"
  if (writerBusy_ || !writer_) return;
  // Leaves a self-contained database file behind. A reader still open elsewhere
  // can keep the WAL from being truncated; SQLite then finishes on last close.
  (void)writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  writer_.reset();
}

}  // namespace postured::store::sqlite
