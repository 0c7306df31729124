#include "app/enroll_command.h"

#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <thread>

#include "core/shutdown_signals.h"
#include "core/time.h"
#include "identity/enroll_agent.h"

namespace postured::app {

namespace {

struct EnrollCommandOptions {
  identity::AgentOptions agent;
  std::string tags;
  std::string interval = "10m";
  std::string retryFor = "1m";
  std::string stateDir = std::string(identity::kDefaultStateDir);
  std::string sysfsRoot = "/sys";
};

std::vector<std::string> splitTags(const std::string& text) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    auto tag = text.substr(start, end - start);
    tag.erase(0, tag.find_first_not_of(' '));
    tag.erase(tag.find_last_not_of(' ') + 1);
    if (!tag.empty()) tags.push_back(tag);
    start = end + 1;
  }
  return tags;
}

int runEnroll(EnrollCommandOptions& o) {
  auto& agent = o.agent;
  const auto interval = core::parseDuration(o.interval);
  if (!interval) {
    std::cerr << "postured enroll: --interval \"" << o.interval << "\" is not a duration such as 10m or 1h\n";
    return identity::kAgentUsage;
  }
  const auto retryFor = core::parseDuration(o.retryFor);
  if (!retryFor && o.retryFor != "0") {
    std::cerr << "postured enroll: --retry-for \"" << o.retryFor << "\" is not a duration such as 30s or 5m\n";
    return identity::kAgentUsage;
  }
  agent.interval = *interval;
  agent.retryFor = retryFor.value_or(std::chrono::milliseconds(0));
  agent.tags = splitTags(o.tags);
  agent.stateDir = o.stateDir;
  agent.sysfsRoot = o.sysfsRoot;

  // Before any thread starts (curl's resolver makes some), so that the
  // signals reach only the thread that waits for them.
  core::blockShutdownSignals();
  ::umask(077);  // the state holds the device's private key
  identity::StopSignal stop;
  std::atomic<bool> finished{false};
  std::thread signals([&] {
    if (core::waitForShutdownSignal(finished)) stop.request();
  });
  const identity::AgentOutput out{
      [](const std::string& line) { std::cout << "postured enroll: " << line << std::endl; },
      [](const std::string& line) { std::cerr << "postured enroll: " << line << std::endl; }};
  const int code = identity::runEnrollAgent(agent, stop, out);
  finished = true;
  signals.join();
  return code;
}

}  // namespace

void addEnrollCommand(CLI::App& app, OfflineCommand& chosen) {
  auto o = std::make_shared<EnrollCommandOptions>();
  auto* cmd = app.add_subcommand("enroll", "Enroll this machine with a server and report its identity (the agent)");
  cmd->add_option("--server", o->agent.server, "URL of the postured server, such as https://postured.example.com")
      ->required();
  cmd->add_option("--auth-key-file", o->agent.authKey.file,
                  "file holding the auth key; needed only until this machine is enrolled");
  cmd->add_option("--auth-key-env", o->agent.authKey.envVar,
                  "environment variable holding the auth key, instead of --auth-key-file");
  cmd->add_option("--tags", o->tags, "tags for the device, a subset of the auth key's (tag:a,tag:b)");
  cmd->add_option("--report-posture", o->agent.reportPosture,
                  "send serial numbers and MAC addresses (default true); false reports PostureDisabled");
  cmd->add_option("--interval", o->interval, "time between reports (default 10m, at least 10s)");
  cmd->add_option("--state-dir", o->stateDir, "where the device key and id are kept (default /var/lib/postured-agent)");
  cmd->add_option("--address", o->agent.addresses,
                  "report this IP address instead of the interfaces' (repeatable; e.g. the tailnet address when "
                  "tailscale0 is not visible here)");
  cmd->add_option("--sysfs-root", o->sysfsRoot, "read DIR instead of /sys (for tests)")->check(CLI::ExistingDirectory);
  cmd->add_flag("--once", o->agent.once, "report once and exit: 0 when the server took the report");
  cmd->add_option("--retry-for", o->retryFor,
                  "with --once, how long to retry a server that is down or failing (default 1m; 0: one attempt)");
  cmd->callback([&chosen, o] { chosen = [o] { return runEnroll(*o); }; });
}

}  // namespace postured::app
