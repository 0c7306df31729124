#include "identity/sysfs_fixture.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace postured::testing {

namespace {

// Shared by types 1-3: manufacturer, product, version as strings 1-3 at
// 0x04-0x06; the serial is string 4 at 0x07.
SmbiosStructureSpec withNames(std::uint8_t type, std::uint8_t length, std::optional<std::string> serial) {
  SmbiosStructureSpec s;
  s.type = type;
  s.length = length;
  s.handle = static_cast<std::uint16_t>(0x0100 * type);
  s.strings = {"Example Corp.", "Example Board " + std::to_string(type), "1.0"};
  s.fields = {{0x04, 1}, {0x05, 2}, {0x06, 3}, {0x07, 0}};
  if (serial) {
    s.strings.push_back(*serial);
    s.fields[0x07] = static_cast<std::uint8_t>(s.strings.size());
  }
  return s;
}

}  // namespace

SmbiosStructureSpec biosStructure() {
  SmbiosStructureSpec s;
  s.type = 0;
  s.length = 0x18;  // SMBIOS 2.4+
  s.strings = {"Example BIOS Inc.", "2.3.1", "01/02/2024"};
  s.fields = {{0x04, 1}, {0x05, 2}, {0x06, 0x00}, {0x07, 0xF0}, {0x08, 3}, {0x09, 0xFF}, {0x14, 2}, {0x15, 3}};
  return s;
}

SmbiosStructureSpec serialStructure(std::uint8_t type, std::optional<std::string> serial) {
  switch (type) {
    case 1:
      return withNames(1, 0x1B, std::move(serial));  // through family at 0x1A
    case 2: {
      auto s = withNames(2, 0x0F, std::move(serial));  // through the contained-handle count at 0x0E
      s.fields[0x0D] = 0x0A;                           // board type: motherboard
      return s;
    }
    case 3: {
      auto s = withNames(3, 0x15, std::move(serial));  // through the contained-element record length
      s.fields[0x05] = 0x03;                           // chassis type (desktop), a byte, not a string
      return s;
    }
    default:
      throw std::invalid_argument("serialStructure: type 1, 2 or 3");
  }
}

SmbiosStructureSpec endOfTable() {
  SmbiosStructureSpec s;
  s.type = 127;
  s.length = 4;
  s.handle = 0xFEFF;
  return s;
}

Bytes buildSmbiosTable(const std::vector<SmbiosStructureSpec>& structures) {
  Bytes out;
  for (const auto& s : structures) {
    const std::size_t start = out.size();
    out.resize(start + std::max<std::size_t>(s.length, 4), 0);
    out[start] = s.type;
    out[start + 1] = s.length;
    out[start + 2] = static_cast<std::uint8_t>(s.handle & 0xFF);
    out[start + 3] = static_cast<std::uint8_t>(s.handle >> 8);
    for (const auto& [offset, value] : s.fields)
      if (offset >= 4 && offset < s.length) out[start + offset] = value;
    for (const auto& str : s.strings) {
      out.insert(out.end(), str.begin(), str.end());
      out.push_back(0);
    }
    if (s.strings.empty()) out.push_back(0);  // two NULs when there are no strings
    out.push_back(0);
  }
  return out;
}

Bytes typicalTable(const std::string& system, const std::string& board, const std::string& chassis) {
  return buildSmbiosTable({biosStructure(), serialStructure(1, system), serialStructure(2, board),
                           serialStructure(3, chassis), endOfTable()});
}

SysfsFixture::SysfsFixture() = default;

std::string SysfsFixture::dmiTablePath() const { return dir_.file("firmware/dmi/tables/DMI"); }

void SysfsFixture::write(const std::string& relative, const std::string& content) {
  const auto path = dir_.path() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void SysfsFixture::writeDmiTable(const Bytes& table) {
  write("firmware/dmi/tables/DMI", std::string(table.begin(), table.end()));
}

void SysfsFixture::writeIdFile(const std::string& name, const std::string& content) {
  write("class/dmi/id/" + name, content);
}

void SysfsFixture::addInterface(const std::string& name, const std::string& address, std::optional<int> type,
                                std::optional<std::string> flags) {
  write("class/net/" + name + "/address", address);
  if (type) write("class/net/" + name + "/type", std::to_string(*type) + "\n");
  if (flags) write("class/net/" + name + "/flags", *flags + "\n");
}

}  // namespace postured::testing
