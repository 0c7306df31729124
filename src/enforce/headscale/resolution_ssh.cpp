#include "enforce/headscale/resolution_ssh.h"

#include <algorithm>

#include "enforce/headscale/resolution_ipsets.h"
#include "enforce/headscale/resolution_rules.h"

namespace postured::enforce::headscale {
namespace {

// Enough names to find the devices; the rest are counted.
constexpr std::size_t kNamesShown = 5;

std::string deviceList(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kNamesShown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kNamesShown) out += " and " + std::to_string(names.size() - kNamesShown) + " more";
  return out;
}

}  // namespace

ResolvedSsh resolveSsh(ResolutionContext& context, const policy::SshRule& rule, const nlohmann::json& entry,
                       std::vector<std::string>& warnings) {
  ResolvedSsh out;
  const int line = rule.pos.line;
  nlohmann::json base = keepFields(entry, {"action", "src", "dst", "users", "checkPeriod", "acceptEnv"});
  base["dst"] = expandIpsets(context, entry["dst"], rule.dst, ListRole::kDestinations, line, warnings);
  const auto& postures = rule.srcPosture.empty() ? context.policy().defaultSrcPosture : rule.srcPosture;
  out.constrained = !postures.empty();

  nlohmann::json src = nlohmann::json::array();
  for (std::size_t i = 0; i < rule.src.size() && i < entry["src"].size(); ++i) {
    const auto& selector = rule.src[i];
    std::vector<std::string> failing;
    if (out.constrained)
      for (auto n : context.namedNodes(selector))
        if (!context.passes(n, postures)) failing.push_back(context.nodes()[n].name);
    if (!failing.empty()) {
      out.narrowed = true;
      warnings.push_back("line " + std::to_string(line) + ": SSH rule: source \"" + selector.text +
                         "\" was left out because " + deviceList(failing) +
                         " do not pass the rule's postures (headscale's SSH sources cannot name single devices)");
      continue;
    }
    for (auto& s : expandIpsets(context, nlohmann::json::array({entry["src"][i]}), {selector}, ListRole::kSources,
                                line, warnings))
      src.push_back(std::move(s));
  }
  if (src.empty() || base["dst"].empty()) {
    if (out.narrowed)
      warnings.push_back("line " + std::to_string(line) + ": SSH rule was left out: none of its sources pass its postures");
    return out;
  }
  base["src"] = std::move(src);
  out.entry = std::move(base);
  return out;
}

}  // namespace postured::enforce::headscale
