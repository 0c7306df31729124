// A Store decorator that keeps the latest committed state of every device
// (the device and its attributes) in memory, so hot reads (GET attributes,
// and the policy engine) never touch the database.
//
// The copy is loaded when the store is wrapped and updated right after each
// successful commit of a WriteTx opened through this decorator, from the
// changes that transaction made; a rolled-back transaction changes nothing.
// Every write must therefore go through this object, never the inner store.
// Readers get immutable snapshots (shared_ptr<const DeviceState>) that stay
// valid while later commits replace them. Thread-safe.
//
// The inner store's read() is passed through unchanged, so the transactional
// API keeps its snapshot semantics. write() also takes this decorator's own
// writer token for the transaction's whole life, so that a commit and its
// cache update happen together and in commit order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace postured::store {

struct DeviceState {
  explicit DeviceState(std::shared_ptr<const core::Device> shared, std::vector<core::DeviceAttribute> attrs = {})
      : sharedDevice(std::move(shared)), device(*sharedDevice), attributes(std::move(attrs)) {}
  explicit DeviceState(core::Device d, std::vector<core::DeviceAttribute> attrs = {})
      : DeviceState(std::make_shared<const core::Device>(std::move(d)), std::move(attrs)) {}

  // The device is shared by the successive states of one device while only
  // its attributes change, so a sync that rewrites the attributes of every
  // device copies no device. `device` is *sharedDevice, for reading.
  std::shared_ptr<const core::Device> sharedDevice;
  const core::Device& device;
  std::vector<core::DeviceAttribute> attributes;  // as the store keeps them, expired ones included
};

// Device states by position (see CachedStore::snapshot); null where a device was removed.
using DeviceStates = std::vector<std::shared_ptr<const DeviceState>>;

class CachedStore final : public Store {
 public:
  static Result<std::unique_ptr<CachedStore>> wrap(std::unique_ptr<Store> inner);

  Result<std::unique_ptr<ReadTx>> read() override;
  Result<std::unique_ptr<WriteTx>> write() override;
  void close() override;

  // Latest committed state of a device, or null when it does not exist.
  std::shared_ptr<const DeviceState> deviceState(std::string_view id) const;
  std::size_t deviceCount() const;
  // Every device's latest committed state (a consistent set, in no order).
  std::vector<std::shared_ptr<const DeviceState>> allDeviceStates() const;

  // Every device's latest committed state by position, with the generations
  // they are at, without copying the fleet. A device keeps its position for
  // as long as it exists, so an index over positions (the sync's serial
  // index) stays valid for as long as deviceGeneration does; a removed
  // device leaves a null that a later insert may take.
  struct Snapshot {
    std::shared_ptr<const DeviceStates> states;
    std::uint64_t deviceGeneration = 0;
    std::uint64_t stateGeneration = 0;
  };
  Snapshot snapshot() const;
  // Changes whenever a commit inserted, updated or deleted a device (not on
  // attribute changes). Read it before the states it should describe: a
  // commit in between then shows as a change, never the other way round.
  std::uint64_t deviceGeneration() const { return deviceGeneration_.load(); }
  // Changes whenever a commit changed any device or any attribute (what the
  // policy compiler reads). Same rule: read it before the states.
  std::uint64_t stateGeneration() const { return stateGeneration_.load(); }

  // Changes whenever a commit saved a policy version, so readers can keep
  // the policy in force in memory. Same rule: read it before the policy.
  std::uint64_t policyGeneration() const { return policyGeneration_.load(); }

  // The devices whose state (the device or its attributes) changed in the
  // commits after state generation `since`, and the generation they bring the
  // caller to; nullopt when that history is no longer kept (the caller then
  // reads everything again). Lets the policy engine recompute only what a
  // commit touched.
  struct ChangedDevices {
    std::vector<std::string> ids;  // sorted, unique
    std::uint64_t generation = 0;
  };
  std::optional<ChangedDevices> changedSince(std::uint64_t since) const;

  // Changes after every commit that changed something a decision reads: a
  // device, an attribute or the policy. Enforcers (the headscale push) wait
  // on it instead of polling. waitForDecisionChange returns the generation
  // once it differs from `seen`, or at `until` (then it may equal `seen`).
  std::uint64_t decisionGeneration() const;
  std::uint64_t waitForDecisionChange(std::uint64_t seen, std::chrono::steady_clock::time_point until) const;

 private:
  class RecordingTx;
  friend class RecordingTx;
  struct Change;

  explicit CachedStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  void apply(std::deque<Change>& changes);
  void noteDecisionChange();
  // A token rather than a mutex: a transaction may end on another thread.
  void acquireWriter();
  void releaseWriter();

  std::unique_ptr<Store> inner_;
  mutable std::shared_mutex mutex_;
  // Positions, shared with snapshots: a commit changes them in place when no
  // snapshot holds them, and copies them first otherwise.
  std::shared_ptr<DeviceStates> states_ = std::make_shared<DeviceStates>();
  struct IdHash {
    using is_transparent = void;  // looked up by string_view, without a copy
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>()(id); }
  };
  std::unordered_map<std::string, std::uint32_t, IdHash, std::equal_to<>> positionOf_;  // device id -> index in states_
  std::vector<std::uint32_t> freePositions_;
  std::atomic<std::uint64_t> deviceGeneration_{0};
  std::atomic<std::uint64_t> stateGeneration_{0};
  std::atomic<std::uint64_t> policyGeneration_{0};
  // The ids each recent commit touched, oldest first, bounded by kJournalIds in all.
  struct JournalEntry {
    std::uint64_t generation;
    std::vector<std::string> ids;
  };
  std::deque<JournalEntry> journal_;
  std::size_t journalIds_ = 0;
  mutable std::mutex decisionMutex_;
  mutable std::condition_variable decisionChanged_;
  std::uint64_t decisionGeneration_ = 0;
  std::mutex writerMutex_;
  std::condition_variable writerFree_;
  bool writerBusy_ = false;
};

}  // namespace postured::store
