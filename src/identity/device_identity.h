// This machine's identity as a posture agent reports it: hardware serial
// numbers, optionally MAC addresses, and OS facts. Used by `postured identity`
// and by the enrollment client. Linux only for now: elsewhere
// collectIdentity() returns nothing but a problem saying so.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "identity/serial_numbers.h"

namespace postured::identity {

#ifdef __linux__
inline constexpr bool kIdentityCollectionSupported = true;
#else
inline constexpr bool kIdentityCollectionSupported = false;
#endif

struct IdentityOptions {
  std::filesystem::path sysfsRoot = "/sys";  // tests point this at a fixture tree
  bool includeHwAddrs = false;               // Tailscale's ?hwaddrs=true
};

struct DeviceIdentity {
  std::vector<SerialNumber> serials;  // table order, placeholders included but flagged
  SerialSource serialSource = SerialSource::kNone;
  std::string serialSourcePath;
  std::optional<std::vector<std::string>> ifaceHardwareAddrs;  // set only when asked for
  std::string hostname;
  std::string os;             // "linux"
  std::string osVersion;      // the kernel release (uname -r), as Tailscale reports it
  std::string clientVersion;  // POSTURED_VERSION
  // Everything that kept a fact from being read, each a sentence saying what
  // to do. Collection never fails as a whole: it reports what it has.
  std::vector<std::string> problems;

  // The real serials, what matching may use; the placeholders apart.
  std::vector<std::string> serialNumbers() const;
  std::vector<std::string> placeholderSerials() const;
};

DeviceIdentity collectIdentity(const IdentityOptions& options);

// Tailscale's C2NPostureIdentityResponse keys with Go's names ("SerialNumbers",
// real serials only; "IfaceHardwareAddrs" only when collected), then ours in
// camelCase like the rest of the postured API: placeholderSerialNumbers,
// serialSource ("smbios", "sysfs", "none"), hostname, os, osVersion,
// clientVersion, problems.
nlohmann::ordered_json toJson(const DeviceIdentity& identity);

}  // namespace postured::identity
