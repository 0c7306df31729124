#include "options.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/time.h"
#include "secret_argument.h"  // tools/emu_common

namespace postured::s1emu {

namespace {

constexpr int kUsageError = 2;

}  // namespace

std::variant<Options, int> parseOptions(int argc, char** argv) {
  Options o;
  CLI::App app{
      "s1emu: a SentinelOne management API emulator (GET /web/api/v2.1/agents) for tests, demos and benchmarks.\n"
      "Prints {\"msg\":\"listening\",\"address\":...,\"agents\":N} on stderr once it serves. Control endpoints\n"
      "(no auth): /_emu/faults, /_emu/agents[/{uuid}], /_emu/stats.",
      "s1emu"};
  std::string tokenFile, baseTime = kDefaultBaseTime;
  int failPageTimes = 0;
  app.add_option("--listen", o.listen, "Address to serve on, host:port (port 0 picks a free one)")
      ->capture_default_str();
  auto* token = app.add_option("--token", o.token, "API token clients must send as 'Authorization: ApiToken ...'")
                    ->capture_default_str();
  app.add_option("--token-file", tokenFile, "Read the API token from this file")->excludes(token);
  auto* fleet = app.add_option("--fleet", o.fleetFile,
                               "Serve the agents in this JSON file: an array of agent objects, or "
                               "{\"agents\": [...], \"defaults\": false} to add no default fields");
  auto* generate = app.add_option("--generate", o.generate, "Generate a realistic fleet of N agents")
                       ->check(CLI::Range(std::size_t{0}, kMaxGeneratedAgents))
                       ->excludes(fleet);
  app.add_option("--seed", o.seed, "Seed of the generated fleet (same N and seed: same fleet)")
      ->needs(generate)
      ->capture_default_str();
  app.add_option("--base-time", baseTime,
                 "The generated fleet's 'now' (RFC 3339, or 'now'); fixed by default so runs are identical")
      ->needs(generate)
      ->capture_default_str();
  app.add_option("--devices-out", o.devicesOut,
                 "Write the generated fleet's devices in postured's import format to this file")
      ->needs(generate);
  app.add_option("--fleet-out", o.fleetOut, "Write the served fleet as a JSON array to this file");
  app.add_option("--threads", o.threads, "HTTP server threads")->check(CLI::Range(1, 64))->capture_default_str();

  app.add_flag("--revoke-token", o.faults.revokeToken, "Fault: answer every agents request with 401");
  app.add_flag("--forbidden", o.faults.forbidden, "Fault: answer every agents request with 403");
  app.add_option("--rate-limit-every", o.faults.rateLimitEvery, "Fault: answer every Nth agents request with 429")
      ->check(CLI::Range(0, kMaxFaultPage));
  app.add_option("--rate-limit-retry-after", o.faults.rateLimitRetryAfter, "Retry-After seconds of a 429")
      ->check(CLI::Range(0, kMaxRetryAfter))
      ->capture_default_str();
  auto* failPage = app.add_option("--fail-page", o.faults.failPage, "Fault: answer page K of every listing with 500")
                       ->check(CLI::Range(0, kMaxFaultPage));
  app.add_option("--fail-page-times", failPageTimes, "Fail that page only the first M times it is requested")
      ->check(CLI::Range(1, kMaxFaultPage))
      ->needs(failPage);
  app.add_option("--slow-ms", o.faults.slowMs, "Fault: delay every agents API response by N ms")
      ->check(CLI::Range(0, kMaxSlowMs));
  app.add_option("--truncate-page", o.faults.truncatePage, "Fault: send only the first half of page K's body")
      ->check(CLI::Range(0, kMaxFaultPage));
  app.add_option("--malformed-page", o.faults.malformedPage, "Fault: send page K as invalid JSON")
      ->check(CLI::Range(0, kMaxFaultPage));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsageError;
  }

  const auto usage = [](const std::string& message) {
    std::cerr << "s1emu: " << message << "\nRun with --help for more information.\n";
    return kUsageError;
  };
  if (o.fleetFile.empty() && !o.generate) return usage("give the agents with --fleet FILE or --generate N --seed S");
  if (!tokenFile.empty()) {
    if (auto error = emu::readSecretArgument("--token-file", tokenFile, o.token)) return usage(*error);
  } else if (!emu::validSecret(o.token)) {
    return usage("--token: must be non-empty and contain no spaces");
  }
  if (failPageTimes > 0) o.faults.failPageTimes = failPageTimes;
  if (baseTime == "now") {
    o.baseTime = nowMicros();
  } else if (const auto parsed = core::parseRfc3339(baseTime)) {
    o.baseTime = core::toUnixMillis(*parsed) * 1000;
  } else {
    return usage("--base-time: \"" + baseTime + "\" is not an RFC 3339 time like 2025-06-02T09:30:00Z, or 'now'");
  }
  return o;
}

}  // namespace postured::s1emu
