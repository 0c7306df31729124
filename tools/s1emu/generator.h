// --generate N --seed S: a realistic, deterministic fleet. The same N, seed
// and base time give byte-identical agents and devices on every run.
//
// Machines are Windows (about 58%), macOS (27%) and Linux (15%) laptops,
// desktops, servers and Kubernetes nodes, with vendor-like serials (Apple
// 12 characters, Dell/Lenovo/HP tags, VMware "VMware-42 1d ..." strings).
// About 10% of Linux machines report no serial (null or key absent); about
// 3% of machines were reinstalled and have two agents with one serial, the
// older one last active before the reinstall and usually decommissioned;
// a few % of agents are infected, decommissioned or uninstalled; about 2%
// report their serial in lower case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

#include "fleet.h"
#include "timestamps.h"

namespace postured::s1emu {

struct GeneratorOptions {
  std::size_t agents = 0;
  std::uint64_t seed = 1;
  Micros baseTime = 0;  // "now" of the generated fleet: recent activity is just before it
};

// Calls `sink` with every agent, in increasing id order (ids are 18 and 19
// digit strings), and returns the matching devices in postured's import
// format: {"devices": [{hostname, user | tags, os, osVersion, clientVersion,
// serialNumbers}]}, one per machine that has a serial.
nlohmann::ordered_json generateFleet(const GeneratorOptions& options, const std::function<void(AgentJson)>& sink);

// Turns a computer name into a valid DNS label (letters, digits, hyphens;
// 1 to 63 characters; no leading or trailing hyphen), lower-cased.
std::string hostnameFor(std::string_view computerName);

}  // namespace postured::s1emu
