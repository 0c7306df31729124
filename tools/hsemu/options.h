// hsemu's command line, validated: every error names the flag, and a usage
// error exits with 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "emulator.h"
#include "flavor.h"

namespace postured::hsemu {

inline constexpr const char* kDefaultApiKey = "hsemu-api-key";
inline constexpr std::size_t kMaxGeneratedNodes = 1'000'000;
inline constexpr int kUsageError = 2;

struct Options {
  std::string listen = "127.0.0.1:0";
  Flavor flavor = Flavor::kMain;
  std::string apiKey = kDefaultApiKey;
  PolicyMode policyMode = PolicyMode::kDatabase;
  std::string policyFile;  // --policy: the initial policy text (file mode: the policy file)
  std::string nodesFile;   // --nodes
  std::optional<std::size_t> generate;
  std::uint64_t seed = 1;
  std::string statePath;
  int threads = 2;
};

// The options, or the exit code to return at once (0 after --help, 2 after
// a usage error, which has been printed).
std::variant<Options, int> parseOptions(int argc, char** argv);

}  // namespace postured::hsemu
