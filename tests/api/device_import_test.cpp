// Validation of the device import body.
#include "api/device_import.h"

#include <gtest/gtest.h>

namespace postured::api {
namespace {

TEST(DeviceImport, NormalisesWhatItAccepts) {
  auto specs = parseDeviceImport(Json::parse(R"({"devices":[{"hostname":"web-1","tags":["tag:web","tag:web"],
      "addresses":["fd7a:115c:a1e0:0:0:0:0:9","100.64.0.9"],"serialNumbers":[" SN1 "],
      "macAddresses":["AA-BB-CC-DD-EE-FF","aa:bb:cc:dd:ee:01"]}]})"));
  ASSERT_TRUE(specs) << specs.error().message;
  const auto& d = (*specs)[0].device;
  EXPECT_EQ(d.tags, std::vector<std::string>{"tag:web"});
  EXPECT_EQ(d.ipv4, "100.64.0.9");
  EXPECT_EQ(d.ipv6, "fd7a:115c:a1e0::9");
  EXPECT_EQ(d.serialNumbers, std::vector<std::string>{"SN1"});
  EXPECT_EQ(d.macAddresses, (std::vector<std::string>{"aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:ff"}));
  EXPECT_FALSE(d.postureIdentityDisabled);
}

TEST(DeviceImport, ErrorsNameIndexAndField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {R"([])", ""},
      {R"({"devices":[]})", "devices"},
      {R"({"devices":{}})", "devices"},
      {R"({"devices":[{"hostname":"a","user":"a@b"}],"extra":1})", "extra"},
      {R"({"devices":[{"hostname":"a","user":"a@b"},7]})", "devices[1]"},
      {R"({"devices":[{"hostname":"-a","user":"a@b"}]})", "devices[0].hostname"},
      {R"({"devices":[{"hostname":"a","user":"a@b","addresses":["100.64.0.1","100.64.0.2"]}]})",
       "devices[0].addresses[1]"},
      {R"({"devices":[{"hostname":"a","user":"a@b","addresses":["fd7a:115c:a1e1::1"]}]})", "devices[0].addresses[0]"},
      {R"({"devices":[{"hostname":"a","tags":["tag:"]}]})", "devices[0].tags[0]"},
      {R"({"devices":[{"hostname":"a","user":"a@b","serialNumbers":"SN1"}]})", "devices[0].serialNumbers"},
  };
  for (const auto& c : cases) {
    auto result = parseDeviceImport(Json::parse(c.body));
    ASSERT_FALSE(result) << c.body;
    EXPECT_EQ(result.error().field, c.field) << c.body << ": " << result.error().message;
  }
}

}  // namespace
}  // namespace postured::api
