// `postured enroll --server URL (--auth-key-file F | --auth-key-env VAR)
//  [--tags tag:a,tag:b] [--report-posture=true|false] [--interval 10m]
//  [--state-dir DIR] [--sysfs-root DIR] [--once] [--retry-for 1m]`:
// the enrollment agent (identity/enroll_agent.h) as a subcommand. Report
// lines go to stdout, failures and warnings to stderr, in plain words.
// SIGINT and SIGTERM stop it within about a second; it then exits 0 (1 with
// --once, which had not reported yet). Exit codes: 0 ok, 1 refused, removed or
// unreachable, 2 usage (including a first run without an auth key).
#pragma once

#include <CLI/CLI.hpp>

#include "app/policy_commands.h"

namespace postured::app {

void addEnrollCommand(CLI::App& app, OfflineCommand& chosen);

}  // namespace postured::app
