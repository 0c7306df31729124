#include "app/identity_command.h"

#include <iostream>
#include <memory>

#include "identity/device_identity.h"

namespace postured::app {

namespace {

constexpr int kUnsupported = 1;

struct IdentityCommandOptions {
  std::string sysfsRoot = "/sys";
  bool hwAddrs = false;
  bool json = false;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

std::string serialList(const identity::DeviceIdentity& id, bool placeholders) {
  std::vector<std::string> items;
  for (const auto& s : id.serials)
    if (s.placeholder == placeholders) items.push_back(s.value + " (" + identity::serialKindName(s.kind) + ")");
  return joined(items);
}

void printText(const identity::DeviceIdentity& id) {
  std::cout << "hostname:        " << id.hostname << "\n"
            << "os:              " << id.os << "\n"
            << "os version:      " << id.osVersion << "\n"
            << "client version:  " << id.clientVersion << "\n"
            << "serial numbers:  " << serialList(id, false) << "\n";
  if (!id.placeholderSerials().empty())
    std::cout << "placeholders:    " << serialList(id, true) << " (firmware defaults, never matched on)\n";
  if (!id.serialSourcePath.empty()) std::cout << "read from:       " << id.serialSourcePath << "\n";
  if (id.ifaceHardwareAddrs) std::cout << "hardware addrs:  " << joined(*id.ifaceHardwareAddrs) << "\n";
  for (const auto& problem : id.problems) std::cerr << "postured: identity: " << problem << "\n";
}

int runIdentity(const IdentityCommandOptions& o) {
  if constexpr (!identity::kIdentityCollectionSupported) {
    std::cerr << "postured: identity: not supported on this platform yet (Linux only)\n";
    return kUnsupported;
  }
  const auto id = identity::collectIdentity({o.sysfsRoot, o.hwAddrs});
  if (o.json) {
    std::cout << identity::toJson(id).dump(2) << "\n";
  } else {
    printText(id);
  }
  return 0;
}

}  // namespace

void addIdentityCommand(CLI::App& app, OfflineCommand& chosen) {
  auto options = std::make_shared<IdentityCommandOptions>();
  auto* cmd = app.add_subcommand("identity", "Show this machine's identity: serial numbers, MAC addresses, OS facts");
  cmd->add_flag("--json", options->json, "print Tailscale's identity JSON plus postured's fields");
  cmd->add_flag("--hwaddrs", options->hwAddrs, "include the MAC addresses of non-loopback interfaces");
  cmd->add_option("--sysfs-root", options->sysfsRoot, "read DIR instead of /sys (for tests)")
      ->check(CLI::ExistingDirectory);
  cmd->callback([&app, &chosen, options] {
    chosen = [&app, options] {
      options->json = options->json || app.get_option("--json")->count() > 0;
      return runIdentity(*options);
    };
  });
}

}  // namespace postured::app
