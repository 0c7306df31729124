// The emulated console's agents, ordered by numeric id as SentinelOne pages
// them. Each agent is kept as its serialised JSON text (what a page sends
// verbatim, so a 1000-agent page is a concatenation) plus the few fields
// the filters need; an edit re-parses and re-serialises that one agent.
//
// Paging is O(page): the cursor names the last id served, found by binary
// search in the ordered map; totalItems comes from maintained counts except
// under the serialNumber__contains filter, which has to scan.
// Thread-safe: listings share a lock, edits take it exclusively.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "timestamps.h"

namespace postured::s1emu {

// Keeps the key order an agent was given in, so agents are served back as given.
using AgentJson = nlohmann::ordered_json;

struct ListQuery {
  std::size_t limit = 10;
  std::optional<std::uint64_t> afterId;     // from the cursor
  bool active = true;                       // include agents with isDecommissioned false
  bool decommissioned = false;              // include agents with isDecommissioned true
  std::vector<std::string> serialContains;  // lower-case needles, any may match; empty: no filter
};

struct Page {
  std::string data;  // the agents' JSON objects joined by ','
  std::size_t count = 0;
  std::optional<std::uint64_t> lastId;  // set only when more agents match after this page
  std::size_t totalItems = 0;
};

class Fleet {
 public:
  // Adds one agent. An absent "id" or "uuid" is assigned; with fillDefaults,
  // the other missing core fields are added (agent_defaults.h). Errors:
  // kInvalidArgument for a malformed id or uuid, kConflict for a taken one;
  // the field is named under `field` ("agents[3]" gives "agents[3].id").
  core::Result<AgentJson> add(AgentJson agent, bool fillDefaults, Micros now, const std::string& field = "");
  // Sets the given top-level fields. activeThreats also sets infected unless
  // infected is given; updatedAt becomes `now` unless given. id and uuid
  // cannot change. kNotFound for an unknown uuid.
  core::Result<AgentJson> patch(std::string_view uuid, const AgentJson& changes, Micros now);
  bool remove(std::string_view uuid);
  std::optional<AgentJson> find(std::string_view uuid) const;

  Page list(const ListQuery& query) const;
  std::size_t size() const;
  // The whole fleet as a JSON array, one agent per line, in id order.
  void writeJson(std::ostream& out) const;

 private:
  struct Record {
    std::string text;
    std::string uuid;
    bool decommissioned = false;
    std::optional<std::string> serialLower;  // nullopt: null, absent or not a string
  };
  static Record makeRecord(const AgentJson& agent, std::string uuid);
  static bool matches(const Record& r, const ListQuery& query);
  std::uint64_t allocateId() const;
  std::string allocateUuid(std::uint64_t id) const;

  mutable std::shared_mutex mutex_;
  std::map<std::uint64_t, Record> byId_;
  std::unordered_map<std::string, std::uint64_t> idByUuid_;
  std::size_t decommissionedCount_ = 0;
};

// ASCII lower-casing, for case-insensitive comparisons.
std::string toLowerAscii(std::string_view text);

}  // namespace postured::s1emu
