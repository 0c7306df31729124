#include "fleet.h"

#include <mutex>

#include "agent_defaults.h"
#include "cursor.h"
#include "rng.h"  // tools/emu_common

namespace postured::s1emu {

using emu::Rng;

using core::ErrorKind;
using core::fail;

namespace {

// Assigned ids continue after the highest id, spaced like a real console's
// (which are not consecutive), and start in the 19-digit range.
constexpr std::uint64_t kFirstAssignedId = 1'900'000'000'000'000'000ULL;
constexpr std::uint64_t kAssignedIdStep = 1'048'583ULL;
constexpr std::size_t kMaxUuidLength = 64;

std::string joinField(const std::string& prefix, const char* name) {
  return prefix.empty() ? std::string(name) : prefix + "." + name;
}

std::string dumpAgent(const AgentJson& agent) {
  return agent.dump(-1, ' ', false, AgentJson::error_handler_t::replace);
}

}  // namespace

std::string toLowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Fleet::Record Fleet::makeRecord(const AgentJson& agent, std::string uuid) {
  Record r;
  r.text = dumpAgent(agent);
  r.text.shrink_to_fit();  // dump() grows by doubling; a large fleet would keep that slack
  r.uuid = std::move(uuid);
  if (auto it = agent.find("isDecommissioned"); it != agent.end()) r.decommissioned = truthy(*it);
  if (auto it = agent.find("serialNumber"); it != agent.end() && it->is_string())
    r.serialLower = toLowerAscii(it->get_ref<const std::string&>());
  return r;
}

std::uint64_t Fleet::allocateId() const {
  const std::uint64_t last = byId_.empty() ? 0 : byId_.rbegin()->first;
  return (last < kFirstAssignedId ? kFirstAssignedId : last) + kAssignedIdStep;
}

// Derived from the id, so a fleet file without uuids is served identically every run.
std::string Fleet::allocateUuid(std::uint64_t id) const {
  static constexpr char kHex[] = "0123456789abcdef";
  Rng rng(id);
  while (true) {
    std::string uuid;
    for (int half = 0; half < 2; ++half) {
      const auto bits = rng.next();
      for (int i = 0; i < 16; ++i) uuid += kHex[(bits >> (4 * i)) & 15];
    }
    if (!idByUuid_.count(uuid)) return uuid;
  }
}

core::Result<AgentJson> Fleet::add(AgentJson agent, bool fillDefaults, Micros now, const std::string& field) {
  if (!agent.is_object())
    return fail(ErrorKind::kInvalidArgument, "an agent must be a JSON object", field.empty() ? "agent" : field);
  std::unique_lock lock(mutex_);

  std::uint64_t id = 0;
  if (auto it = agent.find("id"); it != agent.end()) {
    const auto parsed = it->is_string() ? parseAgentId(it->get_ref<const std::string&>()) : std::nullopt;
    if (!parsed || *parsed == 0)
      return fail(ErrorKind::kInvalidArgument,
                  "must be a string of 1 to 19 decimal digits, like \"1934285613950238471\" (SentinelOne ids are "
                  "int64 numbers sent as strings); leave it out to have one assigned",
                  joinField(field, "id"));
    id = *parsed;
    if (byId_.count(id))
      return fail(ErrorKind::kConflict, "an agent with id " + std::to_string(id) + " already exists",
                  joinField(field, "id"));
  } else {
    id = allocateId();
    // Keep "id" first, where real agents have it.
    AgentJson withId = {{"id", std::to_string(id)}};
    for (auto& [key, value] : agent.items()) withId[key] = std::move(value);
    agent = std::move(withId);
  }

  std::string uuid;
  if (auto it = agent.find("uuid"); it != agent.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().empty() ||
        it->get_ref<const std::string&>().size() > kMaxUuidLength ||
        it->get_ref<const std::string&>().find_first_of("/?#% ") != std::string::npos)
      return fail(ErrorKind::kInvalidArgument,
                  "must be a non-empty string of at most 64 characters without '/', '?', '#', '%' or spaces, "
                  "like \"f431b0a1a8744d2a8a92fc88fa3c13bc\"; leave it out to have one assigned",
                  joinField(field, "uuid"));
    uuid = it->get<std::string>();
    if (idByUuid_.count(uuid))
      return fail(ErrorKind::kConflict, "an agent with uuid " + uuid + " already exists", joinField(field, "uuid"));
  } else {
    uuid = allocateUuid(id);
    // After "id", as on real agents.
    AgentJson ordered;
    for (auto& [key, value] : agent.items()) {
      ordered[key] = std::move(value);
      if (key == "id") ordered["uuid"] = uuid;
    }
    agent = std::move(ordered);
  }

  if (fillDefaults) applyDefaults(agent, id, now);
  auto record = makeRecord(agent, uuid);
  if (record.decommissioned) ++decommissionedCount_;
  idByUuid_.emplace(uuid, id);
  byId_.emplace(id, std::move(record));
  return agent;
}

core::Result<AgentJson> Fleet::patch(std::string_view uuid, const AgentJson& changes, Micros now) {
  if (!changes.is_object()) return fail(ErrorKind::kInvalidArgument, "the body must be a JSON object of fields");
  std::unique_lock lock(mutex_);
  const auto found = idByUuid_.find(std::string(uuid));
  if (found == idByUuid_.end()) return fail(ErrorKind::kNotFound, "no agent with uuid " + std::string(uuid), "uuid");
  auto& record = byId_.at(found->second);
  AgentJson agent = AgentJson::parse(record.text);

  for (const char* fixed : {"id", "uuid"})
    if (changes.contains(fixed) && changes[fixed] != agent[fixed])
      return fail(ErrorKind::kInvalidArgument, "cannot be changed; delete the agent and add a new one", fixed);
  for (const auto& [key, value] : changes.items()) agent[key] = value;
  if (changes.contains("activeThreats") && !changes.contains("infected") && changes["activeThreats"].is_number())
    agent["infected"] = changes["activeThreats"].get<double>() > 0;
  if (!changes.contains("updatedAt")) agent["updatedAt"] = formatTimestamp(now);

  auto updated = makeRecord(agent, record.uuid);
  decommissionedCount_ += updated.decommissioned;
  decommissionedCount_ -= record.decommissioned;
  record = std::move(updated);
  return agent;
}

bool Fleet::remove(std::string_view uuid) {
  std::unique_lock lock(mutex_);
  const auto found = idByUuid_.find(std::string(uuid));
  if (found == idByUuid_.end()) return false;
  const auto it = byId_.find(found->second);
  decommissionedCount_ -= it->second.decommissioned;
  byId_.erase(it);
  idByUuid_.erase(found);
  return true;
}

std::optional<AgentJson> Fleet::find(std::string_view uuid) const {
  std::shared_lock lock(mutex_);
  const auto found = idByUuid_.find(std::string(uuid));
  if (found == idByUuid_.end()) return std::nullopt;
  return AgentJson::parse(byId_.at(found->second).text);
}

bool Fleet::matches(const Record& r, const ListQuery& query) {
  if (!(r.decommissioned ? query.decommissioned : query.active)) return false;
  if (query.serialContains.empty()) return true;
  if (!r.serialLower) return false;
  for (const auto& needle : query.serialContains)
    if (r.serialLower->find(needle) != std::string::npos) return true;
  return false;
}

Page Fleet::list(const ListQuery& query) const {
  std::shared_lock lock(mutex_);
  Page page;
  auto it = query.afterId ? byId_.upper_bound(*query.afterId) : byId_.begin();
  std::uint64_t last = 0;
  for (; it != byId_.end() && page.count < query.limit; ++it) {
    if (!matches(it->second, query)) continue;
    if (page.count++) page.data += ',';
    page.data += it->second.text;
    last = it->first;
  }
  // A next cursor only when another match exists, so the last page says null.
  for (; it != byId_.end(); ++it)
    if (matches(it->second, query)) {
      page.lastId = last;
      break;
    }
  if (query.serialContains.empty()) {
    page.totalItems =
        (query.active ? byId_.size() - decommissionedCount_ : 0) + (query.decommissioned ? decommissionedCount_ : 0);
  } else {
    for (const auto& [id, record] : byId_) page.totalItems += matches(record, query);
  }
  return page;
}

std::size_t Fleet::size() const {
  std::shared_lock lock(mutex_);
  return byId_.size();
}

void Fleet::writeJson(std::ostream& out) const {
  std::shared_lock lock(mutex_);
  out << '[';
  bool first = true;
  for (const auto& [id, record] : byId_) {
    out << (first ? "\n" : ",\n") << record.text;
    first = false;
  }
  out << "\n]\n";
}

}  // namespace postured::s1emu
