// Hardware serial numbers as Tailscale's Linux client reads them
// (posture/serialnumber_notmacos.go): the string at offset 0x07 of every SMBIOS
// structure of type 1 (system), 2 (baseboard) and 3 (chassis), in table order,
// trimmed, empty ones dropped, not deduplicated. Unlike Tailscale we also flag
// known placeholders ("To be filled by O.E.M.") so that nothing matches on them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace postured::identity {

// Which structure a serial came from; the values are the SMBIOS types.
enum class SerialKind : std::uint8_t { kSystem = 1, kBaseboard = 2, kChassis = 3 };
const char* serialKindName(SerialKind kind);  // "system", "baseboard", "chassis"

struct SerialNumber {
  std::string value;  // trimmed, never empty, valid UTF-8
  SerialKind kind = SerialKind::kSystem;
  bool placeholder = false;  // a known firmware placeholder: reported, never matched on
};

enum class SerialSource {
  kNone,         // nothing could be read; the readout's problems say why
  kSmbiosTable,  // <sysfs>/firmware/dmi/tables/DMI
  kSysfsFiles,   // <sysfs>/class/dmi/id/{product,board,chassis}_serial, when the table could not be used
};
const char* serialSourceName(SerialSource source);  // "smbios", "sysfs", "none"

struct SerialReadout {
  std::vector<SerialNumber> serials;
  SerialSource source = SerialSource::kNone;
  std::string sourcePath;  // the table or directory read, empty for kNone
  // Why no usable serial was found, or what went wrong on the way, each with
  // what to do: complete sentences for a human.
  std::vector<std::string> problems;
};

// Reads the table under `sysfsRoot`, falling back to the class/dmi/id files
// when the table is missing, unreadable or corrupt. Never fails: what could
// not be read is in `problems`.
SerialReadout readSerialNumbers(const std::filesystem::path& sysfsRoot);

// The serials of an SMBIOS table, cleaned and flagged. Fails when the table
// is corrupt (see parseSmbiosTable).
core::Result<std::vector<SerialNumber>> serialsFromSmbiosTable(std::span<const std::uint8_t> table);

// Trims ASCII whitespace and replaces invalid UTF-8 with U+FFFD, so that
// whatever firmware wrote can be printed and sent as JSON.
std::string cleanFirmwareString(std::string_view raw);

}  // namespace postured::identity
