// The conformance suite every Store backend passes. It asserts behaviour a
// user of the store would notice, never how a backend achieves it.
//
// A backend instantiates it with one line, giving a factory that opens (and
// creates when absent) a store kept under a directory:
//
//   POSTURED_STORE_CONFORMANCE(Sqlite, openMySqliteStore);
//
// The factory reports its own failures (ADD_FAILURE) and returns nullptr.
// It is called again on the same directory to test persistence.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "store/store.h"
#include "support/temp_dir.h"

namespace postured::store::conformance {

using StoreFactory = std::function<std::unique_ptr<Store>(const std::string& dir)>;

struct StoreBackend {
  std::string name;  // test-name suffix: letters and digits only
  StoreFactory open;
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string backendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path().string());
    ASSERT_NE(store_, nullptr) << "the " << GetParam().name << " factory could not open a store";
  }

  void TearDown() override { closeStore(); }

  void closeStore() {
    if (store_) store_->close();
    store_.reset();
  }

  // Closes the store and opens the same directory again.
  void reopen() {
    closeStore();
    store_ = GetParam().open(dir_.path().string());
    ASSERT_NE(store_, nullptr) << "reopening the store failed";
  }

  // nullptr (with a recorded failure) when the transaction could not start.
  std::unique_ptr<WriteTx> beginWrite() {
    auto tx = store_->write();
    if (!tx) {
      ADD_FAILURE() << "write() failed: " << tx.error().message;
      return nullptr;
    }
    return std::move(*tx);
  }

  std::unique_ptr<ReadTx> beginRead() {
    auto tx = store_->read();
    if (!tx) {
      ADD_FAILURE() << "read() failed: " << tx.error().message;
      return nullptr;
    }
    return std::move(*tx);
  }

  postured::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace postured::store::conformance

// Asserts that a Result holds a value, printing the error otherwise.
#define STORE_ASSERT_OK(expr)                                                                                      \
  do {                                                                                                             \
    auto&& store_assert_result_ = (expr);                                                                          \
    ASSERT_TRUE(store_assert_result_.has_value()) << #expr << " failed: " << store_assert_result_.error().message; \
  } while (0)

// Declares `var` holding the value of a Result, or fails the test.
#define STORE_ASSIGN_OR_FAIL(var, expr)                                                            \
  auto var##_result_ = (expr);                                                                     \
  ASSERT_TRUE(var##_result_.has_value()) << #expr << " failed: " << var##_result_.error().message; \
  auto var = std::move(*var##_result_)

// The one line a backend adds to run the suite (at namespace scope; gtest
// needs the suite's unqualified name, hence the using-declaration).
#define POSTURED_STORE_CONFORMANCE(Name, factory)                                                           \
  using ::postured::store::conformance::StoreConformance;                                                   \
  INSTANTIATE_TEST_SUITE_P(Name, StoreConformance,                                                          \
                           ::testing::Values(::postured::store::conformance::StoreBackend{#Name, factory}), \
                           ::postured::store::conformance::backendName)
