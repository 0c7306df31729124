#include "app/demo.h"

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/api_client.h"
#include "app/child_process.h"
#include "app/table.h"
#include "core/files.h"
#include "core/random.h"
#include "core/shutdown_signals.h"

namespace postured::app {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kMarker = ".postured-demo";

int failWith(const std::string& message) {
  std::cerr << "postured demo: " << message << "\n";
  return 1;
}

// A fresh demo dir; refuses to wipe a directory that is not one.
core::Result<void> prepareDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    if (!fs::exists(fs::path(dir) / kMarker))
      return core::fail(core::ErrorKind::kInvalidArgument,
                        dir + " exists and is not a demo directory; choose another with --data-dir");
    fs::remove_all(dir, ec);
  }
  fs::create_directories(dir, ec);
  if (ec) return core::fail(core::ErrorKind::kInternal, "cannot create " + dir + ": " + ec.message());
  std::ofstream(fs::path(dir) / kMarker) << "created by postured demo; removed by the next demo run\n";
  return {};
}

std::string findEmulator(const std::string& given) {
  if (!given.empty()) return given;
  const auto here = fs::path(executableDir());
  for (const auto& candidate : {here / "s1emu", here / ".." / "tools" / "s1emu" / "s1emu"})
    if (fs::exists(candidate)) return fs::weakly_canonical(candidate).string();
  return {};
}

std::string text(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// Waits for the integration's first run to finish.
core::Result<Json> waitFirstRun(ApiClient& client, const std::string& integration) {
  for (int i = 0; i < 1200; ++i) {
    auto runs = client.call("GET", "/api/v2/posture/integrations/" + integration + "/runs");
    if (!runs) return runs;
    for (const auto& run : (*runs)["runs"])
      if (run["outcome"] != "running") return run;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return core::fail(core::ErrorKind::kUnavailable, "the first sync did not finish within 2 minutes");
}

void printSummary(const Json& devices, const Json& integration, const Json& run) {
  const auto& status = integration["status"];
  std::cout << "\npostured demo: " << devices.size() << " devices, SentinelOne fleet of "
            << text(status["providerHostCount"]) << " agents; first sync " << text(run["outcome"]) << " in "
            << text(run["durationMs"]) << " ms: " << text(status["matchedCount"]) << " of "
            << text(status["possibleMatchedCount"]) << " devices with a serial matched, "
            << text(status["duplicateSerials"]) << " duplicate serials\n\n";
  Table t({"DEVICE", "OS", "ACTIVE", "INFECTED", "THREATS", "FIREWALL", "ENCRYPTED", "STATE", "AGENT"});
  int shown = 0, infectedShown = 0;
  for (const auto& d : devices) {
    const auto& a = d["postureAttributes"];
    if (!a.contains("sentinelOne:agentVersion")) continue;
    const bool infected = a.value("sentinelOne:infected", false);
    if (shown >= 6 && !(infected && infectedShown == 0)) continue;  // make sure an infected one shows
    infectedShown += infected;
    t.add({text(d["hostname"]), text(d["os"]), text(a["sentinelOne:isActive"]), text(a["sentinelOne:infected"]),
           text(a["sentinelOne:activeThreats"]), text(a["sentinelOne:firewallEnabled"]),
           text(a["sentinelOne:encryptedApplications"]), text(a["sentinelOne:operationalState"]),
           text(a["sentinelOne:agentVersion"])});
    if (++shown >= 8) break;
  }
  t.print(std::cout);
}

}  // namespace

int runDemo(const DemoOptions& options) {
  core::blockShutdownSignals();
  ::umask(077);

  if (auto ok = prepareDir(options.dataDir); !ok) return failWith(ok.error().message);
  const auto dir = fs::weakly_canonical(options.dataDir).string();
  const auto emulator = findEmulator(options.s1emu);
  if (emulator.empty()) return failWith("cannot find the s1emu emulator next to postured; pass --s1emu PATH");

  const auto token = core::randomAlphanumeric(40);
  const auto tokenFile = dir + "/s1emu.token";
  if (auto ok = core::writeFileDurably(tokenFile, token, 0600, true); !ok) return failWith(ok.error().message);

  ChildProcess emu, server;
  if (auto ok = emu.start({emulator, "--listen", "127.0.0.1:0", "--token-file", tokenFile, "--generate",
                           std::to_string(options.agents), "--seed", "42", "--devices-out", dir + "/devices.json"},
                          dir + "/s1emu.log");
      !ok)
    return failWith(ok.error().message);
  auto emuAddress = emu.waitListening(std::chrono::seconds(30));
  if (!emuAddress) return failWith("s1emu: " + emuAddress.error().message);

  if (auto ok = server.start({executableDir() + "/postured", "serve", "--listen", options.listen, "--data-dir",
                              dir + "/data", "--allow-insecure-provider-urls", "true"},
                             dir + "/postured.log");
      !ok)
    return failWith(ok.error().message);
  auto address = server.waitListening(std::chrono::seconds(30));
  if (!address) return failWith("postured serve: " + address.error().message);
  const std::string base = "http://" + *address;

  auto client = ApiClient::connect(ClientSettings{base, dir + "/data/admin.key", false});
  if (!client) return failWith(client.error().message);
  std::ifstream devicesFile(dir + "/devices.json");
  const auto devices = Json::parse(devicesFile, nullptr, false);
  if (devices.is_discarded()) return failWith("s1emu wrote no readable devices.json");
  if (auto r = client->call("POST", "/api/v2/tailnet/-/devices", devices); !r)
    return failWith("importing devices: " + r.error().message);
  auto integration = client->call("POST", "/api/v2/tailnet/-/posture/integrations",
                                  Json{{"provider", "sentinelone"},
                                       {"cloudId", "http://" + *emuAddress},
                                       {"clientSecret", token}});
  if (!integration) return failWith("connecting SentinelOne: " + integration.error().message);
  const auto integrationId = (*integration)["id"].get<std::string>();
  auto run = waitFirstRun(*client, integrationId);
  if (!run) return failWith(run.error().message);
  auto current = client->call("GET", "/api/v2/posture/integrations/" + integrationId);
  auto listed = client->call("GET", "/api/v2/tailnet/-/devices?fields=all");
  if (!current || !listed) return failWith("reading the result back failed");
  printSummary((*listed)["devices"], *current, *run);

  std::cout << "\n  API          " << base << "/api/v2   (console: coming in a later release)\n"
            << "  admin key    " << dir << "/data/admin.key\n"
            << "  SentinelOne  http://" << *emuAddress << " (emulator; token in " << tokenFile << ")\n"
            << "  logs         " << dir << "/postured.log, " << dir << "/s1emu.log\n\n"
            << "  try:  ./build/release/src/postured devices list --server " << base << " --api-key-file " << dir
            << "/data/admin.key\n"
            << "        ./build/release/src/postured integrations runs " << integrationId << " --server " << base
            << " --api-key-file " << dir << "/data/admin.key\n\n"
            << "Serving until Ctrl-C.\n"
            << std::flush;

  const std::atomic<bool> never{false};
  while (true) {
    if (core::waitForShutdownSignal(never, std::chrono::milliseconds(500))) break;
    if (server.exited()) return failWith("postured serve stopped; see " + dir + "/postured.log");
    if (emu.exited()) return failWith("s1emu stopped; see " + dir + "/s1emu.log");
  }
  std::cout << "\nstopping\n";
  server.stop(SIGTERM);
  emu.stop(SIGTERM);
  return 0;
}

}  // namespace postured::app
