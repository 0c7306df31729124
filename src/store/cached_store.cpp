#include "store/cached_store.h"

#include <algorithm>
#include <variant>

#include "core/text.h"

namespace postured::store {

namespace {

// Enough for a full sync of a large fleet between two reads; beyond it a
// reader rebuilds from every state, which is what it would cost anyway.
constexpr std::size_t kJournalIds = 200000;

bool foldedLess(const core::DeviceAttribute& a, const core::DeviceAttribute& b) {
  return std::lexicographical_compare(a.key.begin(), a.key.end(), b.key.begin(), b.key.end(), [](char x, char y) {
    // as std::string compares: unsigned bytes
    return static_cast<unsigned char>(core::foldAscii(x)) < static_cast<unsigned char>(core::foldAscii(y));
  });
}

}  // namespace

// One change a transaction made, replayed on the cache after its commit.
// A sync records hundreds of thousands of these: each carries only its own payload.
struct CachedStore::Change {
  enum class Kind { kPutDevice, kUpdateDevice, kDeleteDevice, kPutAttribute, kDeleteAttribute, kReplaceProvider } kind;
  struct ProviderSet {
    std::string ns;
    std::vector<core::DeviceAttribute> attributes;
  };
  std::string deviceId;
  // device, attribute, key or provider set
  std::variant<std::monostate, std::shared_ptr<const core::Device>, core::DeviceAttribute, std::string, ProviderSet>
      payload;

  const std::shared_ptr<const core::Device>& device() const {
    return std::get<std::shared_ptr<const core::Device>>(payload);
  }
  const core::DeviceAttribute& attribute() const { return std::get<core::DeviceAttribute>(payload); }
  const std::string& key() const { return std::get<std::string>(payload); }
};

// Forwards everything to the inner transaction and records the changes that succeeded.
class CachedStore::RecordingTx final : public WriteTx {
 public:
  RecordingTx(CachedStore& owner, std::unique_ptr<WriteTx> inner) : owner_(owner), inner_(std::move(inner)) {}
  ~RecordingTx() override {
    inner_.reset();  // rolls back unless committed
    releaseWriterOnce();
  }

  Result<std::optional<core::Device>> device(std::string_view id) override { return inner_->device(id); }
  Result<std::vector<core::Device>> devices() override { return inner_->devices(); }
  Result<UsedAddresses> usedAddresses() override { return inner_->usedAddresses(); }
  Result<std::vector<core::DeviceAttribute>> attributes(std::string_view id) override { return inner_->attributes(id); }
  Result<std::unordered_map<std::string, std::vector<core::DeviceAttribute>>> allAttributes() override {
    return inner_->allAttributes();
  }
  Result<std::optional<AttributeKeyInfo>> attributeKey(std::string_view key) override {
    return inner_->attributeKey(key);
  }
  Result<std::vector<ExpiredAttribute>> expiredAttributes(core::Timestamp now) override {
    return inner_->expiredAttributes(now);
  }
  Result<std::vector<core::AuditEvent>> auditEvents(const AuditQuery& q) override { return inner_->auditEvents(q); }
  Result<std::optional<core::ApiKey>> apiKey(std::string_view id) override { return inner_->apiKey(id); }
  Result<std::vector<core::ApiKey>> apiKeys() override { return inner_->apiKeys(); }
  Result<std::optional<std::string>> setting(std::string_view name) override { return inner_->setting(name); }
  Result<std::vector<core::Integration>> integrations() override { return inner_->integrations(); }
  Result<std::optional<core::Integration>> integration(std::string_view id) override { return inner_->integration(id); }
  Result<std::vector<core::IntegrationRun>> integrationRuns(std::string_view id, std::size_t limit) override {
    return inner_->integrationRuns(id, limit);
  }
  Result<std::optional<PolicyVersion>> currentPolicy() override { return inner_->currentPolicy(); }
  Result<std::vector<PolicyVersion>> policyHistory(std::size_t limit) override { return inner_->policyHistory(limit); }

  Result<void> insertDevice(const core::Device& d) override {
    return record(inner_->insertDevice(d),
                  Change{Change::Kind::kPutDevice, d.id, std::make_shared<const core::Device>(d)});
  }
  Result<void> updateDevice(const core::Device& d) override {
    return record(inner_->updateDevice(d),
                  Change{Change::Kind::kUpdateDevice, d.id, std::make_shared<const core::Device>(d)});
  }
  Result<void> deleteDevice(std::string_view id) override {
    return record(inner_->deleteDevice(id), Change{Change::Kind::kDeleteDevice, std::string(id), {}});
  }
  Result<void> putAttribute(std::string_view id, const core::DeviceAttribute& a) override {
    return record(inner_->putAttribute(id, a), Change{Change::Kind::kPutAttribute, std::string(id), a});
  }
  Result<bool> deleteAttribute(std::string_view id, std::string_view key) override {
    auto deleted = inner_->deleteAttribute(id, key);
    if (deleted && *deleted)
      changes_.push_back(Change{Change::Kind::kDeleteAttribute, std::string(id), std::string(key)});
    return deleted;
  }
  Result<void> replaceProviderAttributes(std::string_view id, std::string_view ns,
                                         std::vector<core::DeviceAttribute> attributes) override {
    // The inner store only reads the set; the recorded change keeps it for the cache.
    auto outcome = inner_->replaceProviderAttributes(id, ns, attributes);
    return record(std::move(outcome), Change{Change::Kind::kReplaceProvider, std::string(id),
                                             Change::ProviderSet{std::string(ns), std::move(attributes)}});
  }
  Result<void> appendAudit(const core::AuditEvent& e) override { return inner_->appendAudit(e); }
  Result<void> insertApiKey(const core::ApiKey& k) override { return inner_->insertApiKey(k); }
  Result<void> revokeApiKey(std::string_view id, core::Timestamp at) override { return inner_->revokeApiKey(id, at); }
  Result<bool> markAuthKeyUsed(std::string_view id, core::Timestamp at) override {
    return inner_->markAuthKeyUsed(id, at);
  }
  Result<void> putSetting(std::string_view n, std::string_view v) override { return inner_->putSetting(n, v); }
  Result<void> insertIntegration(const core::Integration& i) override { return inner_->insertIntegration(i); }
  Result<void> updateIntegration(const core::Integration& i) override { return inner_->updateIntegration(i); }
  Result<void> deleteIntegration(std::string_view id) override { return inner_->deleteIntegration(id); }
  Result<void> insertRun(const core::IntegrationRun& r) override { return inner_->insertRun(r); }
  Result<void> updateRun(const core::IntegrationRun& r) override { return inner_->updateRun(r); }
  Result<std::int64_t> appendPolicyVersion(const PolicyVersion& v) override {
    auto sequence = inner_->appendPolicyVersion(v);
    policyChanged_ |= sequence.has_value();
    return sequence;
  }

  Result<void> commit() override {
    auto ok = inner_->commit();
    if (ok) {
      const bool decisionInputs = policyChanged_ || !changes_.empty();
      owner_.apply(changes_);
      if (policyChanged_) ++owner_.policyGeneration_;
      if (decisionInputs) owner_.noteDecisionChange();
    }
    std::deque<Change>().swap(changes_);  // a sync's changes can be large: give the memory back
    // The inner transaction is finished either way (Store: "after commit() the
    // transaction is finished"); the cache is updated, so the next writer may go.
    releaseWriterOnce();
    return ok;
  }

 private:
  void releaseWriterOnce() {
    if (released_) return;
    released_ = true;
    owner_.releaseWriter();
  }

  bool policyChanged_ = false;

  Result<void> record(Result<void> outcome, Change change) {
    if (outcome) changes_.push_back(std::move(change));
    return outcome;
  }

  CachedStore& owner_;
  std::unique_ptr<WriteTx> inner_;
  bool released_ = false;
  // A deque: a sync records 100,000 changes, and a vector would hold them
  // twice over while it grows.
  std::deque<Change> changes_;
};

Result<std::unique_ptr<CachedStore>> CachedStore::wrap(std::unique_ptr<Store> inner) {
  std::unique_ptr<CachedStore> cached(new CachedStore(std::move(inner)));
  auto tx = cached->inner_->read();
  if (!tx) return tl::unexpected(tx.error());
  auto devices = (*tx)->devices();
  if (!devices) return tl::unexpected(devices.error());
  auto attributes = (*tx)->allAttributes();
  if (!attributes) return tl::unexpected(attributes.error());
  cached->states_->reserve(devices->size());
  cached->positionOf_.reserve(devices->size());
  for (auto& d : *devices) {
    std::vector<core::DeviceAttribute> attrs;
    if (auto it = attributes->find(d.id); it != attributes->end()) attrs = std::move(it->second);
    cached->positionOf_.emplace(d.id, static_cast<std::uint32_t>(cached->states_->size()));
    cached->states_->push_back(std::make_shared<DeviceState>(std::move(d), std::move(attrs)));
  }
  return cached;
}

Result<std::unique_ptr<ReadTx>> CachedStore::read() { return inner_->read(); }

Result<std::unique_ptr<WriteTx>> CachedStore::write() {
  acquireWriter();
  auto tx = inner_->write();
  if (!tx) {
    releaseWriter();
    return tl::unexpected(tx.error());
  }
  return std::unique_ptr<WriteTx>(std::make_unique<RecordingTx>(*this, std::move(*tx)));
}

void CachedStore::acquireWriter() {
  std::unique_lock lock(writerMutex_);
  writerFree_.wait(lock, [this] { return !writerBusy_; });
  writerBusy_ = true;
}

void CachedStore::releaseWriter() {
  {
    std::lock_guard lock(writerMutex_);
    writerBusy_ = false;
  }
  writerFree_.notify_one();
}

void CachedStore::close() { inner_->close(); }

std::shared_ptr<const DeviceState> CachedStore::deviceState(std::string_view id) const {
  std::shared_lock lock(mutex_);
  auto it = positionOf_.find(id);
  return it == positionOf_.end() ? nullptr : (*states_)[it->second];
}

std::size_t CachedStore::deviceCount() const {
  std::shared_lock lock(mutex_);
  return positionOf_.size();
}

std::vector<std::shared_ptr<const DeviceState>> CachedStore::allDeviceStates() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const DeviceState>> out;
  out.reserve(positionOf_.size());
  for (const auto& state : *states_)
    if (state) out.push_back(state);
  return out;
}

CachedStore::Snapshot CachedStore::snapshot() const {
  std::shared_lock lock(mutex_);
  return Snapshot{states_, deviceGeneration_.load(), stateGeneration_.load()};
}

void CachedStore::apply(std::deque<Change>& changes) {
  // Copy-on-write: build each touched device's new state, then swap it in.
  // Keyed by the changes' own ids, which outlive this call.
  std::unordered_map<std::string_view, std::shared_ptr<DeviceState>> touched;
  auto stateFor = [&](const std::string& id) -> std::shared_ptr<DeviceState>& {
    auto [it, fresh] = touched.try_emplace(id);
    if (fresh) {
      std::shared_lock lock(mutex_);
      if (auto found = positionOf_.find(id); found != positionOf_.end())
        it->second = std::make_shared<DeviceState>(*(*states_)[found->second]);
    }
    return it->second;
  };
  bool devicesChanged = false;
  for (auto& c : changes) {  // provider sets are moved into the states, not copied
    auto& state = stateFor(c.deviceId);
    devicesChanged |= c.kind == Change::Kind::kPutDevice || c.kind == Change::Kind::kUpdateDevice ||
                      c.kind == Change::Kind::kDeleteDevice;
    switch (c.kind) {
      case Change::Kind::kPutDevice:
        state = std::make_shared<DeviceState>(c.device());
        break;
      case Change::Kind::kUpdateDevice:
        if (state) {
          auto device = *c.device();
          device.created = state->device.created;  // set once, at creation
          state = std::make_shared<DeviceState>(std::move(device), std::move(state->attributes));
        }
        break;
      case Change::Kind::kDeleteDevice:
        state.reset();
        break;
      case Change::Kind::kPutAttribute: {
        if (!state) break;
        auto& attrs = state->attributes;
        auto it = std::find_if(attrs.begin(), attrs.end(),
                               [&](const auto& a) { return core::equalsIgnoreCase(a.key, c.attribute().key); });
        if (it == attrs.end()) {
          attrs.insert(std::upper_bound(attrs.begin(), attrs.end(), c.attribute(), foldedLess), c.attribute());
        } else {
          const auto spelling = it->key;  // the store keeps the first spelling of a key
          *it = c.attribute();
          it->key = spelling;
        }
        break;
      }
      case Change::Kind::kDeleteAttribute:
        if (state)
          std::erase_if(state->attributes, [&](const auto& a) { return core::equalsIgnoreCase(a.key, c.key()); });
        break;
      case Change::Kind::kReplaceProvider: {
        if (!state) break;
        auto& set = std::get<Change::ProviderSet>(c.payload);
        // The set becomes the state's vector, joined by the attributes of other
        // namespaces: a sync's sets are then the cache's new attributes, not
        // copied into a second buffer each while all of them are alive.
        auto& next = set.attributes;
        for (auto& a : state->attributes)
          if (!core::inNamespace(a.key, set.ns)) next.push_back(std::move(a));
        std::sort(next.begin(), next.end(), foldedLess);
        state->attributes = std::move(next);
        break;
      }
    }
  }
  std::vector<std::string> ids;
  ids.reserve(touched.size());
  for (const auto& [id, state] : touched) ids.emplace_back(id);
  std::sort(ids.begin(), ids.end());
  if (touched.empty()) return;
  std::unique_lock lock(mutex_);
  if (states_.use_count() > 1) {
    states_ = std::make_shared<DeviceStates>(*states_);  // a snapshot holds them
  } else {
    // The last snapshot was let go, maybe on another thread just now: its
    // reads must happen before the writes below (pairs with the release in
    // shared_ptr's count decrement).
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  auto& states = *states_;
  for (auto& [id, state] : touched) {
    const auto found = positionOf_.find(id);
    if (!state) {
      if (found == positionOf_.end()) continue;
      states[found->second].reset();
      freePositions_.push_back(found->second);
      positionOf_.erase(found);
    } else if (found != positionOf_.end()) {
      states[found->second] = std::move(state);
    } else {
      std::uint32_t position;
      if (freePositions_.empty()) {
        position = static_cast<std::uint32_t>(states.size());
        states.push_back(std::move(state));
      } else {
        position = freePositions_.back();
        freePositions_.pop_back();
        states[position] = std::move(state);
      }
      positionOf_.emplace(id, position);
    }
  }
  if (devicesChanged) ++deviceGeneration_;
  const auto generation = ++stateGeneration_;
  journalIds_ += ids.size();
  journal_.push_back(JournalEntry{generation, std::move(ids)});
  while (journalIds_ > kJournalIds && journal_.size() > 1) {
    journalIds_ -= journal_.front().ids.size();
    journal_.pop_front();
  }
}

void CachedStore::noteDecisionChange() {
  {
    std::lock_guard lock(decisionMutex_);
    ++decisionGeneration_;
  }
  decisionChanged_.notify_all();
}

std::uint64_t CachedStore::decisionGeneration() const {
  std::lock_guard lock(decisionMutex_);
  return decisionGeneration_;
}

std::uint64_t CachedStore::waitForDecisionChange(std::uint64_t seen,
                                                 std::chrono::steady_clock::time_point until) const {
  std::unique_lock lock(decisionMutex_);
  decisionChanged_.wait_until(lock, until, [&] { return decisionGeneration_ != seen; });
  return decisionGeneration_;
}

std::optional<CachedStore::ChangedDevices> CachedStore::changedSince(std::uint64_t since) const {
  std::shared_lock lock(mutex_);
  ChangedDevices out;
  out.generation = stateGeneration_.load();
  if (since >= out.generation) return out;
  if (journal_.empty() || journal_.front().generation > since + 1) return std::nullopt;  // forgotten
  for (const auto& entry : journal_)
    if (entry.generation > since) out.ids.insert(out.ids.end(), entry.ids.begin(), entry.ids.end());
  std::sort(out.ids.begin(), out.ids.end());
  out.ids.erase(std::unique(out.ids.begin(), out.ids.end()), out.ids.end());
  return out;
}

}  // namespace postured::store
