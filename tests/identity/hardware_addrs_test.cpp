// MAC addresses from a fake /sys/class/net: loopbacks skipped, sorted,
// deduplicated, lower-case.
#include "identity/hardware_addrs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "identity/sysfs_fixture.h"

namespace postured::testing {
namespace {

using identity::normaliseHardwareAddr;
using identity::readHardwareAddrs;

TEST(HardwareAddrs, NonLoopbackSortedDeduplicatedLowerCase) {
  SysfsFixture sysfs;
  sysfs.addInterface("lo", "00:00:00:00:00:00\n", 772, "0x9");
  sysfs.addInterface("eth0", "AA:BB:CC:DD:EE:01\n", 1, "0x1003");
  sysfs.addInterface("bond0", "aa:bb:cc:dd:ee:01\n", 1, "0x1403");  // shares its slave's address
  sysfs.addInterface("wlan0", "02:00:5e:10:00:09\n", 1);
  sysfs.addInterface("enp3s0", "0a:00:27:00:00:00\n");               // no type or flags file
  sysfs.addInterface("lo-other", "12:34:56:78:9a:bc\n", 772);        // loopback by type
  sysfs.addInterface("dummy-lo", "12:34:56:78:9a:bd\n", 1, "0x49");  // loopback by IFF_LOOPBACK
  sysfs.addInterface("tun0", "\n", 65534, "0x1091");                 // no hardware address
  sysfs.addInterface("sit0", "00:00:00:00\n", 776, "0x80");          // all zero: no address either
  sysfs.addInterface("eth1", "00:00:00:00:00:00\n", 1);
  sysfs.addInterface("weird0", "not-a-mac\n", 1);
  const auto r = readHardwareAddrs(sysfs.root());
  EXPECT_EQ(r.addrs, (std::vector<std::string>{"02:00:5e:10:00:09", "0a:00:27:00:00:00", "aa:bb:cc:dd:ee:01"}));
  EXPECT_TRUE(r.problems.empty());
}

TEST(HardwareAddrs, InterfaceWithoutAddressFileIsSkipped) {
  SysfsFixture sysfs;
  sysfs.addInterface("eth0", "02:00:00:00:00:01\n");
  std::filesystem::create_directories(sysfs.root() + "/class/net/can0");
  EXPECT_EQ(readHardwareAddrs(sysfs.root()).addrs, std::vector<std::string>{"02:00:00:00:00:01"});
}

TEST(HardwareAddrs, MissingInterfaceListIsAProblem) {
  SysfsFixture sysfs;
  const auto r = readHardwareAddrs(sysfs.root());
  EXPECT_TRUE(r.addrs.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], ::testing::HasSubstr("cannot list network interfaces in " + sysfs.root() + "/class/net"));
}

TEST(HardwareAddrs, Normalise) {
  EXPECT_EQ(normaliseHardwareAddr("AA:bb:CC:dd:EE:ff\n"), "aa:bb:cc:dd:ee:ff");
  EXPECT_EQ(normaliseHardwareAddr("80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:bc:de"),
            "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:bc:de");  // InfiniBand, 20 bytes
  for (const char* bad :
       {"", "\n", "00:00:00:00:00:00", "00:00:00:00", "aa-bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:f", "aa:bb:cc:dd:ee:fff",
        "aa:bb:cc:dd:ee:gg", "aabb.ccdd.eeff", ":aa:bb:cc:dd:ee", "aa::bb:cc:dd:ee"})
    EXPECT_EQ(normaliseHardwareAddr(bad), std::nullopt) << bad;
  std::string addr = "01";
  for (int i = 1; i < 33; ++i) addr += ":01";  // 33 bytes: beyond MAX_ADDR_LEN
  EXPECT_EQ(normaliseHardwareAddr(addr), std::nullopt);
}

}  // namespace
}  // namespace postured::testing
