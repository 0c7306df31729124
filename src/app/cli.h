// The `postured` command line: `serve`, `version`, and the client groups
// (devices, attrs, keys, audit) that talk to a server.
// Exit codes: 0 ok, 1 the server refused or could not be reached, 2 usage error.
#pragma once

namespace postured::app {

int runMain(int argc, char** argv);

}  // namespace postured::app
