#include "state_file.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace postured::hsemu {

namespace {

using core::ErrorKind;
using nlohmann::json;

constexpr int kFormat = 1;

json optionalMicros(const std::optional<Micros>& t) { return t ? json(*t) : json(nullptr); }

std::optional<Micros> readOptionalMicros(const json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<Micros>();
}

}  // namespace

std::string stateDocument(const Emulator& emu) {
  json users = json::array();
  for (const auto& u : emu.nodes.users())
    users.push_back({{"id", u.id},
                     {"name", u.name},
                     {"email", u.email},
                     {"displayName", u.displayName},
                     {"createdAt", u.createdAt}});
  json nodes = json::array();
  for (const Node* n : emu.nodes.list())
    nodes.push_back({{"id", n->id},
                     {"name", n->name},
                     {"givenName", n->givenName},
                     {"userId", n->userId},
                     {"tags", n->tags},
                     {"ipAddresses", n->ipAddresses},
                     {"online", n->online},
                     {"lastSeen", optionalMicros(n->lastSeen)},
                     {"expiry", optionalMicros(n->expiry)},
                     {"createdAt", n->createdAt},
                     {"registerMethod", n->registerMethod}});
  json policy = emu.policy ? json{{"text", emu.policy->text}, {"updatedAt", emu.policy->updatedAt}} : json(nullptr);
  return json{{"hsemuState", kFormat},
              {"mode", policyModeName(emu.mode)},
              {"policy", policy},
              {"users", users},
              {"nodes", nodes}}
             .dump(-1, ' ', false, json::error_handler_t::replace) +
         "\n";
}

core::Result<void> loadStateFile(const std::string& path, Emulator& emu) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(ErrorKind::kInvalidArgument, "--state " + path + ": cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = json::parse(text.str(), nullptr, false);
  const auto bad = [&](const std::string& what) {
    return core::fail(ErrorKind::kInvalidArgument, "--state " + path + ": " + what);
  };
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object; delete it to start afresh");
  if (doc.value("hsemuState", 0) != kFormat) return bad("hsemuState: not an hsemu state file of format 1");
  try {
    const auto mode = parsePolicyMode(doc.at("mode").get<std::string>());
    if (!mode) return bad("mode: must be \"database\" or \"file\"");
    std::vector<User> users;
    for (const auto& u : doc.at("users"))
      users.push_back({u.at("id").get<std::uint64_t>(), u.at("name").get<std::string>(),
                       u.at("email").get<std::string>(), u.at("displayName").get<std::string>(),
                       u.at("createdAt").get<Micros>()});
    std::vector<Node> nodes;
    for (const auto& n : doc.at("nodes")) {
      Node node;
      node.id = n.at("id").get<std::uint64_t>();
      node.name = n.at("name").get<std::string>();
      node.givenName = n.at("givenName").get<std::string>();
      node.userId = n.at("userId").get<std::uint64_t>();
      node.tags = n.at("tags").get<std::vector<std::string>>();
      node.ipAddresses = n.at("ipAddresses").get<std::vector<std::string>>();
      node.online = n.at("online").get<bool>();
      node.lastSeen = readOptionalMicros(n.at("lastSeen"));
      node.expiry = readOptionalMicros(n.at("expiry"));
      node.createdAt = n.at("createdAt").get<Micros>();
      node.registerMethod = n.at("registerMethod").get<std::string>();
      nodes.push_back(std::move(node));
    }
    if (auto ok = emu.nodes.restore(std::move(users), nodes); !ok)
      return bad(ok.error().field + ": " + ok.error().message);
    emu.mode = *mode;
    const auto& policy = doc.at("policy");
    if (policy.is_null()) {
      emu.policy.reset();
    } else {
      emu.policy = StoredPolicy{policy.at("text").get<std::string>(), policy.at("updatedAt").get<Micros>()};
    }
  } catch (const json::exception& e) {
    return bad(std::string("malformed: ") + e.what());
  }
  return {};
}

}  // namespace postured::hsemu
