#include "enforce/live_policy.h"

#include <algorithm>

#include "core/api_key.h"
#include "enforce/policy_nodes.h"

namespace postured::enforce {

using core::ErrorKind;
using core::fail;

const char* const kDefaultPolicyText =
    "// The default policy: every device may reach every other device on every port.\n"
    "{\n"
    "  \"acls\": [\n"
    "    {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]},\n"
    "  ],\n"
    "}\n";

std::string policyETag(std::string_view text) { return core::hashKeySecret(text); }

struct CompiledPolicy {
  CompiledPolicy(std::string etag, std::uint64_t generation, core::Timestamp evaluatedAt,
                 std::optional<core::Timestamp> validUntil, policy::PolicyEngine engine)
      : etag(std::move(etag)),
        generation(generation),
        evaluatedAt(evaluatedAt),
        validUntil(validUntil),
        engine(std::move(engine)),
        directory(this->engine.nodes()) {}

  std::string etag;
  std::uint64_t generation = 0;               // the store's state generation it reflects
  core::Timestamp evaluatedAt{};              // attributes are as of this time
  std::optional<core::Timestamp> validUntil;  // the next attribute expiry after evaluatedAt
  policy::PolicyEngine engine;
  // Built once per compile: incremental updates change attributes only, never
  // which node sits at which index or its names and addresses.
  policy::NodeDirectory directory;
};

LivePolicy::View::View(std::shared_lock<std::shared_mutex> lock, const CompiledPolicy& compiled)
    : lock_(std::move(lock)), compiled_(&compiled) {}
const policy::PolicyEngine& LivePolicy::View::engine() const { return compiled_->engine; }
const policy::NodeDirectory& LivePolicy::View::directory() const { return compiled_->directory; }
const std::string& LivePolicy::View::etag() const { return compiled_->etag; }
std::uint64_t LivePolicy::View::generation() const { return compiled_->generation; }

LivePolicy::LivePolicy(store::CachedStore& store, const core::Clock& clock, core::Metrics& metrics)
    : store_(store),
      clock_(clock),
      fullCompiles_(metrics.counter("postured_policy_compiles_total", {{"kind", "full"}})),
      incrementalUpdates_(metrics.counter("postured_policy_compiles_total", {{"kind", "incremental"}})) {
  metrics.describe("postured_policy_compiles_total", "counter",
                   "Packet-filter recomputations: full compiles, and incremental updates after attribute changes");
}

LivePolicy::~LivePolicy() = default;

std::vector<policy::PolicyNode> LivePolicy::nodes() const {
  return policyNodesFrom(store_.allDeviceStates(), clock_.now());
}

core::Result<std::shared_ptr<const policy::Policy>> LivePolicy::parsed(const std::string& text,
                                                                       const std::string& etag) {
  {
    std::lock_guard lock(policyMutex_);
    if (parsedPolicy_ && parsedEtag_ == etag) return parsedPolicy_;
  }
  auto p = policy::parsePolicy(text);
  if (!p) return tl::unexpected(p.error());
  auto shared = std::make_shared<const policy::Policy>(std::move(*p));
  std::lock_guard lock(policyMutex_);
  parsedEtag_ = etag;
  parsedPolicy_ = shared;
  return shared;
}

core::Result<CurrentPolicy> LivePolicy::current() {
  const auto generation = store_.policyGeneration();  // before the policy it describes
  {
    std::lock_guard lock(policyMutex_);
    if (current_ && currentGeneration_ == generation) return *current_;
  }
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  auto stored = (*tx)->currentPolicy();
  if (!stored) return tl::unexpected(stored.error());
  CurrentPolicy c;
  if (*stored) {
    c.text = (*stored)->text;
    c.etag = (*stored)->etag;
  } else {
    c.text = kDefaultPolicyText;
    c.etag = policyETag(c.text);
    c.isDefault = true;
  }
  auto p = parsed(c.text, c.etag);
  if (!p) return fail(ErrorKind::kInternal, "the stored policy no longer parses: " + p.error().message);
  c.policy = *p;
  std::lock_guard lock(policyMutex_);
  current_ = c;
  currentGeneration_ = generation;
  return c;
}

bool LivePolicy::isCurrent(const std::string& etag, core::Timestamp now) const {
  return compiled_ && compiled_->etag == etag && compiled_->generation == store_.stateGeneration() &&
         (!compiled_->validUntil || now < *compiled_->validUntil);
}

void LivePolicy::rebuild(const CurrentPolicy& c, core::Timestamp now) {
  const auto generation = store_.stateGeneration();  // before the states it describes
  auto states = store_.allDeviceStates();
  compiled_ = std::make_unique<CompiledPolicy>(c.etag, generation, now, nextExpiry(states, now),
                                               policy::PolicyEngine(*c.policy, policyNodesFrom(states, now)));
  fullCompiles_.add();
}

void LivePolicy::update(const CurrentPolicy& c, core::Timestamp now) {
  if (!compiled_ || compiled_->etag != c.etag) return rebuild(c, now);
  auto changed = store_.changedSince(compiled_->generation);
  if (!changed) return rebuild(c, now);  // more commits than the store remembers
  std::vector<std::string> ids = std::move(changed->ids);
  auto validUntil = compiled_->validUntil;
  if (validUntil && now >= *validUntil) {
    // Attributes expired since the last evaluation: those devices change too.
    auto states = store_.allDeviceStates();
    for (const auto& s : states)
      for (const auto& a : s->attributes)
        if (a.expiry && *a.expiry > compiled_->evaluatedAt && *a.expiry <= now) {
          ids.push_back(s->device.id);
          break;
        }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    validUntil = nextExpiry(states, now);
  }
  std::vector<std::pair<std::string, policy::AttributeSet>> batch;
  for (const auto& id : ids) {
    auto state = store_.deviceState(id);
    const auto* known = compiled_->engine.node(id);
    if (!state && !known) continue;  // created and deleted in between
    if (!state || !known) return rebuild(c, now);
    auto node = policyNodeFrom(*state, now);
    if (!sameIdentity(node, *known)) return rebuild(c, now);
    if (auto e = nextExpiry(*state, now); e && (!validUntil || *e < *validUntil)) validUntil = e;
    batch.emplace_back(id, std::move(node.attributes));
  }
  if (!batch.empty()) {
    compiled_->engine.setAttributes(std::move(batch));
    incrementalUpdates_.add();
  }
  compiled_->generation = changed->generation;
  compiled_->evaluatedAt = now;
  compiled_->validUntil = validUntil;
}

core::Result<LivePolicy::View> LivePolicy::view() {
  auto c = current();
  if (!c) return tl::unexpected(c.error());
  const auto now = clock_.now();
  {
    std::shared_lock lock(engineMutex_);
    if (isCurrent(c->etag, now)) return View(std::move(lock), *compiled_);
  }
  {
    std::unique_lock lock(engineMutex_);
    if (!isCurrent(c->etag, now)) update(*c, now);
  }
  // Another request may bring it further forward in between: never backwards.
  std::shared_lock lock(engineMutex_);
  return View(std::move(lock), *compiled_);
}

}  // namespace postured::enforce
