// The whole identity: host facts, options, and the JSON shape.
#include "identity/device_identity.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>

#include "identity/sysfs_fixture.h"

namespace postured::testing {
namespace {

using identity::collectIdentity;

TEST(DeviceIdentity, HostFactsAsTailscaleReportsThem) {
  SysfsFixture sysfs;
  const auto id = collectIdentity({.sysfsRoot = sysfs.root()});
  char host[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  struct utsname uts {};
  ASSERT_EQ(uname(&uts), 0);
  EXPECT_EQ(id.hostname, host);
  EXPECT_EQ(id.os, "linux");
  EXPECT_EQ(id.osVersion, uts.release);  // the kernel release, `uname -r`
  EXPECT_EQ(id.clientVersion, POSTURED_VERSION);
}

TEST(DeviceIdentity, SerialsAndPlaceholdersApart) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("SYS-1", "Default string", "CHASSIS-3"));
  const auto id = collectIdentity({.sysfsRoot = sysfs.root()});
  EXPECT_EQ(id.serialNumbers(), (std::vector<std::string>{"SYS-1", "CHASSIS-3"}));
  EXPECT_EQ(id.placeholderSerials(), std::vector<std::string>{"Default string"});
  EXPECT_EQ(id.serialSource, identity::SerialSource::kSmbiosTable);
  EXPECT_TRUE(id.problems.empty());
}

TEST(DeviceIdentity, HardwareAddrsOnlyWhenAsked) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("SYS-1", "B", "C"));
  sysfs.addInterface("eth0", "02:00:00:00:00:01\n", 1);
  EXPECT_FALSE(collectIdentity({.sysfsRoot = sysfs.root()}).ifaceHardwareAddrs);
  EXPECT_FALSE(identity::toJson(collectIdentity({.sysfsRoot = sysfs.root()})).contains("IfaceHardwareAddrs"));
  const auto id = collectIdentity({.sysfsRoot = sysfs.root(), .includeHwAddrs = true});
  ASSERT_TRUE(id.ifaceHardwareAddrs);
  EXPECT_EQ(*id.ifaceHardwareAddrs, std::vector<std::string>{"02:00:00:00:00:01"});
}

TEST(DeviceIdentity, JsonHasTailscalesKeysThenOurs) {
  SysfsFixture sysfs;
  sysfs.writeDmiTable(typicalTable("SYS-1", "To be filled by O.E.M.", "SYS-1"));
  sysfs.addInterface("eth0", "02:00:00:00:00:01\n", 1);
  const auto j = identity::toJson(collectIdentity({.sysfsRoot = sysfs.root(), .includeHwAddrs = true}));
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"SerialNumbers", "IfaceHardwareAddrs", "placeholderSerialNumbers", "serialSource",
                                      "hostname", "os", "osVersion", "clientVersion", "problems"}));
  EXPECT_EQ(j["SerialNumbers"], nlohmann::json::parse(R"(["SYS-1", "SYS-1"])"));
  EXPECT_EQ(j["IfaceHardwareAddrs"], nlohmann::json::parse(R"(["02:00:00:00:00:01"])"));
  EXPECT_EQ(j["placeholderSerialNumbers"], nlohmann::json::parse(R"(["To be filled by O.E.M."])"));
  EXPECT_EQ(j["serialSource"], "smbios");
  EXPECT_EQ(j["os"], "linux");
  EXPECT_TRUE(j["problems"].is_array() && j["problems"].empty());
}

TEST(DeviceIdentity, NothingReadableStillGivesFactsAndReasons) {
  SysfsFixture sysfs;
  const auto id = collectIdentity({.sysfsRoot = sysfs.root(), .includeHwAddrs = true});
  EXPECT_TRUE(id.serials.empty());
  EXPECT_EQ(id.os, "linux");
  EXPECT_FALSE(id.hostname.empty());
  ASSERT_EQ(id.problems.size(), 2u);  // no DMI tables, no interface list
  const auto j = identity::toJson(id);
  EXPECT_TRUE(j["SerialNumbers"].is_array() && j["SerialNumbers"].empty());
  EXPECT_EQ(j["serialSource"], "none");
  EXPECT_EQ(j["problems"].size(), 2u);
}

}  // namespace
}  // namespace postured::testing
