#include "identity/smbios.h"

#include <string>

namespace postured::identity {

namespace {

constexpr std::size_t kHeaderBytes = 4;

core::Result<std::vector<SmbiosStructure>> corrupt(std::size_t offset, const std::string& what) {
  return core::fail(core::ErrorKind::kInvalidArgument,
                    "corrupt SMBIOS table: structure at byte " + std::to_string(offset) + ": " + what);
}

}  // namespace

std::optional<std::string_view> SmbiosStructure::stringAt(std::size_t specOffset) const {
  if (specOffset >= formatted.size()) return std::nullopt;
  const std::size_t number = formatted[specOffset];
  if (number == 0 || number > strings.size()) return std::nullopt;
  return strings[number - 1];
}

core::Result<std::vector<SmbiosStructure>> parseSmbiosTable(std::span<const std::uint8_t> table) {
  std::vector<SmbiosStructure> out;
  std::size_t pos = 0;
  while (pos < table.size()) {
    const std::size_t left = table.size() - pos;
    if (left < kHeaderBytes)
      return corrupt(pos, "the table ends inside the header (" + std::to_string(left) + " of 4 bytes)");
    SmbiosStructure s;
    s.type = table[pos];
    const std::size_t length = table[pos + 1];
    s.handle = static_cast<std::uint16_t>(table[pos + 2] | (table[pos + 3] << 8));
    s.offset = pos;
    // Every structure before this one was complete; whatever the end marker
    // claims or is followed by (padding, a cut-off string set) is not ours to read.
    if (s.type == kSmbiosEndOfTable) break;
    if (length < kHeaderBytes)
      return corrupt(pos, "type " + std::to_string(s.type) + " has length " + std::to_string(length) +
                              ", shorter than its 4-byte header");
    if (length > left)
      return corrupt(pos, "type " + std::to_string(s.type) + " has length " + std::to_string(length) + " but only " +
                              std::to_string(left) + " bytes are left");
    s.formatted = table.subspan(pos, length);

    // The string set ends at the first double NUL, found the way the kernel's
    // dmi_scan does, so an odd set cannot make us skip the terminator.
    const std::size_t strings = pos + length;
    std::size_t end = strings;
    while (end + 1 < table.size() && (table[end] != 0 || table[end + 1] != 0)) ++end;
    if (end + 1 >= table.size())
      return corrupt(pos, "type " + std::to_string(s.type) + ": its string set is not terminated");
    const auto* chars = reinterpret_cast<const char*>(table.data());
    for (std::size_t at = strings; at < end;) {
      std::size_t stop = at;
      while (stop < end && table[stop] != 0) ++stop;
      s.strings.emplace_back(chars + at, stop - at);
      at = stop + 1;
    }
    out.push_back(std::move(s));
    pos = end + 2;
  }
  return out;
}

}  // namespace postured::identity
