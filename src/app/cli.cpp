#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "app/client_commands.h"
#include "app/config.h"
#include "app/demo.h"
#include "app/enroll_command.h"
#include "app/identity_command.h"
#include "app/policy_commands.h"
#include "app/serve.h"

namespace postured::app {

namespace {
constexpr int kUsageError = 2;
}

int runMain(int argc, char** argv) {
  CLI::App app{"postured: a self-hosted device-posture control plane", "postured"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags such as --json may follow the subcommand
  app.set_version_flag("--version", std::string("postured ") + POSTURED_VERSION);

  // serve: every config key is a flag.
  auto* serve = app.add_subcommand("serve", "Run the control plane server");
  std::string configFile;
  serve->add_option("--config", configFile, "TOML configuration file")->check(CLI::ExistingFile);
  std::map<std::string, std::string> flagValues;
  for (const auto& key : serveConfigKeys()) {
    serve->add_option_function<std::string>(
        key.flag(), [&flagValues, name = key.name](const std::string& v) { flagValues[name] = v; },
        key.help + " (env " + key.envVar() + ", default " + key.defaultText + ")");
  }

  auto* version = app.add_subcommand("version", "Print the version");

  auto* demo = app.add_subcommand("demo", "Run postured with a SentinelOne emulator and a generated fleet");
  DemoOptions demoOptions;
  demo->add_option("--listen", demoOptions.listen, "address of the demo's API (default 127.0.0.1:8080)");
  demo->add_option("--data-dir", demoOptions.dataDir, "demo directory, wiped at start (default ./var/demo)");
  demo->add_option("--agents", demoOptions.agents, "size of the generated SentinelOne fleet (default 200)")
      ->check(CLI::Range(1, 200000));
  demo->add_option("--s1emu", demoOptions.s1emu, "path of the s1emu emulator (default: next to postured)");
  demo->add_option("--hsemu", demoOptions.hsemu, "path of the hsemu emulator (default: next to postured)");

  // Client commands share connection settings.
  ClientSettings settings;
  settings.server = "http://127.0.0.1:8080";
  if (const char* env = std::getenv("POSTURED_SERVER"); env && *env) settings.server = env;
  app.add_option("--server", settings.server, "server URL (env POSTURED_SERVER)");
  app.add_option("--api-key-file", settings.apiKeyFile,
                 "file holding the API key (else env POSTURED_API_KEY, else ./var/admin.key)");
  app.add_flag("--json", settings.json, "print JSON instead of tables");

  CommandBody chosen;
  auto sink = [&chosen](CommandBody body) { chosen = std::move(body); };
  addDeviceCommands(app, sink);
  addAttributeCommands(app, sink);
  addKeyCommands(app, sink);
  addSettingsCommands(app, sink);
  addAuditCommand(app, sink);
  addIntegrationCommands(app, sink);
  addHeadscaleCommands(app, sink);
  OfflineCommand offline;  // policy and identity commands need no server
  addPolicyCommands(app, offline);
  addIdentityCommand(app, offline);
  addEnrollCommand(app, offline);  // the agent: its own --server, no API key

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsageError;
  }

  if (version->parsed()) {
    std::cout << "postured " << POSTURED_VERSION << "\n";
    return 0;
  }
  if (demo->parsed()) return runDemo(demoOptions);
  if (serve->parsed()) {
    auto config = loadServeConfig(configFile.empty() ? std::nullopt : std::optional(configFile), flagValues,
                                  processEnvironment());
    if (!config) {
      std::cerr << "postured: " << config.error().message << "\n";
      return kUsageError;
    }
    return runServe(*config);
  }
  if (offline) return offline();
  if (!chosen) {
    std::cerr << app.help();
    return kUsageError;
  }
  auto client = ApiClient::connect(settings);
  if (!client) {
    std::cerr << "postured: " << client.error().message << "\n";
    return kUsageError;
  }
  return chosen(*client, settings);
}

}  // namespace postured::app
