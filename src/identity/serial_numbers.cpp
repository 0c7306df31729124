#include "identity/serial_numbers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/serial_placeholders.h"
#include "identity/smbios.h"
#include "identity/sysfs_file.h"

namespace postured::identity {

namespace {

constexpr std::size_t kSerialNumberOffset = 0x07;  // the same in types 1, 2 and 3
constexpr std::size_t kMaxTableBytes = 4 << 20;    // real tables are a few KiB; the spec allows far more
constexpr std::size_t kMaxIdFileBytes = 4096;

bool anyReal(const std::vector<SerialNumber>& serials) {
  return std::any_of(serials.begin(), serials.end(), [](const SerialNumber& s) { return !s.placeholder; });
}

// Said whenever the readout ends without a real serial, so the user knows the
// consequence and not only the cause.
const char* const kUnmatchable = "the device cannot be matched by serial number";

std::string noRealSerialProblem(const SerialReadout& r) {
  if (r.serials.empty()) return r.sourcePath + " names no serial number (SMBIOS types 1, 2 and 3); " + kUnmatchable;
  std::string values;
  for (const auto& s : r.serials) values += (values.empty() ? "\"" : ", \"") + s.value + "\"";
  return "only placeholder serial numbers (" + values + ") in " + r.sourcePath + ": the firmware was given no real " +
         "serial; " + kUnmatchable;
}

void addSerial(std::vector<SerialNumber>& out, std::string_view raw, SerialKind kind) {
  auto value = cleanFirmwareString(raw);
  if (value.empty()) return;
  const bool placeholder = core::isPlaceholderSerial(value);
  out.push_back({std::move(value), kind, placeholder});
}

struct IdFilesReadout {
  std::vector<SerialNumber> serials;
  std::string deniedPath;  // the first file we were not allowed to read
  bool anyPresent = false;
};

// The kernel's decoded copies of the same three fields, readable when the raw
// table is not exported (kernels before 4.2) or cannot be parsed.
IdFilesReadout readIdFiles(const std::filesystem::path& dir) {
  static constexpr std::array<std::pair<const char*, SerialKind>, 3> kFiles = {{
      {"product_serial", SerialKind::kSystem},
      {"board_serial", SerialKind::kBaseboard},
      {"chassis_serial", SerialKind::kChassis},
  }};
  IdFilesReadout out;
  for (const auto& [name, kind] : kFiles) {
    const auto path = dir / name;
    auto file = readSysfsFile(path, kMaxIdFileBytes);
    if (file.status != ReadStatus::kMissing) out.anyPresent = true;
    if (file.status == ReadStatus::kDenied && out.deniedPath.empty()) out.deniedPath = path.string();
    if (file.status == ReadStatus::kOk) addSerial(out.serials, file.content, kind);
  }
  return out;
}

}  // namespace

const char* serialKindName(SerialKind kind) {
  switch (kind) {
    case SerialKind::kSystem:
      return "system";
    case SerialKind::kBaseboard:
      return "baseboard";
    case SerialKind::kChassis:
      return "chassis";
  }
  return "unknown";
}

const char* serialSourceName(SerialSource source) {
  switch (source) {
    case SerialSource::kSmbiosTable:
      return "smbios";
    case SerialSource::kSysfsFiles:
      return "sysfs";
    case SerialSource::kNone:
      break;
  }
  return "none";
}

std::string cleanFirmwareString(std::string_view raw) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  auto begin = std::find_if(raw.begin(), raw.end(), notSpace);
  auto end = std::find_if(raw.rbegin(), raw.rend(), notSpace).base();
  if (begin >= end) return {};
  std::string text(begin, end);
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x80; })) return text;
  // nlohmann::json refuses to dump invalid UTF-8; its own replacing encoder
  // guarantees that what we keep is exactly what it accepts later.
  const auto quoted = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

core::Result<std::vector<SerialNumber>> serialsFromSmbiosTable(std::span<const std::uint8_t> table) {
  auto structures = parseSmbiosTable(table);
  if (!structures) return tl::unexpected(structures.error());
  std::vector<SerialNumber> out;
  for (const auto& s : *structures) {
    if (s.type < 1 || s.type > 3) continue;
    // A missing string (index 0, or beyond the set) is skipped, as Tailscale
    // skips it: the other structures may still carry a serial.
    if (auto serial = s.stringAt(kSerialNumberOffset)) addSerial(out, *serial, static_cast<SerialKind>(s.type));
  }
  return out;
}

SerialReadout readSerialNumbers(const std::filesystem::path& sysfsRoot) {
  SerialReadout out;
  const auto tablePath = (sysfsRoot / "firmware/dmi/tables/DMI").string();
  const auto idDir = (sysfsRoot / "class/dmi/id").string();

  const auto table = readSysfsFile(tablePath, kMaxTableBytes);
  bool tableCorrupt = false;
  if (table.status == ReadStatus::kOk) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(table.content.data());
    auto serials = serialsFromSmbiosTable({bytes, table.content.size()});
    if (serials) {
      out.serials = std::move(*serials);
      out.source = SerialSource::kSmbiosTable;
      out.sourcePath = tablePath;
      if (!anyReal(out.serials)) out.problems.push_back(noRealSerialProblem(out));
      return out;
    }
    tableCorrupt = true;
    out.problems.push_back("cannot use " + tablePath + ": " + serials.error().message + "; reading " + idDir +
                           " instead");
  }

  auto files = readIdFiles(idDir);
  if (!files.serials.empty()) {
    out.serials = std::move(files.serials);
    out.source = SerialSource::kSysfsFiles;
    out.sourcePath = idDir;
    if (!anyReal(out.serials)) out.problems.push_back(noRealSerialProblem(out));
    return out;
  }

  // Nothing from either place: say the most useful reason.
  if (table.status == ReadStatus::kDenied || !files.deniedPath.empty()) {
    const auto& path = table.status == ReadStatus::kDenied ? tablePath : files.deniedPath;
    out.problems.push_back("cannot read " + path + ": permission denied; run as root to read the serial numbers (" +
                           kUnmatchable + " until then)");
  } else if (table.status == ReadStatus::kMissing && !files.anyPresent) {
    out.problems.push_back("no DMI tables (" + tablePath + " and " + idDir +
                           " are missing): this looks like a container or a virtual machine without SMBIOS; " +
                           kUnmatchable);
  } else if (table.status == ReadStatus::kFailed) {
    out.problems.push_back("cannot read " + tablePath + ": " + table.reason + "; " + kUnmatchable);
  } else if (tableCorrupt) {
    out.problems.push_back(std::string("no serial number in ") + idDir + " either; " + kUnmatchable);
  } else {
    out.problems.push_back(idDir + " names no serial number; " + kUnmatchable);
  }
  return out;
}

}  // namespace postured::identity
