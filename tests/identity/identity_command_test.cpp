// `postured identity`, run as the real binary on a fake sysfs tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "identity/sysfs_fixture.h"
#include "support/process.h"

namespace postured::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

ProcessResult identity(std::vector<std::string> args) {
  args.insert(args.begin(), {POSTURED_BINARY, "identity"});
  // No server and no API key: the command must not need them.
  return runProcess(args, {{"POSTURED_SERVER", "http://127.0.0.1:1"}, {"POSTURED_API_KEY", ""}});
}

class IdentityCommand : public ::testing::Test {
 protected:
  IdentityCommand() {
    sysfs_.writeDmiTable(typicalTable("PF2ABCDE", "To be filled by O.E.M.", "CH-77"));
    sysfs_.addInterface("lo", "00:00:00:00:00:00\n", 772);
    sysfs_.addInterface("eth0", "AA:BB:CC:00:11:22\n", 1);
    sysfs_.addInterface("eth1", "aa:bb:cc:00:11:22\n", 1);
    sysfs_.addInterface("wlan0", "02:11:22:33:44:55\n", 1);
  }
  SysfsFixture sysfs_;
};

TEST_F(IdentityCommand, JsonFromFixture) {
  auto r = identity({"--json", "--hwaddrs", "--sysfs-root", sysfs_.root()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["SerialNumbers"], json::parse(R"(["PF2ABCDE", "CH-77"])"));
  EXPECT_EQ(j["IfaceHardwareAddrs"], json::parse(R"(["02:11:22:33:44:55", "aa:bb:cc:00:11:22"])"));
  EXPECT_EQ(j["placeholderSerialNumbers"], json::parse(R"(["To be filled by O.E.M."])"));
  EXPECT_EQ(j["serialSource"], "smbios");
  EXPECT_EQ(j["os"], "linux");
  EXPECT_EQ(j["clientVersion"], POSTURED_VERSION);
  EXPECT_FALSE(j["osVersion"].get<std::string>().empty());
  EXPECT_FALSE(j["hostname"].get<std::string>().empty());
  EXPECT_EQ(j["problems"], json::array());
}

TEST_F(IdentityCommand, GlobalJsonFlagWorksToo) {
  auto r = runProcess({POSTURED_BINARY, "--json", "identity", "--sysfs-root", sysfs_.root()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["SerialNumbers"].size(), 2u);
  EXPECT_FALSE(j.contains("IfaceHardwareAddrs"));  // not asked for
}

TEST_F(IdentityCommand, TextNamesPlaceholdersAndSource) {
  auto r = identity({"--hwaddrs", "--sysfs-root", sysfs_.root()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("serial numbers:  PF2ABCDE (system), CH-77 (chassis)\n"));
  EXPECT_THAT(r.out,
              HasSubstr("placeholders:    To be filled by O.E.M. (baseboard) (firmware defaults, never matched"));
  EXPECT_THAT(r.out, HasSubstr("read from:       " + sysfs_.dmiTablePath() + "\n"));
  EXPECT_THAT(r.out, HasSubstr("hardware addrs:  02:11:22:33:44:55, aa:bb:cc:00:11:22\n"));
  EXPECT_THAT(r.out, HasSubstr("os:              linux\n"));
}

TEST(IdentityCommandWithoutDmi, ExitsZeroWithAnEmptyListAndTheReason) {
  SysfsFixture empty;
  auto text = identity({"--sysfs-root", empty.root()});
  EXPECT_EQ(text.exitCode, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("serial numbers:  none\n"));
  EXPECT_THAT(text.err, HasSubstr("postured: identity: no DMI tables"));
  EXPECT_THAT(text.err, HasSubstr("container or a virtual machine without SMBIOS"));

  auto j = identity({"--json", "--sysfs-root", empty.root()});
  EXPECT_EQ(j.exitCode, 0) << j.err;
  EXPECT_EQ(j.err, "");  // in JSON mode the reasons are in "problems"
  const auto parsed = json::parse(j.out);
  EXPECT_EQ(parsed["SerialNumbers"], json::array());
  EXPECT_EQ(parsed["serialSource"], "none");
  ASSERT_EQ(parsed["problems"].size(), 1u);
  EXPECT_THAT(parsed["problems"][0].get<std::string>(), HasSubstr("cannot be matched by serial number"));
}

TEST(IdentityCommandUsage, MissingSysfsRootIsAUsageError) {
  auto r = identity({"--sysfs-root", "/nonexistent/postured-sysfs"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("--sysfs-root"));
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace postured::testing
