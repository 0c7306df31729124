// s1emu's command line, validated: every error names the flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "faults.h"
#include "timestamps.h"

namespace postured::s1emu {

inline constexpr const char* kDefaultToken = "s1emu-token";
// A fixed "now" for generated fleets, so a seed always gives the same bytes.
inline constexpr const char* kDefaultBaseTime = "2025-06-02T09:30:00Z";
inline constexpr std::size_t kMaxGeneratedAgents = 2'000'000;

struct Options {
  std::string listen = "127.0.0.1:0";
  std::string token = kDefaultToken;
  std::string fleetFile;                // --fleet
  std::optional<std::size_t> generate;  // --generate N
  std::uint64_t seed = 1;
  Micros baseTime = 0;
  std::string devicesOut;
  std::string fleetOut;
  int threads = 4;
  Faults faults;
};

// The options, or the exit code to return at once (0 after --help, 2 after
// a usage error, which has been printed).
std::variant<Options, int> parseOptions(int argc, char** argv);

}  // namespace postured::s1emu
