#include "generator.h"

#include "rng.h"  // tools/emu_common

#include <array>
#include <cstdio>
#include <set>
#include <string>

namespace postured::hsemu {

namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kDay = 86'400 * kSecond;

using emu::Rng;

constexpr std::array<const char*, 24> kFirstNames = {
    "alice", "bob",   "carol", "dave", "erin", "frank", "grace", "heidi",  "ivan",  "judy",   "mallory", "nina",
    "oscar", "peggy", "quinn", "rita", "sam",  "trent", "uma",   "victor", "wendy", "xavier", "yara",    "zoe"};
constexpr std::array<const char*, 6> kUserDevices = {"laptop",  "macbook-pro", "thinkpad",
                                                     "desktop", "iphone",      "pixel-8"};
constexpr std::array<const char*, 8> kServerRoles = {"web", "db", "cache", "build", "vpn", "mon", "git", "backup"};

std::string capitalized(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

std::string hostname(Rng& rng, bool server, const std::string& first, std::size_t index) {
  char buf[64];
  if (server) {
    std::snprintf(buf, sizeof buf, "srv-%s-%02u", kServerRoles[rng.below(kServerRoles.size())],
                  static_cast<unsigned>(index % 100));
    return buf;
  }
  const char* device = kUserDevices[rng.below(kUserDevices.size())];
  if (std::string(device) == "desktop") {
    std::snprintf(buf, sizeof buf, "desktop-%07llx", static_cast<unsigned long long>(rng.next() & 0xFFFFFFF));
    return buf;
  }
  return first + "-" + device;
}

}  // namespace

std::vector<NodeSpec> generateNodes(std::size_t count, std::uint64_t seed) {
  Rng rng{seed};
  const std::size_t users = std::max<std::size_t>(1, (count + 3) / 4);
  std::vector<NodeSpec> out;
  out.reserve(count);
  std::set<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    NodeSpec spec;
    const bool server = rng.below(8) == 0;
    const std::size_t user = rng.below(users) + 1;
    const std::string first = kFirstNames[(user - 1) % kFirstNames.size()];
    auto name = hostname(rng, server, first, i + 1);
    if (!names.insert(name).second) {
      name += "-" + std::to_string(i + 1);
      names.insert(name);
    }
    spec.name = name;
    if (server) {
      spec.tags = {"tag:server"};
      spec.registerMethod = "authkey";
    } else {
      const auto id = std::to_string(user);
      spec.user = UserSpec{"user" + id, "user" + id + "@example.com", capitalized(first) + " " + id};
      spec.registerMethod = rng.below(4) == 0 ? "oidc" : "cli";
    }
    spec.online = rng.below(10) < 7;
    spec.lastSeen =
        kGeneratedNow - static_cast<Micros>(spec.online ? rng.below(60) * kSecond : rng.below(14 * 86'400) * kSecond);
    spec.createdAt = kGeneratedNow - static_cast<Micros>(30 + rng.below(370)) * kDay;
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace postured::hsemu
