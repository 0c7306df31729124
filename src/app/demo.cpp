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
#include "app/demo_headscale.h"
#include "app/table.h"
#include "core/files.h"
#include "core/random.h"
#include "core/shutdown_signals.h"
#include "core/time.h"

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

// An emulator given by path, else found next to postured (installed) or in
// the build tree's tools/<name>/.
std::string findEmulator(const std::string& given, const std::string& name) {
  if (!given.empty()) return given;
  const auto here = fs::path(executableDir());
  for (const auto& candidate : {here / name, here / ".." / "tools" / name / name})
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

// Waits until every node is some device's and headscale holds a policy
// pushed after the demo policy was saved; returns the connection's status.
core::Result<Json> waitForPush(ApiClient& client, std::size_t nodes, core::Timestamp savedAt) {
  for (int i = 0; i < 1200; ++i) {
    auto status = client.call("GET", "/api/v2/tailnet/-/headscale");
    if (!status) return status;
    const auto& push = (*status)["lastPush"];
    if ((*status)["nodesSeen"] == nodes && push.is_object() && push["outcome"] != "failed" &&
        core::parseRfc3339(push.value("at", std::string())) >= savedAt)
      return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return core::fail(core::ErrorKind::kUnavailable, "headscale got no policy within 2 minutes; see postured.log");
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

// A curl line that asks forward-auth what a reverse proxy would ask for an
// infected machine's request (the answer is 403 with the reason), as a
// trusted proxy on this machine passes the client's address.
std::string forwardAuthExample(const Json& devices, const std::string& base) {
  for (const auto& d : devices) {
    const auto& a = d["postureAttributes"];
    if (!a.value("sentinelOne:infected", false) || d["addresses"].empty()) continue;
    return "        curl -si -H \"X-Forwarded-For: " + text(d["addresses"][0]) + "\" \"" + base +
           "/forward-auth?posture=posture:healthy\"   # forward-auth for " + text(d["hostname"]) +
           ", which is infected\n";
  }
  return "";
}

void printHeadscaleSummary(const Json& status) {
  const auto& push = status["lastPush"];
  std::cout << "\nheadscale: " << text(status["nodesSeen"]) << " nodes, each one of the devices above; policy "
            << text(push["outcome"]) << " (" << text(push["bytes"]) << " bytes, sha256 "
            << text(push["sha256"]).substr(0, 12) << "); rules with a posture: " << text(push["rulesResolved"])
            << " resolved to the addresses of the machines that pass, " << text(push["rulesDropped"])
            << " dropped. Members on unhealthy machines do not reach tag:server.\n";
}

}  // namespace

int runDemo(const DemoOptions& options) {
  core::blockShutdownSignals();
  ::umask(077);

  if (auto ok = prepareDir(options.dataDir); !ok) return failWith(ok.error().message);
  const auto dir = fs::weakly_canonical(options.dataDir).string();
  const auto emulator = findEmulator(options.s1emu, "s1emu");
  if (emulator.empty()) return failWith("cannot find the s1emu emulator next to postured; pass --s1emu PATH");
  const auto hsemu = findEmulator(options.hsemu, "hsemu");
  if (hsemu.empty()) return failWith("cannot find the hsemu emulator next to postured; pass --hsemu PATH");

  const auto token = core::randomAlphanumeric(40);
  const auto tokenFile = dir + "/s1emu.token";
  if (auto ok = core::writeFileDurably(tokenFile, token, 0600, true); !ok) return failWith(ok.error().message);

  const auto headscaleKeyFile = dir + "/hsemu.key";
  if (auto ok = core::writeFileDurably(headscaleKeyFile, "hskey-api-" + core::randomAlphanumeric(40), 0600, true);
      !ok)
    return failWith(ok.error().message);

  ChildProcess emu, headscale, server;
  if (auto ok = emu.start({emulator, "--listen", "127.0.0.1:0", "--token-file", tokenFile, "--generate",
                           std::to_string(options.agents), "--seed", "42", "--devices-out", dir + "/devices.json"},
                          dir + "/s1emu.log");
      !ok)
    return failWith(ok.error().message);
  auto emuAddress = emu.waitListening(std::chrono::seconds(30));
  if (!emuAddress) return failWith("s1emu: " + emuAddress.error().message);

  if (auto ok = headscale.start({hsemu, "--listen", "127.0.0.1:0", "--api-key-file", headscaleKeyFile},
                                dir + "/hsemu.log");
      !ok)
    return failWith(ok.error().message);
  auto headscaleAddress = headscale.waitListening(std::chrono::seconds(30));
  if (!headscaleAddress) return failWith("hsemu: " + headscaleAddress.error().message);
  const std::string headscaleUrl = "http://" + *headscaleAddress;

  if (auto ok = server.start({executableDir() + "/postured", "serve", "--listen", options.listen, "--data-dir",
                              dir + "/data", "--allow-insecure-provider-urls", "true", "--headscale-url",
                              headscaleUrl, "--headscale-api-key-file", headscaleKeyFile,
                              "--headscale-poll-interval", "2s"},
                             dir + "/postured.log");
      !ok)
    return failWith(ok.error().message);
  auto address = server.waitListening(std::chrono::seconds(30));
  if (!address) return failWith("postured serve: " + address.error().message);
  const std::string base = "http://" + *address;

  auto client = ApiClient::connect(ClientSettings{base, dir + "/data/admin.key", false});
  if (!client) return failWith(client.error().message);
  std::ifstream devicesFile(dir + "/devices.json");
  auto devices = Json::parse(devicesFile, nullptr, false);
  if (devices.is_discarded()) return failWith("s1emu wrote no readable devices.json");
  // The inventory knows each machine's serial and tailnet address; headscale's
  // nodes then hold those addresses, so each node is adopted by its device.
  assignDemoAddresses(devices);
  if (auto r = client->call("POST", "/api/v2/tailnet/-/devices", devices); !r)
    return failWith("importing devices: " + r.error().message);
  if (auto r = addEmulatorNodes(headscaleUrl, demoNodes(devices)); !r) return failWith(r.error().message);

  auto integration = client->call("POST", "/api/v2/tailnet/-/posture/integrations",
                                  Json{{"provider", "sentinelone"},
                                       {"cloudId", "http://" + *emuAddress},
                                       {"clientSecret", token}});
  if (!integration) return failWith("connecting SentinelOne: " + integration.error().message);
  const auto integrationId = (*integration)["id"].get<std::string>();
  auto run = waitFirstRun(*client, integrationId);
  if (!run) return failWith(run.error().message);
  // Saved once the attributes are in, so the first push already decides by them.
  const auto policySavedAt = core::SystemClock().now();
  if (auto r = client->callWithText("POST", "/api/v2/tailnet/-/acl", std::string(kDemoPolicy), "application/hujson");
      !r)
    return failWith("saving the demo policy: " + r.error().message);
  auto current = client->call("GET", "/api/v2/posture/integrations/" + integrationId);
  auto listed = client->call("GET", "/api/v2/tailnet/-/devices?fields=all");
  if (!current || !listed) return failWith("reading the result back failed");
  printSummary((*listed)["devices"], *current, *run);
  auto pushed = waitForPush(*client, devices["devices"].size(), policySavedAt);
  if (!pushed) return failWith(pushed.error().message);
  printHeadscaleSummary(*pushed);

  std::cout << "\n  console      " << base << "/   (sign in with the admin key)\n"
            << "  API          " << base << "/api/v2\n"
            << "  admin key    " << dir << "/data/admin.key\n"
            << "  SentinelOne  http://" << *emuAddress << " (emulator; token in " << tokenFile << ")\n"
            << "  headscale    " << headscaleUrl << " (emulator; API key in " << headscaleKeyFile << ")\n"
            << "  logs         " << dir << "/postured.log, " << dir << "/s1emu.log, " << dir << "/hsemu.log\n\n"
            << "  try:  ./build/release/src/postured devices list --server " << base << " --api-key-file " << dir
            << "/data/admin.key\n"
            << "        ./build/release/src/postured integrations runs " << integrationId << " --server " << base
            << " --api-key-file " << dir << "/data/admin.key\n"
            << "        ./build/release/src/postured headscale status --server " << base << " --api-key-file " << dir
            << "/data/admin.key\n"
            << "        curl -s -H \"Authorization: Bearer $(cat " << headscaleKeyFile << ")\" " << headscaleUrl
            << "/api/v1/policy   # what headscale enforces\n"
            << forwardAuthExample((*listed)["devices"], base) << "\n"
            << "Serving until Ctrl-C.\n"
            << std::flush;

  const std::atomic<bool> never{false};
  while (true) {
    if (core::waitForShutdownSignal(never, std::chrono::milliseconds(500))) break;
    if (server.exited()) return failWith("postured serve stopped; see " + dir + "/postured.log");
    if (emu.exited()) return failWith("s1emu stopped; see " + dir + "/s1emu.log");
    if (headscale.exited()) return failWith("hsemu stopped; see " + dir + "/hsemu.log");
  }
  std::cout << "\nstopping\n";
  server.stop(SIGTERM);
  headscale.stop(SIGTERM);
  emu.stop(SIGTERM);
  return 0;
}

}  // namespace postured::app
