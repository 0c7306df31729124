// `postured identity [--json] [--hwaddrs] [--sysfs-root DIR]`: prints what
// this machine would report as its identity (identity/device_identity.h), so
// an operator can see before enrolling whether it can be matched by serial
// number, and why not. Needs no server. Exit codes: 0 (also when nothing could
// be read: the reasons go to stderr, or to "problems" with --json), 1 on an
// unsupported platform, 2 usage errors such as a --sysfs-root that does not exist.
#pragma once

#include <CLI/CLI.hpp>

#include "app/policy_commands.h"

namespace postured::app {

void addIdentityCommand(CLI::App& app, OfflineCommand& chosen);

}  // namespace postured::app
