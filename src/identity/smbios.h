// The SMBIOS structure table (DMTF DSP0134, section 6.1) as Linux exposes it
// in /sys/firmware/dmi/tables/DMI. The bytes come from firmware and are
// treated as untrusted: every read is bounds-checked, and a malformed table is
// an error naming the byte offset, never an over-read.
//
// Layout: structures back to back, each a 4-byte header {type u8, length u8,
// handle u16 little-endian}, the rest of its formatted area (`length` bytes in
// all, header included), then its string set: NUL-terminated strings ended by
// one more NUL (two NULs when it has no strings). Type 127 ends the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace postured::identity {

inline constexpr std::uint8_t kSmbiosEndOfTable = 127;

// One structure. The views point into the table that was parsed, which must
// outlive this value.
struct SmbiosStructure {
  std::uint8_t type = 0;
  std::uint16_t handle = 0;
  std::size_t offset = 0;                   // of the header within the table, for messages
  std::span<const std::uint8_t> formatted;  // header included, so the spec's offsets index it directly
  std::vector<std::string_view> strings;    // string number 1 is strings[0]

  // The string named by the byte at the spec's offset `specOffset`, or
  // nullopt when the formatted area is too short to hold that byte (an older
  // SMBIOS version), the byte is 0 (no string) or it names a string the set
  // does not have.
  std::optional<std::string_view> stringAt(std::size_t specOffset) const;
};

// Parses structures up to the end-of-table structure (not returned) or the
// end of `table`. Fails with kInvalidArgument when a header is cut off, a
// length is below 4, a formatted area runs past the end, or a string set is
// not terminated.
core::Result<std::vector<SmbiosStructure>> parseSmbiosTable(std::span<const std::uint8_t> table);

}  // namespace postured::identity
