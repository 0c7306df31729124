// Input from outside must give an error, never a stack overflow or a crash:
// deep nesting and huge documents (the fuzz targets in fuzz/ explore the rest).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "policy/policy_model.h"

namespace postured::policy {
namespace {

using ::testing::HasSubstr;

TEST(HostileInput, DeepNestingIsAnErrorNotAStackOverflow) {
  for (const char* open : {"[", "{\"a\":"}) {
    std::string text;
    for (int i = 0; i < 100'000; ++i) text += open;
    auto policy = parsePolicy(text);
    ASSERT_FALSE(policy.has_value());
    EXPECT_THAT(policy.error().message, HasSubstr("line 1, column "));
    EXPECT_THAT(policy.error().message, HasSubstr("nest"));
  }
}

TEST(HostileInput, AHugeStringIsReadOrRefusedWithAPlace) {
  std::string text = "{\"groups\": {\"group:a\": [\"" + std::string(50 * 1024 * 1024, 'x') + "\"]}}";
  auto policy = parsePolicy(text);
  ASSERT_FALSE(policy.has_value()) << "a 50 MB user name is not a valid group member";
  EXPECT_THAT(policy.error().message, HasSubstr("line 1, column "));
}

}  // namespace
}  // namespace postured::policy
