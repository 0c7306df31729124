// How long resolvePostures takes on a large tailnet: 10,000 nodes (2,000
// users with four devices each, 2,000 tagged servers under 100 tags,
// addresses handed out in order as headscale does), about a fifth of them
// failing their postures, and 1,000 posture-constrained rules (ACLs and
// grants from groups, users and tags to tags, some with autogroup:self
// destinations), of which the benchmark's argument are from autogroup:member
// instead. Each of those lists every passing device (about 13,000
// addresses), so they decide the size of the output, and with it the time.
// BM_ResolveAfterFlip: the same after one device's attribute flips, resolved
// again by the PolicyResolver the headscale push keeps.
// Run by bench/headscale/run.sh.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enforce/headscale/policy_resolution.h"
#include "policy/ip_set.h"
#include "policy/policy_model.h"
#include "policy/policy_node.h"

namespace {

using nlohmann::json;
using postured::policy::IpAddress;
using postured::policy::PolicyNode;

constexpr int kUsers = 2000;
constexpr int kDevicesPerUser = 4;
constexpr int kTaggedNodes = 2000;
constexpr int kTags = 100;
constexpr int kGroups = 100;  // of 20 users each
constexpr int kRules = 1000;

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

std::string user(int u) { return "user" + std::to_string(u) + "@example.com"; }
std::string tag(int t) { return "tag:t" + std::to_string(t); }

std::vector<PolicyNode> makeNodes() {
  std::vector<PolicyNode> nodes;
  const int total = kUsers * kDevicesPerUser + kTaggedNodes;
  for (int i = 0; i < total; ++i) {
    PolicyNode n;
    n.id = n.name = n.hostname = "node" + std::to_string(i);
    if (i < kUsers * kDevicesPerUser) {
      n.userLogin = user(i / kDevicesPerUser);
    } else {
      n.tags = {tag(i % kTags)};
    }
    const std::uint32_t offset = static_cast<std::uint32_t>(i + 1);
    n.ipv4 = IpAddress::v4((100u << 24) | (64u << 16) | offset);
    n.ipv6 = IpAddress{true, (static_cast<postured::policy::Uint128>(0xfd7a115ca1e0ull) << 80) | offset};
    n.attributes.set("custom:managed", postured::core::AttributeValue(mix(i) % 5 != 0));
    n.attributes.set("custom:tier", postured::core::AttributeValue(std::string(mix(i + 7) % 3 ? "prod" : "dev")));
    nodes.push_back(std::move(n));
  }
  return nodes;
}

std::string makePolicy(int memberRules) {
  json p;
  for (int g = 0; g < kGroups; ++g)
    for (int u = 0; u < kUsers / kGroups; ++u) p["groups"]["group:g" + std::to_string(g)].push_back(user(g * 20 + u));
  for (int t = 0; t < kTags; ++t) p["tagOwners"][tag(t)] = {user(0)};
  p["postures"] = {{"posture:managed", {"custom:managed == true"}},
                   {"posture:prod", {"custom:tier == 'prod'", "custom:managed == true"}}};
  p["acls"] = json::array();
  p["grants"] = json::array();
  for (int r = 0; r < kRules; ++r) {
    const std::string posture = r % 3 ? "posture:managed" : "posture:prod";
    const std::string dst = tag(r % kTags);
    if (r < memberRules) {
      p["grants"].push_back({{"src", {"autogroup:member"}}, {"dst", {dst}}, {"ip", {"udp:53"}}, {"srcPosture", {posture}}});
      continue;
    }
    switch (r % 4) {
      case 0:
        p["acls"].push_back({{"action", "accept"},
                             {"src", {"group:g" + std::to_string(r % kGroups)}},
                             {"dst", {dst + ":443"}},
                             {"srcPosture", {posture}}});
        break;
      case 1:
        p["acls"].push_back({{"action", "accept"},
                             {"src", {user(r), user(r + 1)}},
                             {"dst", {dst + ":22", "autogroup:self:3389"}},
                             {"srcPosture", {posture}}});
        break;
      case 2:
        p["grants"].push_back(
            {{"src", {tag((r + 1) % kTags)}}, {"dst", {dst}}, {"ip", {"tcp:5432"}}, {"srcPosture", {posture}}});
        break;
      default:
        p["grants"].push_back({{"src", {"group:g" + std::to_string(r % kGroups), tag((r + 3) % kTags)}},
                               {"dst", {dst}},
                               {"ip", {"tcp:80", "tcp:443"}},
                               {"srcPosture", {posture}}});
        break;
    }
  }
  return p.dump(1);
}

void BM_ResolvePostures(benchmark::State& state) {
  const auto nodes = makeNodes();
  const std::string text = makePolicy(static_cast<int>(state.range(0)));
  auto policy = postured::policy::parsePolicy(text);
  if (!policy) {
    state.SkipWithError(policy.error().message.c_str());
    return;
  }
  std::size_t bytes = 0;
  std::size_t resolved = 0;
  for (auto _ : state) {
    auto r = postured::enforce::headscale::resolvePostures(text, *policy, nodes);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    bytes = r->text.size();

    resolved = r->rulesResolved;
    benchmark::DoNotOptimize(r->text.data());
  }
  state.counters["nodes"] = static_cast<double>(nodes.size());
  state.counters["rulesResolved"] = static_cast<double>(resolved);
  state.counters["outputBytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ResolvePostures)->Arg(0)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond);

// What the headscale push does after one device's attribute flips: resolve
// again, told which device changed (PolicyResolver). The nodes arrive as a
// fresh copy each time, as they do from postured's store; making and
// dropping it is not timed (the push drops it after the PUT).
void BM_ResolveAfterFlip(benchmark::State& state) {
  auto nodes = makeNodes();
  const std::string text = makePolicy(static_cast<int>(state.range(0)));
  auto parsed = postured::policy::parsePolicy(text);
  if (!parsed) {
    state.SkipWithError(parsed.error().message.c_str());
    return;
  }
  const auto policy = std::make_shared<const postured::policy::Policy>(std::move(*parsed));
  postured::enforce::headscale::PolicyResolver resolver;
  auto copy = nodes;
  if (!resolver.resolve(text, policy, std::move(copy))) {
    state.SkipWithError("the first resolution failed");
    return;
  }
  std::size_t flips = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // A user's device that the users' rules name, as bench/headscale/drive.py flips.
    auto& flipped = nodes[static_cast<std::size_t>(kDevicesPerUser * (1 + 4 * (flips++ % 400)))];
    const bool managed = flipped.attributes.find("custom:managed")->asBool();
    flipped.attributes.set("custom:managed", postured::core::AttributeValue(!managed));
    copy = nodes;
    const std::vector<std::string> changed = {flipped.id};
    state.ResumeTiming();
    auto r = resolver.resolve(text, policy, std::move(copy), &changed);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    bytes = r->text.size();
  }
  state.counters["outputBytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ResolveAfterFlip)->Arg(0)->Arg(10)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
