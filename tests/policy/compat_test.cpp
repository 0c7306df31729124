// Runs every recorded Tailscale case (tests/policy/compat/tailscale-captures):
// accepted policies must compile to the same packet filter on every node,
// rejected ones must fail with Tailscale's message contained in ours.
//
// Rules are compared as sets; inside a rule SrcIPs are compared as one IP set,
// DstPorts as an IP set per port range, IPProto as a set, CapGrant Dsts as IP
// sets. Cases listed in known-differences.txt are expected to differ; the test
// fails when any other case differs, and when a listed case starts to pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/devices_file.h"
#include "policy/filter_compiler.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"

namespace postured::policy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCompatDir = fs::path(POSTURED_SOURCE_DIR) / "tests/policy/compat";

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string canonicalSet(const std::vector<std::string>& entries, std::string* problem) {
  IpSet set;
  for (const auto& e : entries) {
    auto parsed = IpSet::parseFilterEntry(e);
    if (!parsed) {
      *problem = "unreadable address \"" + e + "\"";
      continue;
    }
    set.add(*parsed);
  }
  std::string out;
  for (const auto& s : set.toFilterStrings()) out += (out.empty() ? "" : " ") + s;
  return "[" + out + "]";
}

// A rule in a form where equal rules print equally.
std::string canonicalRule(const json& rule, std::string* problem) {
  std::vector<std::string> src;
  if (rule.contains("SrcIPs") && rule["SrcIPs"].is_array())
    for (const auto& s : rule["SrcIPs"]) src.push_back(s.get<std::string>());
  std::string out = "src=" + canonicalSet(src, problem);

  std::vector<int> protos;
  if (rule.contains("IPProto") && rule["IPProto"].is_array())
    for (const auto& p : rule["IPProto"]) protos.push_back(p.get<int>());
  std::sort(protos.begin(), protos.end());
  protos.erase(std::unique(protos.begin(), protos.end()), protos.end());
  out += " proto=[";
  for (int p : protos) out += std::to_string(p) + " ";
  out += "]";

  if (rule.contains("DstPorts") && rule["DstPorts"].is_array()) {
    std::map<std::pair<int, int>, std::vector<std::string>> byPorts;
    for (const auto& d : rule["DstPorts"])
      byPorts[{d["Ports"]["First"].get<int>(), d["Ports"]["Last"].get<int>()}].push_back(d["IP"].get<std::string>());
    for (const auto& [ports, ips] : byPorts)
      out += " dst:" + std::to_string(ports.first) + "-" + std::to_string(ports.second) + "=" + canonicalSet(ips, problem);
  }
  if (rule.contains("CapGrant") && rule["CapGrant"].is_array()) {
    std::vector<std::string> grants;
    for (const auto& g : rule["CapGrant"]) {
      std::vector<std::string> dsts;
      for (const auto& d : g["Dsts"]) dsts.push_back(d.get<std::string>());
      grants.push_back("cap=" + canonicalSet(dsts, problem) + g["CapMap"].dump());
    }
    std::sort(grants.begin(), grants.end());
    for (const auto& g : grants) out += " " + g;
  }
  return out;
}

std::set<std::string> canonicalFilter(const json& rules, std::string* problem) {
  std::set<std::string> out;
  if (rules.is_array())
    for (const auto& r : rules) out.insert(canonicalRule(r, problem));
  return out;
}

std::vector<PolicyNode> nodesFromTopology(const json& topology) {
  auto nodes = nodesFromDevicesJson(topology);
  EXPECT_TRUE(nodes.has_value()) << (nodes ? "" : nodes.error().message);
  return nodes ? std::move(*nodes) : std::vector<PolicyNode>{};
}

// The rule with its lists sorted: equal when Tailscale's and our text forms agree
// up to order (informational; the verdict uses the IP-set comparison).
std::set<std::string> textualFilter(const json& rules) {
  std::set<std::string> out;
  if (!rules.is_array()) return out;
  for (json r : rules) {
    for (const char* key : {"SrcIPs", "DstPorts", "IPProto", "CapGrant"})
      if (r.contains(key) && r[key].is_array()) std::sort(r[key].begin(), r[key].end());
    out.insert(r.dump());
  }
  return out;
}

struct CaseResult {
  std::string diff;      // empty when identical
  bool sameText = true;  // identical also as text (address forms, merging)
};

CaseResult runCase(const json& c) {
  CaseResult result;
  const std::string text = c["policy"].is_string() ? c["policy"].get<std::string>() : c["policy"].dump(1);
  auto policy = parsePolicy(text);
  if (c["api_response_code"].get<int>() != 200) {
    const std::string want = c["api_response_body"]["message"].get<std::string>();
    if (policy) {
      result.diff = "accepted a policy Tailscale rejects with: " + want;
    } else if (policy.error().message.find(want) == std::string::npos) {
      result.diff = "rejected, but the message\n    " + policy.error().message +
                    "\n  does not contain Tailscale's\n    " + want;
    }
    return result;
  }
  if (!policy) {
    result.diff = "rejected a policy Tailscale accepts: " + policy.error().message;
    return result;
  }

  FilterCompiler compiler(*policy, nodesFromTopology(c["topology"]));
  std::ostringstream diff;
  const json& expected = c["packet_filter_rules"];
  for (const auto& [name, rules] : expected.items())
    if (std::none_of(compiler.nodes().begin(), compiler.nodes().end(),
                     [&](const PolicyNode& n) { return n.name == name; }))
      diff << "  node " << name << " has a recorded filter but is not in the topology\n";
  for (const auto& node : compiler.nodes()) {
    std::string problem;
    const json want = expected.contains(node.name) ? expected[node.name] : json();
    const json got = json::parse(toJson(compiler.filterFor(node.name)).dump());
    const bool nodeSameText = textualFilter(want) == textualFilter(got);
    result.sameText = result.sameText && nodeSameText;
    // COMPAT_SHOW=<case id> prints both text forms of every node whose text differs.
    const char* show = std::getenv("COMPAT_SHOW");
    if (!nodeSameText && show && c["id"] == show)
      std::cout << c["id"].get<std::string>() << " " << node.name << "\n  tailscale: " << want.dump()
                << "\n  postured:  " << got.dump() << "\n";
    auto wantSet = canonicalFilter(want, &problem);
    auto gotSet = canonicalFilter(got, &problem);
    if (wantSet == gotSet && problem.empty()) continue;
    diff << "  node " << node.name << ":" << (problem.empty() ? "" : " (" + problem + ")") << "\n";
    for (const auto& r : wantSet)
      if (!gotSet.count(r)) diff << "    missing " << r << "\n";
    for (const auto& r : gotSet)
      if (!wantSet.count(r)) diff << "    extra   " << r << "\n";
  }
  result.diff = diff.str();
  return result;
}

std::map<std::string, std::string> knownDifferences() {
  std::map<std::string, std::string> out;
  std::istringstream in(readFile(fs::path(POSTURED_SOURCE_DIR) / "tests/policy/known-differences.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find_first_of(" \t");
    out[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", space));
  }
  return out;
}

TEST(CompatCorpus, EveryCaseMatchesTailscale) {
  std::vector<fs::path> files;
  for (const auto& dir : {"acl", "grant"})
    for (const auto& entry : fs::directory_iterator(kCompatDir / "tailscale-captures" / dir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no cases under " << kCompatDir;

  const auto known = knownDifferences();
  int identical = 0;
  int sameText = 0;
  std::vector<std::string> differentText;
  std::vector<std::string> unexpected;
  for (const auto& file : files) {
    const json c = json::parse(readFile(file));
    const std::string id = c["id"].get<std::string>();
    const CaseResult result = runCase(c);
    const std::string& diff = result.diff;
    const bool listed = known.count(id) > 0;
    if (result.sameText) {
      ++sameText;
    } else {
      differentText.push_back(id);
    }
    if (diff.empty()) {
      ++identical;
      if (listed) unexpected.push_back(id + ": listed in known-differences.txt but now identical; remove it");
    } else if (!listed) {
      unexpected.push_back(id + ":\n" + diff);
    }
  }
  std::cout << identical << "/" << files.size() << " identical\n";
  std::cout << sameText << "/" << files.size() << " identical also as text (lists compared unordered)";
  for (const auto& id : differentText) std::cout << (&id == &differentText.front() ? ": differ: " : ", ") << id;
  std::cout << "\n";
  for (const auto& u : unexpected) ADD_FAILURE() << u;
}

}  // namespace
}  // namespace postured::policy
