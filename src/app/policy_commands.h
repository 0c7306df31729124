// `postured policy validate|test|filters|check`: offline policy commands for CI
// pipelines that review policy changes. They read a policy file and a
// DEVICES.json (policy/devices_file.h) and need no server.
// Exit codes: 0 ok (for check: a decision was made, allowed or not), 1 invalid
// input or failing tests, 2 usage errors (CLI11 reports those).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace postured::app {

// The chosen command, run after parsing; returns the exit code.
using OfflineCommand = std::function<int()>;

void addPolicyCommands(CLI::App& app, OfflineCommand& chosen);

}  // namespace postured::app
