#include "options.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "secret_argument.h"  // tools/emu_common

namespace postured::hsemu {

std::variant<Options, int> parseOptions(int argc, char** argv) {
  Options o;
  CLI::App app{
      "hsemu: a headscale API emulator (nodes and policy of /api/v1) for tests, demos and benchmarks.\n"
      "Prints {\"msg\":\"listening\",\"address\":...,\"nodes\":N,\"flavor\":...} on stderr once it serves.\n"
      "Control endpoints (no auth): /_emu/nodes, /_emu/pushes, /_emu/mode, /_emu/faults, /_emu/stats.",
      "hsemu"};
  std::string flavor = "main", mode = "database", keyFile;
  app.add_option("--listen", o.listen, "Address to serve on, host:port (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--flavor", flavor, "Which headscale to speak: main (Huma API), v0.29 or v0.25 (grpc-gateway)")
      ->capture_default_str();
  auto* key = app.add_option("--api-key", o.apiKey, "The API key clients must send as 'Authorization: Bearer ...'")
                  ->capture_default_str();
  app.add_option("--api-key-file", keyFile, "Read the API key from this file")->excludes(key);
  app.add_option("--policy-mode", mode, "headscale's policy.mode: database or file")->capture_default_str();
  app.add_option("--policy", o.policyFile,
                 "The initial policy (HuJSON): stored in the database, or in file mode the policy file itself");
  auto* nodes = app.add_option("--nodes", o.nodesFile, "Serve the nodes of this JSON file: {\"nodes\": [NodeSpec...]}");
  auto* generate = app.add_option("--generate", o.generate, "Generate a realistic tailnet of N nodes")
                       ->check(CLI::Range(std::size_t{0}, kMaxGeneratedNodes))
                       ->excludes(nodes);
  app.add_option("--seed", o.seed, "Seed of the generated tailnet (same N and seed: same nodes)")
      ->needs(generate)
      ->capture_default_str();
  app.add_option("--state", o.statePath,
                 "Keep the database (users, nodes, policy, mode) in this file: loaded when it exists, "
                 "rewritten after every change; the seeding options apply only when it does not exist");
  app.add_option("--threads", o.threads, "HTTP server threads")->check(CLI::Range(1, 64))->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsageError;
  }
  const auto usage = [](const std::string& message) {
    std::cerr << "hsemu: " << message << "\nRun with --help for more information.\n";
    return kUsageError;
  };
  if (const auto parsed = parseFlavor(flavor)) {
    o.flavor = *parsed;
  } else {
    return usage("--flavor: \"" + flavor + "\" is not one of main, v0.29, v0.25");
  }
  if (const auto parsed = parsePolicyMode(mode)) {
    o.policyMode = *parsed;
  } else {
    return usage("--policy-mode: \"" + mode + "\" is not one of database, file");
  }
  if (!keyFile.empty()) {
    if (auto error = emu::readSecretArgument("--api-key-file", keyFile, o.apiKey)) return usage(*error);
  } else if (!emu::validSecret(o.apiKey)) {
    return usage("--api-key: must be non-empty and contain no spaces");
  }
  return o;
}

}  // namespace postured::hsemu
