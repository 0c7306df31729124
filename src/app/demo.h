// `postured demo`: the whole product on one machine in one command. Starts
// the SentinelOne emulator with a generated fleet, the headscale emulator
// and `postured serve` (driving it) as child processes, imports the fleet's
// devices and makes them headscale nodes, saves a policy with a posture,
// connects the integration, waits for the first sync and for headscale to
// get the resolved policy, prints what it found, and serves until Ctrl-C.
#pragma once

#include <string>

namespace postured::app {

struct DemoOptions {
  std::string listen = "127.0.0.1:8080";
  std::string dataDir = "./var/demo";  // wiped at start, and only if it is a demo dir
  int agents = 200;
  std::string s1emu;  // path of the SentinelOne emulator; found next to postured when empty
  std::string hsemu;  // path of the headscale emulator; likewise
};

int runDemo(const DemoOptions& options);

}  // namespace postured::app
