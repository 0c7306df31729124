// The client subcommands: each registers its options on a CLI11 app and runs
// against a server through ApiClient.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

#include "app/api_client.h"

namespace postured::app {

// A command body: returns the exit code (0 ok, 1 refused by the server).
using CommandBody = std::function<int(ApiClient&, const ClientSettings&)>;
// Called by each group to record which command the user chose.
using CommandSink = std::function<void(CommandBody)>;

void addDeviceCommands(CLI::App& app, CommandSink sink);
void addAttributeCommands(CLI::App& app, CommandSink sink);
void addKeyCommands(CLI::App& app, CommandSink sink);
void addSettingsCommands(CLI::App& app, CommandSink sink);
void addAuditCommand(CLI::App& app, CommandSink sink);
void addIntegrationCommands(CLI::App& app, CommandSink sink);
void addHeadscaleCommands(CLI::App& app, CommandSink sink);

}  // namespace postured::app
