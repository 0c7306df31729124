// Device request signatures: what one device signs verifies only for that
// device, that request and a time near the server's.
#include "core/device_signature.h"

#include <gmock/gmock.h>

namespace postured::core {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'790'000'000;

TEST(DeviceSignatureTest, ASignedRequestVerifiesWithTheDevicesNodeKey) {
  const auto keys = generateDeviceKeyPair();
  EXPECT_TRUE(isValidNodeKey(keys.publicKey));
  EXPECT_THAT(keys.publicKey, ::testing::StartsWith("nodekey:"));
  const auto header = signDeviceRequest(keys, "POST", "/api/v2/machine/n1/report", R"({"os":"linux"})", kNow);
  EXPECT_TRUE(
      verifyDeviceRequest(keys.publicKey, header, "POST", "/api/v2/machine/n1/report", R"({"os":"linux"})", kNow + 10));
}

TEST(DeviceSignatureTest, AnyChangeToTheRequestOrKeyFailsVerification) {
  const auto keys = generateDeviceKeyPair();
  const auto other = generateDeviceKeyPair();
  const std::string path = "/api/v2/machine/n1/report", body = R"({"os":"linux"})";
  const auto header = signDeviceRequest(keys, "POST", path, body, kNow);
  EXPECT_FALSE(verifyDeviceRequest(other.publicKey, header, "POST", path, body, kNow)) << "another device's key";
  EXPECT_FALSE(verifyDeviceRequest(keys.publicKey, header, "POST", path, R"({"os":"macos"})", kNow)) << "body";
  EXPECT_FALSE(verifyDeviceRequest(keys.publicKey, header, "POST", "/api/v2/machine/n2/report", body, kNow));
  EXPECT_FALSE(verifyDeviceRequest(keys.publicKey, header, "PUT", path, body, kNow));
  auto stale = verifyDeviceRequest(keys.publicKey, header, "POST", path, body, kNow + 301);
  ASSERT_FALSE(stale);
  EXPECT_THAT(stale.error().message, HasSubstr("clock"));
  for (const char* bad : {"", "t=abc,sig=AAAA", "t=1790000000", "t=1790000000,sig=!!!", "sig=x,t=1"}) {
    auto r = verifyDeviceRequest(keys.publicKey, bad, "POST", path, body, kNow);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kUnauthenticated);
  }
}

TEST(DeviceSignatureTest, KeyPairsReadBackOnlyWhenWellFormedAndMatching) {
  const auto keys = generateDeviceKeyPair();
  const auto other = generateDeviceKeyPair();
  EXPECT_TRUE(parseDeviceKeyPair(keys.publicKey, keys.privateKey));
  EXPECT_FALSE(parseDeviceKeyPair(other.publicKey, keys.privateKey)) << "halves of different pairs";
  EXPECT_FALSE(parseDeviceKeyPair(keys.publicKey, "privkey:00"));
  EXPECT_FALSE(parseDeviceKeyPair("nodekey:zz", keys.privateKey));
  EXPECT_FALSE(isValidNodeKey("nodekey:" + std::string(64, 'g')));
  EXPECT_FALSE(isValidNodeKey(keys.privateKey));
}

}  // namespace
}  // namespace postured::core
