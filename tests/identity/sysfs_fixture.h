// Test fixtures for identity collection: binary SMBIOS tables built byte by
// byte, and a fake sysfs tree in a temporary directory to read them from.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace postured::testing {

using Bytes = std::vector<std::uint8_t>;

// One structure: `fields` sets bytes of the formatted area by the spec's
// offset (the header is written from type/length/handle).
struct SmbiosStructureSpec {
  std::uint8_t type = 0;
  std::uint8_t length = 4;
  std::uint16_t handle = 0;
  std::map<std::size_t, std::uint8_t> fields;
  std::vector<std::string> strings;
};

// Realistic structures: BIOS (type 0), system (1), baseboard (2), chassis (3)
// with manufacturer, product and version strings and `serial` at 0x07 (string
// index 0, "no string", when nullopt), and the end-of-table marker (127).
SmbiosStructureSpec biosStructure();
SmbiosStructureSpec serialStructure(std::uint8_t type, std::optional<std::string> serial);
SmbiosStructureSpec endOfTable();

// Serialises structures: header, formatted area, strings, the double NUL.
Bytes buildSmbiosTable(const std::vector<SmbiosStructureSpec>& structures);

// The usual table: BIOS, then system, baseboard and chassis serials, then the end.
Bytes typicalTable(const std::string& system, const std::string& board, const std::string& chassis);

// A sysfs tree: <root>/firmware/dmi/tables/DMI, <root>/class/dmi/id/*,
// <root>/class/net/<iface>/{address,type,flags}.
class SysfsFixture {
 public:
  SysfsFixture();
  std::string root() const { return dir_.path().string(); }
  std::string dmiTablePath() const;
  void writeDmiTable(const Bytes& table);
  void writeIdFile(const std::string& name, const std::string& content);
  void addInterface(const std::string& name, const std::string& address, std::optional<int> type = std::nullopt,
                    std::optional<std::string> flags = std::nullopt);

 private:
  void write(const std::string& relative, const std::string& content);
  TempDir dir_;
};

}  // namespace postured::testing
