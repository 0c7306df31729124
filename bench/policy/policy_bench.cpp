// Policy engine benchmark on a synthetic tailnet: 10,000 devices, 500 users,
// 50 groups, 100 tags, 1,000 rules, 20 postures over sentinelOne:* and node:*.
// Prints compile time, recompute time after one sentinelOne:infected flip,
// access-check latency (p50, p99) and peak memory (VmHWM).
// With --cedar DIR it also writes the same policy, devices and timed checks as
// Cedar input, with our decisions and latencies, for cedar_bench.mjs (run.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cedar_export.h"
#include "policy/policy_engine.h"

using namespace postured::policy;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kDevices = 10000, kUsers = 500, kGroups = 50, kTags = 100, kRules = 1000, kPostures = 20;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string peakMemory() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(6);
  return "?";
}

std::string policyText(std::mt19937& rng) {
  std::string t = "{\n\"groups\": {";
  for (int g = 0; g < kGroups; ++g) {
    t += (g ? ",\n" : "\n") + std::string("\"group:g") + std::to_string(g) + "\": [";
    for (int m = 0; m < 20; ++m)
      t += (m ? ", " : "") + std::string("\"u") + std::to_string(rng() % kUsers) + "@x.com\"";
    t += "]";
  }
  t += "},\n\"tagOwners\": {";
  for (int g = 0; g < kTags; ++g) t += (g ? ", " : "") + std::string("\"tag:t") + std::to_string(g) + "\": []";
  t += "},\n\"postures\": {";
  for (int p = 0; p < kPostures; ++p) {
    t += (p ? ",\n" : "\n") + std::string("\"posture:p") + std::to_string(p) + "\": [\"sentinelOne:infected == false\"";
    if (p % 2) t += ", \"sentinelOne:activeThreats < " + std::to_string(1 + p % 3) + "\"";
    if (p % 3 == 0) t += ", \"node:os IN ['macos', 'linux', 'windows']\"";
    if (p % 4 == 1) t += ", \"node:tsVersion >= '1." + std::to_string(50 + p) + "'\"";
    if (p % 5 == 2) t += ", \"sentinelOne:agentVersion >= '23.1'\"";
    t += "]";
  }
  t += "},\n\"defaultSrcPosture\": [\"posture:p0\"],\n\"acls\": [";
  for (int r = 0; r < kRules; ++r) {
    std::string src;
    switch (r % 10) {
      case 0:
        src = "\"u" + std::to_string(rng() % kUsers) + "@x.com\"";
        break;
      case 1:
        src = "\"tag:t" + std::to_string(rng() % kTags) + "\"";
        break;
      case 2:
        src = r % 100 == 2 ? "\"*\"" : "\"group:g" + std::to_string(rng() % kGroups) + "\"";
        break;
      default:
        src = "\"group:g" + std::to_string(rng() % kGroups) + "\"";
    }
    std::string dst =
        r % 7 == 0 ? "\"group:g" + std::to_string(rng() % kGroups) + ":22\""
                   : "\"tag:t" + std::to_string(rng() % kTags) + ":" + std::to_string(1000 + rng() % 1000) + "\"";
    t += (r ? ",\n" : "\n") + std::string("{\"action\": \"accept\", \"src\": [") + src + "], \"dst\": [" + dst + "]";
    if (r % 3) t += ", \"srcPosture\": [\"posture:p" + std::to_string(rng() % kPostures) + "\"]";
    t += "}";
  }
  t += "]\n}\n";
  return t;
}

AttributeSet attributes(std::mt19937& rng, bool infected) {
  AttributeSet a;
  static const char* kOs[] = {"linux", "macos", "windows", "ios"};
  a.set("sentinelOne:infected", postured::core::AttributeValue(infected));
  a.set("sentinelOne:activeThreats", postured::core::AttributeValue(static_cast<double>(rng() % 20 == 0)));
  a.set("sentinelOne:agentVersion", postured::core::AttributeValue(std::string(rng() % 10 ? "23.4.2" : "22.3.1")));
  a.set("node:os", postured::core::AttributeValue(std::string(kOs[rng() % 4])));
  a.set("node:tsVersion", postured::core::AttributeValue("1." + std::to_string(50 + rng() % 30) + ".0"));
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cedarDir = argc == 3 && std::string(argv[1]) == "--cedar" ? argv[2] : "";
  if (argc != 1 && cedarDir.empty()) {
    std::fprintf(stderr, "usage: policy_bench [--cedar DIR]\n");
    return 2;
  }
  std::mt19937 rng(42);
  auto parsed = parsePolicy(policyText(rng));
  if (!parsed) {
    std::fprintf(stderr, "policy: %s\n", parsed.error().message.c_str());
    return 1;
  }
  std::vector<PolicyNode> nodes;
  for (int i = 0; i < kDevices; ++i) {
    PolicyNode n;
    n.id = "d" + std::to_string(i);
    n.name = n.hostname = "device" + std::to_string(i);
    if (i % 10 < 3) {
      n.tags = {"tag:t" + std::to_string(rng() % kTags)};
    } else {
      n.userLogin = "u" + std::to_string(rng() % kUsers) + "@x.com";
    }
    n.ipv4 = IpAddress::v4(0x64400000u + 1 + static_cast<std::uint32_t>(i));
    n.ipv6 = IpAddress{true, (static_cast<Uint128>(0xfd7a115ca1e00000ull) << 64) + 1 + i};
    n.attributes = attributes(rng, rng() % 50 == 0);
    nodes.push_back(std::move(n));
  }

  auto t0 = Clock::now();
  PolicyEngine engine(*parsed, nodes);
  auto t1 = Clock::now();
  std::size_t ruleCount = 0;
  for (const auto& n : engine.nodes()) ruleCount += engine.filterForId(n.id).size();
  auto t2 = Clock::now();

  // Flip sentinelOne:infected on user devices, median of several flips.
  std::vector<double> recompute;
  std::size_t reported = 0;
  for (int k = 0; k < 9; ++k) {
    const auto& victim = engine.nodes()[3 + 10 * k];
    AttributeSet a = victim.attributes;
    a.set("sentinelOne:infected",
          postured::core::AttributeValue(!victim.attributes.find("sentinelOne:infected")->asBool()));
    auto s = Clock::now();
    reported = engine.setAttributes(victim.id, a).size();
    recompute.push_back(ms(Clock::now() - s));
  }
  std::sort(recompute.begin(), recompute.end());

  // Access checks: random (src device, dst device, tcp port) decisions.
  constexpr int kChecks = 200000;
  std::vector<std::tuple<std::size_t, std::size_t, std::uint16_t>> queries;
  for (int i = 0; i < kChecks; ++i)
    queries.emplace_back(rng() % kDevices, rng() % kDevices,
                         static_cast<std::uint16_t>(i % 2 ? 22 : 1000 + rng() % 1000));
  std::vector<double> lat;
  lat.reserve(kChecks);
  std::vector<postured::bench::CedarQuery> decisions;
  decisions.reserve(kChecks);
  int allowed = 0;
  const auto& ns = engine.nodes();
  for (const auto& [s, d, port] : queries) {
    auto b = Clock::now();
    const bool ok = engine.admits(ns[d].id, *ns[s].ipv4, *ns[d].ipv4, 6, port);
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - b).count());
    allowed += ok;
    decisions.push_back({s, d, port, ok});
  }
  std::sort(lat.begin(), lat.end());

  std::printf("devices %d, users %d, groups %d, tags %d, rules %d, postures %d; filter rules in all nodes %zu\n",
              kDevices, kUsers, kGroups, kTags, kRules, kPostures, ruleCount);
  std::printf("| measure | figure | target |\n|---|---|---|\n");
  std::printf("| compile (sources, merge, every node's reach) | %.0f ms | < 2000 ms |\n", ms(t1 - t0));
  std::printf("| materialise every node's FilterRule list | %.0f ms | |\n", ms(t2 - t1));
  std::printf(
      "| recompute after one sentinelOne:infected flip (median of 9) | %.2f ms (max %.2f), %zu nodes reported | < 20 "
      "ms |\n",
      recompute[4], recompute.back(), reported);
  std::printf("| access check p50 / p99 | %.2f / %.2f us (%d of %d allowed) | p50 < 2 us |\n", lat[kChecks / 2],
              lat[kChecks * 99 / 100], allowed, kChecks);
  std::printf("| peak memory (VmHWM) | %s | |\n", peakMemory().c_str());
  if (cedarDir.empty()) return 0;

  // After the figures, so that writing the Cedar input does not count in the peak memory.
  try {
    postured::bench::writeCedarFiles(cedarDir, *parsed, ns, decisions);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cedar input: %s\n", e.what());
    return 1;
  }
  std::ofstream(cedarDir + "/ours.json") << "{\"p50_us\": " << lat[kChecks / 2]
                                         << ", \"p99_us\": " << lat[kChecks * 99 / 100] << ", \"checks\": " << kChecks
                                         << ", \"allowed\": " << allowed << "}\n";
  return 0;
}
