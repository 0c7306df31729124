#include "seed.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "generator.h"
#include "node_input.h"
#include "policy_v1.h"
#include "policy_v2.h"
#include "state_file.h"

namespace postured::hsemu {

namespace {

using core::ErrorKind;

core::Result<std::string> readFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(ErrorKind::kInvalidArgument, flag + " " + path + ": cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

core::Result<void> seedPolicy(const Options& options, Emulator& emu) {
  if (options.policyFile.empty()) return {};
  auto text = readFile("--policy", options.policyFile);
  if (!text) return tl::unexpected(text.error());
  const auto error = options.flavor == Flavor::kV025 ? policy::checkPolicyV1(*text) : policy::checkPolicyV2(*text);
  if (error)
    return core::fail(ErrorKind::kInvalidArgument,
                      "--policy " + options.policyFile + ": headscale would refuse it: " + *error);
  if (emu.mode == PolicyMode::kDatabase) emu.policy = StoredPolicy{*text, nowMicros()};
  return {};
}

}  // namespace

core::Result<void> loadNodesFile(const std::string& path, NodeStore& store, Micros now) {
  auto text = readFile("--nodes", path);
  if (!text) return tl::unexpected(text.error());
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  const auto bad = [&](const std::string& message) {
    return core::fail(ErrorKind::kInvalidArgument, "--nodes " + path + ": " + message);
  };
  if (doc.is_discarded()) return bad("not valid JSON");
  if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array() || doc.size() != 1)
    return bad("must be {\"nodes\": [NodeSpec...]}");
  const auto& nodes = doc["nodes"];
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto field = "nodes[" + std::to_string(i) + "]";
    auto spec = parseNodeSpec(nodes[i], field);
    if (!spec) return bad(spec.error().field + ": " + spec.error().message);
    if (auto added = store.add(*spec, now, field); !added)
      return bad(added.error().field + ": " + added.error().message);
  }
  return {};
}

core::Result<void> seedEmulator(const Options& options, Emulator& emu) {
  emu.flavor = options.flavor;
  emu.apiKey = options.apiKey;
  emu.statePath = options.statePath;
  if (!options.policyFile.empty()) emu.policyPath = std::filesystem::absolute(options.policyFile).string();
  std::lock_guard lock(emu.mutex);
  emu.mode = options.policyMode;
  if (!options.statePath.empty() && std::filesystem::exists(options.statePath))
    return loadStateFile(options.statePath, emu);
  if (!options.nodesFile.empty()) {
    if (auto ok = loadNodesFile(options.nodesFile, emu.nodes, nowMicros()); !ok) return ok;
  } else if (options.generate) {
    // Users are created a while before the oldest generated node.
    for (const auto& spec : generateNodes(*options.generate, options.seed))
      if (auto added = emu.nodes.add(spec, kGeneratedNow - 400LL * 86'400 * 1'000'000); !added)
        return core::fail(ErrorKind::kInternal, "--generate: " + added.error().field + ": " + added.error().message);
  }
  if (auto ok = seedPolicy(options, emu); !ok) return ok;
  return emu.save();
}

}  // namespace postured::hsemu
