// Connections of one open SQLite store, shared between the store and its
// transactions (through shared_ptr, so a transaction that outlives the Store
// object still releases into something valid).
//
// Readers: a pool of read-only connections, grown on demand and reused; taking
// or returning one locks only the pool mutex, never the writer's.
// Writer: one read-write connection handed to at most one WriteTx at a time.
// The slot is a flag under a mutex and condition variable rather than a held
// std::mutex, because a WriteTx may be finished on a different thread from the
// one that started it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/store_metrics.h"

namespace postured::store::sqlite {

class StoreState {
 public:
  StoreState(std::string path, int busyTimeoutMs, core::Metrics* metrics, std::unique_ptr<Connection> writer);

  const StoreMetrics& metrics() const { return metrics_; }

  // An idle reader, or a newly opened one. kUnavailable once closed.
  Result<std::unique_ptr<Connection>> takeReader();
  // Back into the pool (or closed, when the store is closed or the pool is full).
  void returnReader(std::unique_ptr<Connection> reader);

  // Waits until no other WriteTx holds the writer, then hands it out.
  // kUnavailable once closed.
  Result<Connection*> acquireWriter();
  void releaseWriter();

  // Stops handing out connections, closes idle readers and, once the writer is
  // free, checkpoints the WAL into the database file and closes the writer.
  // With waitForWriter false an open WriteTx is not waited for; its connection
  // then closes when the last transaction lets go of this state.
  void close(bool waitForWriter);

 private:
  static constexpr std::size_t kMaxIdleReaders = 32;

  const std::string path_;
  const int busyTimeoutMs_;
  const StoreMetrics metrics_;

  std::mutex readersMutex_;
  std::vector<std::unique_ptr<Connection>> idleReaders_;
  bool readersClosed_ = false;

  std::mutex writerMutex_;
  std::condition_variable writerFree_;
  bool writerBusy_ = false;
  bool writerClosed_ = false;
  std::unique_ptr<Connection> writer_;
};

core::Error storeClosed();

}  // namespace postured::store::sqlite
