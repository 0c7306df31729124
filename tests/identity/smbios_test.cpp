// The SMBIOS table parser on built fixtures, including every truncation and
// corrupt lengths: an error or a safe skip, never a crash or an over-read
// (the buffers are exactly sized heap copies, so ASan sees any over-read).
#include "identity/smbios.h"

#include <gtest/gtest.h>

#include <random>

#include "identity/serial_numbers.h"
#include "identity/sysfs_fixture.h"

namespace postured::testing {
namespace {

using identity::parseSmbiosTable;
using identity::serialsFromSmbiosTable;

std::vector<std::string> values(const std::vector<identity::SerialNumber>& serials) {
  std::vector<std::string> out;
  for (const auto& s : serials) out.push_back(s.value);
  return out;
}

TEST(SmbiosTable, ParsesHeadersFormattedAreasAndStrings) {
  const auto table = typicalTable("SYS-1", "BOARD-2", "CHASSIS-3");
  auto parsed = parseSmbiosTable(table);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 4u);  // the end-of-table structure is not returned
  EXPECT_EQ((*parsed)[0].type, 0);
  EXPECT_EQ((*parsed)[0].offset, 0u);
  EXPECT_EQ((*parsed)[0].formatted.size(), 0x18u);
  EXPECT_EQ((*parsed)[0].strings, (std::vector<std::string_view>{"Example BIOS Inc.", "2.3.1", "01/02/2024"}));
  EXPECT_EQ((*parsed)[1].type, 1);
  EXPECT_EQ((*parsed)[1].handle, 0x0100);
  EXPECT_EQ((*parsed)[1].stringAt(0x04), "Example Corp.");
  EXPECT_EQ((*parsed)[1].stringAt(0x07), "SYS-1");
  EXPECT_EQ((*parsed)[2].stringAt(0x07), "BOARD-2");
  EXPECT_EQ((*parsed)[3].stringAt(0x07), "CHASSIS-3");
}

TEST(SmbiosTable, StringAtRejectsZeroOutOfRangeAndShortAreas) {
  SmbiosStructureSpec s = serialStructure(1, "S");
  s.fields[0x05] = 9;  // beyond the 4 strings
  const auto table = buildSmbiosTable({s, endOfTable()});
  auto parsed = parseSmbiosTable(table);
  ASSERT_TRUE(parsed);
  const auto& st = (*parsed)[0];
  EXPECT_EQ(st.stringAt(0x05), std::nullopt);
  EXPECT_EQ(st.stringAt(0x08), std::nullopt);  // UUID byte 0
  EXPECT_EQ(st.stringAt(0x1B), std::nullopt);  // past the formatted area
  EXPECT_EQ(st.stringAt(1000), std::nullopt);
}

TEST(SmbiosTable, StructureWithoutStringsEndsWithTwoNuls) {
  SmbiosStructureSpec bare{.type = 32, .length = 0x0B, .handle = 7, .fields = {}, .strings = {}};
  const auto table = buildSmbiosTable({bare, serialStructure(1, "AFTER"), endOfTable()});
  auto parsed = parseSmbiosTable(table);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_TRUE((*parsed)[0].strings.empty());
  EXPECT_EQ((*parsed)[1].offset, 0x0Bu + 2);
  EXPECT_EQ((*parsed)[1].stringAt(0x07), "AFTER");
}

TEST(SmbiosTable, EndOfTableStopsParsing) {
  auto table = typicalTable("A", "B", "C");
  const Bytes garbage = {0x01, 0x02, 0xFF, 0xFF, 0xFF};  // would be corrupt if it were read
  table.insert(table.end(), garbage.begin(), garbage.end());
  auto parsed = parseSmbiosTable(table);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size(), 4u);

  // An end marker cut off inside its own string set still ends the table.
  Bytes cutEnd = buildSmbiosTable({serialStructure(1, "A")});
  cutEnd.insert(cutEnd.end(), {127, 4, 0xFF, 0xFE});
  auto p2 = parseSmbiosTable(cutEnd);
  ASSERT_TRUE(p2) << p2.error().message;
  EXPECT_EQ(p2->size(), 1u);

  // So does one whose length is nonsense.
  cutEnd[cutEnd.size() - 3] = 0;
  auto p3 = parseSmbiosTable(cutEnd);
  ASSERT_TRUE(p3) << p3.error().message;
  EXPECT_EQ(p3->size(), 1u);
}

TEST(SmbiosTable, TableWithoutEndMarkerEndsWithTheBytes) {
  const auto table = buildSmbiosTable({biosStructure(), serialStructure(1, "ONLY")});
  auto serials = serialsFromSmbiosTable(table);
  ASSERT_TRUE(serials) << serials.error().message;
  EXPECT_EQ(values(*serials), std::vector<std::string>{"ONLY"});
}

TEST(SmbiosTable, EmptyTableHasNoStructures) {
  auto parsed = parseSmbiosTable({});
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->empty());
}

TEST(SmbiosTable, LengthShorterThanTheHeaderIsAnError) {
  for (std::uint8_t length = 0; length < 4; ++length) {
    auto table = typicalTable("A", "B", "C");
    const std::size_t systemAt = buildSmbiosTable({biosStructure()}).size();
    ASSERT_EQ(table[systemAt], 1);
    table[systemAt + 1] = length;
    auto parsed = parseSmbiosTable(table);
    ASSERT_FALSE(parsed) << "length " << int(length);
    EXPECT_NE(parsed.error().message.find("byte " + std::to_string(systemAt)), std::string::npos)
        << parsed.error().message;
    EXPECT_NE(parsed.error().message.find("shorter than its 4-byte header"), std::string::npos);
  }
}

TEST(SmbiosTable, LengthRunningPastTheEndIsAnError) {
  Bytes table = buildSmbiosTable({serialStructure(1, "A")});
  table[1] = 0xFF;
  auto parsed = parseSmbiosTable(table);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("only " + std::to_string(table.size()) + " bytes are left"), std::string::npos)
      << parsed.error().message;
}

TEST(SmbiosTable, UnterminatedStringSetIsAnError) {
  Bytes table = buildSmbiosTable({serialStructure(1, "SERIAL")});
  table.pop_back();  // drop the set's final NUL
  auto parsed = parseSmbiosTable(table);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("string set is not terminated"), std::string::npos) << parsed.error().message;
}

TEST(SmbiosTable, HeaderCutOffIsAnError) {
  Bytes table = buildSmbiosTable({serialStructure(1, "A")});
  table.insert(table.end(), {2, 0x0F});
  auto parsed = parseSmbiosTable(table);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("ends inside the header (2 of 4 bytes)"), std::string::npos);
}

// Every prefix of a table: an error, or the serials of the complete
// structures before the cut (a cut on a structure boundary reads as a table
// without its end marker).
TEST(SmbiosTable, TruncatedAtEveryByteOffsetNeverOverReads) {
  const auto full = typicalTable("SYS-1", "BOARD-2", "CHASSIS-3");
  const std::vector<std::string> all = {"SYS-1", "BOARD-2", "CHASSIS-3"};
  std::size_t errors = 0;
  for (std::size_t cut = 0; cut <= full.size(); ++cut) {
    const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));  // no slack byte to hide in
    auto serials = serialsFromSmbiosTable(prefix);
    if (!serials) {
      ++errors;
      EXPECT_NE(serials.error().message.find("corrupt SMBIOS table"), std::string::npos);
      continue;
    }
    const auto got = values(*serials);
    ASSERT_LE(got.size(), all.size()) << "cut " << cut;
    EXPECT_TRUE(std::equal(got.begin(), got.end(), all.begin())) << "cut " << cut;
  }
  EXPECT_GT(errors, full.size() / 2);  // most cuts land inside a structure
}

TEST(SmbiosTable, CorruptBytesAnywhereNeverCrash) {
  const auto full = typicalTable("SYS-1", "BOARD-2", "CHASSIS-3");
  // Every byte set to the values that matter for lengths, indices and terminators.
  for (std::size_t at = 0; at < full.size(); ++at) {
    for (std::uint8_t value : {0x00, 0x01, 0x03, 0x04, 0x07, 0x7F, 0x80, 0xFF}) {
      Bytes table = full;
      table[at] = value;
      auto serials = serialsFromSmbiosTable(table);
      if (!serials) continue;
      for (const auto& s : *serials) EXPECT_FALSE(s.value.empty());
    }
  }
  // And random multi-byte damage, seeded so a failure reproduces.
  std::mt19937 rng(1234);
  for (int round = 0; round < 20000; ++round) {
    Bytes table = full;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) table[rng() % table.size()] = static_cast<std::uint8_t>(rng());
    table.resize(rng() % (table.size() + 1));
    (void)serialsFromSmbiosTable(table);
  }
}

}  // namespace
}  // namespace postured::testing
