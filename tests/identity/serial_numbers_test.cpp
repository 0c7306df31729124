// Serial numbers from the SMBIOS table of a fake sysfs tree, the class/dmi/id
// fallback, placeholders, and the reasons given when nothing can be read.
#include "identity/serial_numbers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/serial_placeholders.h"
#include "identity/sysfs_fixture.h"
#include "support/unprivileged.h"

namespace postured::testing {
namespace {

using identity::readSerialNumbers;
using identity::SerialKind;
using identity::SerialReadout;
using identity::SerialSource;
using ::testing::HasSubstr;

std::vector<std::string> values(const SerialReadout& r, bool placeholder) {
  std::vector<std::string> out;
  for (const auto& s : r.serials)
    if (s.placeholder == placeholder) out.push_back(s.value);
  return out;
}

std::string allProblems(const SerialReadout& r) {
  std::string out;
  for (const auto& p : r.problems) out += p + "\n";
  return out;
}

TEST(SerialNumbers, AllThreeTypesInTableOrder) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("SYS-1", "BOARD-2", "CHASSIS-3"));
  sysfs.writeIdFile("product_serial", "NOT-READ\n");  // the table wins
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(r.source, SerialSource::kSmbiosTable);
  EXPECT_EQ(r.sourcePath, sysfs.dmiTablePath());
  ASSERT_EQ(r.serials.size(), 3u);
  EXPECT_EQ(r.serials[0].value, "SYS-1");
  EXPECT_EQ(r.serials[0].kind, SerialKind::kSystem);
  EXPECT_EQ(r.serials[1].value, "BOARD-2");
  EXPECT_EQ(r.serials[1].kind, SerialKind::kBaseboard);
  EXPECT_EQ(r.serials[2].value, "CHASSIS-3");
  EXPECT_EQ(r.serials[2].kind, SerialKind::kChassis);
  EXPECT_TRUE(r.problems.empty()) << allProblems(r);
}

TEST(SerialNumbers, TableOrderNotTypeOrderAndNotDeduplicated) {
  // As Tailscale: every type 1-3 structure in the order the table has them,
  // the same serial twice stays twice.
  SysfsFixture sysfs;
  sysfs.writeDmiTable(
      buildSmbiosTable({serialStructure(3, "SAME"), biosStructure(), serialStructure(1, "SAME"),
                        serialStructure(2, "OTHER"), serialStructure(2, "SECOND-BOARD"), endOfTable()}));
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(values(r, false), (std::vector<std::string>{"SAME", "SAME", "OTHER", "SECOND-BOARD"}));
}

TEST(SerialNumbers, MissingStringsAreSkipped) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(
      buildSmbiosTable({biosStructure(), serialStructure(1, std::nullopt), serialStructure(2, "BOARD-2"),
                        serialStructure(3, std::nullopt), endOfTable()}));
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(values(r, false), std::vector<std::string>{"BOARD-2"});
  EXPECT_TRUE(r.problems.empty()) << allProblems(r);
}

TEST(SerialNumbers, StringIndexBeyondTheSetIsSkipped) {
  auto system = serialStructure(1, "SYS");
  system.fields[0x07] = 200;
  SysfsFixture sysfs;
  sysfs.writeDmiTable(buildSmbiosTable({system, serialStructure(2, "BOARD"), endOfTable()}));
  EXPECT_EQ(values(readSerialNumbers(sysfs.root()), false), std::vector<std::string>{"BOARD"});
}

TEST(SerialNumbers, ShortFormattedAreaIsSkipped) {
  auto old = serialStructure(1, "SYS");
  old.length = 0x07;  // SMBIOS 2.0-era type 1 ends before the serial's offset
  SysfsFixture sysfs;
  sysfs.writeDmiTable(buildSmbiosTable({old, serialStructure(3, "CH"), endOfTable()}));
  EXPECT_EQ(values(readSerialNumbers(sysfs.root()), false), std::vector<std::string>{"CH"});
}

TEST(SerialNumbers, NoSerialAnywhereSaysTheDeviceCannotBeMatched) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(buildSmbiosTable({biosStructure(), serialStructure(1, std::nullopt), endOfTable()}));
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_TRUE(r.serials.empty());
  EXPECT_EQ(r.source, SerialSource::kSmbiosTable);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr(sysfs.dmiTablePath() + " names no serial number"));
  EXPECT_THAT(r.problems[0], HasSubstr("cannot be matched by serial number"));
}

TEST(SerialNumbers, PlaceholdersAreKeptApart) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("PF2ABCDE", "To Be Filled By O.E.M.", "Default string"));
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(values(r, false), std::vector<std::string>{"PF2ABCDE"});
  EXPECT_EQ(values(r, true), (std::vector<std::string>{"To Be Filled By O.E.M.", "Default string"}));
  EXPECT_TRUE(r.problems.empty()) << allProblems(r);
}

TEST(SerialNumbers, OnlyPlaceholdersIsAProblem) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("System Serial Number", "  0  ", "Chassis Serial Number"));
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_TRUE(values(r, false).empty());
  EXPECT_EQ(values(r, true), (std::vector<std::string>{"System Serial Number", "0", "Chassis Serial Number"}));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("only placeholder serial numbers (\"System Serial Number\", \"0\""));
  EXPECT_THAT(r.problems[0], HasSubstr("cannot be matched by serial number"));
}

TEST(SerialNumbers, WhitespaceIsTrimmedAndWhitespaceOnlyDropped) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("  SYS 1\t", " \t \r\n", "\vCH-3 "));
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(values(r, false), (std::vector<std::string>{"SYS 1", "CH-3"}));
  EXPECT_TRUE(values(r, true).empty());
}

TEST(SerialNumbers, InvalidUtf8IsReplacedSoJsonCanCarryIt) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(
      typicalTable("AB\xFF"
                   "CD",
                   "\xC3\xA9t\xC3\xA9", "\xED\xA0\x80"));  // bad byte, é, surrogate
  const auto r = readSerialNumbers(sysfs.root());
  ASSERT_EQ(r.serials.size(), 3u);
  EXPECT_EQ(r.serials[0].value,
            "AB\xEF\xBF\xBD"
            "CD");
  EXPECT_EQ(r.serials[1].value, "\xC3\xA9t\xC3\xA9");
  for (const auto& s : r.serials) EXPECT_NO_THROW((void)nlohmann::json(s.value).dump());
}

TEST(Placeholders, KnownValuesCaseInsensitively) {
  for (const char* p : {"To be filled by O.E.M.",
                        "TO BE FILLED BY O.E.M.",
                        "to be filled by oem",
                        "Default string",
                        "System Serial Number",
                        "Base Board Serial Number",
                        "Chassis Serial Number",
                        "Not Specified",
                        "not applicable",
                        "None",
                        "N/A",
                        "0",
                        "0123456789",
                        "123456789",
                        "00000000",
                        "XXXXXXXXXX",
                        "xxxx",
                        "FFFFFFFF",
                        "Unknown",
                        "Invalid"})
    EXPECT_TRUE(core::isPlaceholderSerial(p)) << p;
  for (const char* real : {"C02XK1JHJG5J", "PF2ABCDE", "5CG1234XYZ", "0000000A", "VMware-56 4d 1a", "X1", "1234567890",
                           "Nonesuch", "FFFE"})
    EXPECT_FALSE(core::isPlaceholderSerial(real)) << real;
  EXPECT_FALSE(core::isPlaceholderSerial(""));
}

TEST(SerialNumbers, FallsBackToSysfsFilesWhenTheTableIsMissing) {
  SysfsFixture sysfs;
  sysfs.writeIdFile("product_serial", "PS-123\n");
  sysfs.writeIdFile("board_serial", "\n");
  sysfs.writeIdFile("chassis_serial", "To be filled by O.E.M.\n");
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(r.source, SerialSource::kSysfsFiles);
  EXPECT_EQ(r.sourcePath, sysfs.root() + "/class/dmi/id");
  ASSERT_EQ(r.serials.size(), 2u);
  EXPECT_EQ(r.serials[0].value, "PS-123");
  EXPECT_EQ(r.serials[0].kind, SerialKind::kSystem);
  EXPECT_EQ(r.serials[1].value, "To be filled by O.E.M.");
  EXPECT_EQ(r.serials[1].kind, SerialKind::kChassis);
  EXPECT_TRUE(r.serials[1].placeholder);
  EXPECT_TRUE(r.problems.empty()) << allProblems(r);
}

TEST(SerialNumbers, CorruptTableFallsBackAndSaysSo) {
  SysfsFixture sysfs;
  auto table = typicalTable("SYS-1", "BOARD-2", "CHASSIS-3");
  table.resize(table.size() / 2);
  sysfs.writeDmiTable(table);
  sysfs.writeIdFile("board_serial", "BOARD-2\n");
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_EQ(r.source, SerialSource::kSysfsFiles);
  EXPECT_EQ(values(r, false), std::vector<std::string>{"BOARD-2"});
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("cannot use " + sysfs.dmiTablePath() + ": corrupt SMBIOS table"));
  EXPECT_THAT(r.problems[0], HasSubstr("reading " + sysfs.root() + "/class/dmi/id instead"));
}

TEST(SerialNumbers, CorruptTableAndNoFilesLeavesNothing) {
  SysfsFixture sysfs;
  Bytes table = typicalTable("A", "B", "C");
  table[1] = 2;  // the BIOS structure's length
  sysfs.writeDmiTable(table);
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_TRUE(r.serials.empty());
  EXPECT_EQ(r.source, SerialSource::kNone);
  ASSERT_EQ(r.problems.size(), 2u) << allProblems(r);
  EXPECT_THAT(r.problems[0], HasSubstr("shorter than its 4-byte header"));
  EXPECT_THAT(r.problems[1], HasSubstr("cannot be matched by serial number"));
}

TEST(SerialNumbers, NoDmiAtAllLooksLikeAContainerOrVm) {
  SysfsFixture sysfs;  // an empty tree, as /sys is in most containers
  const auto r = readSerialNumbers(sysfs.root());
  EXPECT_TRUE(r.serials.empty());
  EXPECT_EQ(r.source, SerialSource::kNone);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("no DMI tables"));
  EXPECT_THAT(r.problems[0], HasSubstr("this looks like a container or a virtual machine without SMBIOS"));
  EXPECT_THAT(r.problems[0], HasSubstr("the device cannot be matched by serial number"));
}

TEST(SerialNumbers, EmptyIdFilesWithoutTable) {
  SysfsFixture sysfs;
  sysfs.writeIdFile("product_serial", " \n");
  const auto r = readSerialNumbers(sysfs.root());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("/class/dmi/id names no serial number"));
}

TEST(SerialNumbers, UnreadableTableSaysWhy) {
  SysfsFixture sysfs;
  std::filesystem::create_directories(sysfs.dmiTablePath());  // a directory: read() fails with EISDIR
  const auto r = readSerialNumbers(sysfs.root());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("cannot read " + sysfs.dmiTablePath() + ": is a directory"));
}

TEST(SerialNumbers, PermissionDeniedSaysRunAsRoot) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("SYS-1", "BOARD-2", "CHASSIS-3"));
  sysfs.writeIdFile("product_serial", "SYS-1\n");  // root-only on a real system, too
  std::filesystem::permissions(sysfs.root(), std::filesystem::perms(0755));
  chmod(sysfs.dmiTablePath().c_str(), 0);
  chmod((sysfs.root() + "/class/dmi/id/product_serial").c_str(), 0);

  // Root reads any file: read as "nobody", as an agent not run as root would.
  const auto problems = runUnprivileged([&] {
    const auto r = readSerialNumbers(sysfs.root());
    return r.serials.empty() ? allProblems(r) : std::string("serials were read");
  });
  // Only where root may neither change its user nor give up a capability (a seccomp filter forbidding both).
  if (!problems)
    GTEST_SKIP() << "running as root, and this process may neither become \"nobody\" nor drop "
                    "CAP_DAC_OVERRIDE, so no file can refuse it; as any other user, or as root allowed either, "
                    "this test runs";
  EXPECT_THAT(*problems, HasSubstr("cannot read " + sysfs.dmiTablePath() + ": permission denied; run as root"));
  EXPECT_THAT(*problems, HasSubstr("cannot be matched by serial number until then"));
}

}  // namespace
}  // namespace postured::testing
