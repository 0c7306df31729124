// Where a sync's CPU time goes, without the network: parses saved pages of
// agents and matches them against the devices they were generated with, the
// way SyncEngine does, and prints the best of several rounds of each stage.
// bench/sync/run.sh saves the pages and runs this after the end-to-end runs.
//
// Usage: sync_stages PAGES_DIR DEVICES_JSON
//   PAGES_DIR     the pages of GET /web/api/v2.1/agents, one file each, in name order
//   DEVICES_JSON  the devices in the import format ({"devices": [...]}), as s1emu --devices-out writes
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "integrations/attribute_diff.h"
#include "integrations/sentinelone/agents_page.h"
#include "integrations/serial_matching.h"

namespace {

using namespace postured;
using integrations::DeviceStates;

constexpr int kRounds = 5;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return text.str();
}

std::vector<std::string> readPages(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> pages;
  for (const auto& file : files) {
    pages.push_back(readFile(file));
    pages.back().reserve(pages.back().size() + simdjson::SIMDJSON_PADDING);  // parsing then never copies
  }
  if (pages.empty()) throw std::runtime_error("no pages in " + dir.string());
  return pages;
}

// The devices of the import file, with their serials and no attributes.
DeviceStates readDevices(const std::string& path) {
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.load(path);
  DeviceStates states;
  for (const auto entry : doc["devices"].get_array()) {
    core::Device d;
    d.id = "n" + std::to_string(100000000 + states.size());
    d.postureIdentityDisabled = false;
    simdjson::dom::array serials;
    if (entry["serialNumbers"].get(serials) == simdjson::SUCCESS)
      for (const auto serial : serials) d.serialNumbers.emplace_back(std::string_view(serial.get_string()));
    states.push_back(std::make_shared<store::DeviceState>(std::move(d)));
  }
  return states;
}

double bestOf(const std::function<void()>& stage) {
  double best = 1e300;
  for (int round = 0; round < kRounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    stage();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

class Stages {
 public:
  Stages(std::vector<std::string> pages, DeviceStates devices)
      : pages_(std::move(pages)), devices_(std::make_shared<const DeviceStates>(std::move(devices))) {}

  // Every page through the parser, the hosts to `sink`.
  void parseAll(const std::function<void(std::vector<integrations::ProviderHost>&)>& sink) {
    for (auto& page : pages_) {
      if (auto ok = parser_.parse(page, page_); !ok) throw std::runtime_error(ok.error().message);
      sink(page_.hosts);
    }
  }

  struct Matched {
    std::size_t matched = 0;
    std::vector<integrations::DeviceAttributeDiff> diffs;
  };
  Matched matchAll(bool diff) {
    integrations::SerialMatcher matcher(devices_, "sentinelOne", serials());
    parseAll([&](auto& hosts) { matcher.offer(hosts); });
    Matched out{matcher.matchedCount(), {}};
    if (diff)
      out.diffs = integrations::diffProviderAttributes(matcher.devices(), "sentinelOne", matcher.takeMatches(),
                                                       core::fromUnixMillis(1));
    return out;
  }

  // The devices as a first sync leaves them: holding what it matched.
  void apply(std::vector<integrations::DeviceAttributeDiff>& diffs) {
    std::unordered_map<std::string, std::vector<core::DeviceAttribute>> next;
    for (auto& d : diffs) next[d.device().id] = std::move(d.next);
    DeviceStates after = *devices_;
    for (auto& state : after)
      if (auto it = next.find(state->device.id); it != next.end())
        state = std::make_shared<store::DeviceState>(state->sharedDevice, std::move(it->second));
    devices_ = std::make_shared<const DeviceStates>(std::move(after));
  }

  const std::shared_ptr<const integrations::FleetSerials>& serials() {
    if (!serials_) serials_ = std::make_shared<const integrations::FleetSerials>(*devices_);
    return serials_;
  }
  const DeviceStates& devices() const { return *devices_; }

 private:
  std::vector<std::string> pages_;
  std::shared_ptr<const DeviceStates> devices_;
  std::shared_ptr<const integrations::FleetSerials> serials_;
  integrations::sentinelone::AgentsPageParser parser_;
  integrations::sentinelone::AgentsPage page_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PAGES_DIR DEVICES_JSON\n", argv[0]);
    return 2;
  }
  try {
    Stages stages(readPages(argv[1]), readDevices(argv[2]));
    std::size_t hosts = 0;
    const double parse = bestOf([&] {
      hosts = 0;
      stages.parseAll([&](auto& page) { hosts += page.size(); });
    });
    const double index = bestOf([&] { integrations::FleetSerials serials(stages.devices()); });
    Stages::Matched first;
    const double firstMatch = bestOf([&] { first = stages.matchAll(false); });
    const double firstMatchDiff = bestOf([&] { first = stages.matchAll(true); });
    stages.apply(first.diffs);
    Stages::Matched noop;
    const double noopMatch = bestOf([&] { noop = stages.matchAll(false); });
    const double noopMatchDiff = bestOf([&] { noop = stages.matchAll(true); });
    std::printf("sync stages on one core, without the network (%zu hosts, %zu devices, best of %d):\n", hosts,
                stages.devices().size(), kRounds);
    std::printf("  parse every page:                     %8.0f ms\n", parse);
    std::printf("  serial index over the fleet:          %8.0f ms  (kept between syncs while no device changes)\n",
                index);
    std::printf("  first sync: parse + match:            %8.0f ms  (+ diff: %.0f ms; %zu matched, %zu changed)\n",
                firstMatch, firstMatchDiff - firstMatch, first.matched, first.diffs.size());
    std::printf("  no-op:      parse + match:            %8.0f ms  (+ diff: %.0f ms; %zu matched, %zu changed)\n",
                noopMatch, noopMatchDiff - noopMatch, noop.matched, noop.diffs.size());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sync_stages: %s\n", e.what());
    return 1;
  }
}
