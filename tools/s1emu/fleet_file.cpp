#include "fleet_file.h"

#include <fstream>
#include <sstream>

namespace postured::s1emu {

using core::ErrorKind;
using core::fail;

core::Result<void> loadFleetFile(const std::string& path, Fleet& fleet, Micros now) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::kInvalidArgument, path + ": cannot open the fleet file");
  std::stringstream text;
  text << in.rdbuf();

  AgentJson doc;
  try {
    doc = AgentJson::parse(text.str());
  } catch (const AgentJson::parse_error& e) {
    return fail(ErrorKind::kInvalidArgument, path + ": not valid JSON: " + e.what());
  }

  bool defaults = true;
  AgentJson* agents = &doc;
  if (doc.is_object()) {
    for (const auto& [key, value] : doc.items())
      if (key != "agents" && key != "defaults")
        return fail(ErrorKind::kInvalidArgument,
                    path + ": " + key +
                        ": unknown field; a fleet file is an array of agents or an object with "
                        "\"agents\" and optionally \"defaults\"");
    if (doc.contains("defaults")) {
      if (!doc["defaults"].is_boolean())
        return fail(ErrorKind::kInvalidArgument, path + ": defaults: must be true or false");
      defaults = doc["defaults"].get<bool>();
    }
    agents = &doc["agents"];
  }
  if (!agents->is_array())
    return fail(ErrorKind::kInvalidArgument,
                path + ": " +
                    (doc.is_object() ? "agents: must be an array of agent objects"
                                     : "must be an array of agent objects (or {\"agents\": [...]})"));

  for (std::size_t i = 0; i < agents->size(); ++i)
    if (!(*agents)[i].is_object())
      return fail(ErrorKind::kInvalidArgument, path + ": agents[" + std::to_string(i) + "]: must be an object");
  // Agents with ids first, so an id assigned to another agent can never
  // collide with one given later in the file. An added agent is moved out,
  // leaving null behind.
  for (const bool withId : {true, false}) {
    for (std::size_t i = 0; i < agents->size(); ++i) {
      auto& agent = (*agents)[i];
      if (agent.is_null() || agent.contains("id") != withId) continue;
      auto added = fleet.add(std::move(agent), defaults, now, "agents[" + std::to_string(i) + "]");
      if (!added)
        return fail(ErrorKind::kInvalidArgument, path + ": " + added.error().field + ": " + added.error().message);
      agent = nullptr;
    }
  }
  return {};
}

}  // namespace postured::s1emu
