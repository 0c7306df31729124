// MAC addresses from every source become one lower-case form; addresses that
// identify nothing are refused.
#include "core/hardware_address.h"

#include <gtest/gtest.h>

namespace postured::core {
namespace {

TEST(HardwareAddressTest, NormalisesEitherSeparatorAndAnyCase) {
  EXPECT_EQ(normaliseHardwareAddress("52:54:00:BC:62:53"), "52:54:00:bc:62:53");
  EXPECT_EQ(normaliseHardwareAddress("00-00-5E-00-53-00"), "00:00:5e:00:53:00");
  EXPECT_EQ(normaliseHardwareAddress("06:35:e6:62:53:2e"), "06:35:e6:62:53:2e");
  EXPECT_EQ(normaliseHardwareAddress("80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:bc:de", 1, 32),
            "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:bc:de");
  EXPECT_EQ(normaliseHardwareAddress("0a", 1, 32), "0a");
}

TEST(HardwareAddressTest, RefusesMalformedAndMeaninglessAddresses) {
  for (const auto* bad : {"", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "52:54:00-bc:62:53", "52:54:00:bc:62",
                          "52:54:00:bc:62:53:00", "5254.00bc.6253", "525400bc6253", "52:54:00:bc:62:5g",
                          "52.54.00.bc.62.53", " 52:54:00:bc:62:53", ":52:54:00:bc:62", "52::54:00:bc:62"})
    EXPECT_FALSE(normaliseHardwareAddress(bad)) << bad;
  EXPECT_FALSE(normaliseHardwareAddress("0a:0b", 6, 6)) << "too short for Ethernet";
}

}  // namespace
}  // namespace postured::core
