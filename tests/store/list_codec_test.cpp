#include "store/sqlite/list_codec.h"

#include <gtest/gtest.h>

namespace postured::store::sqlite {
namespace {

TEST(ListCodec, RoundTripsAnyList) {
  const std::vector<std::vector<std::string>> lists = {
      {}, {""}, {"", ""}, {"a"}, {"a", "b"}, {"back\\slash", "new\nline", "\\n", "\n", "\\"}};
  for (const auto& list : lists) {
    auto decoded = decodeList(encodeList(list));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, list);
  }
}

TEST(ListCodec, DistinguishesEmptyListFromOneEmptyElement) {
  EXPECT_EQ(encodeList({}), "");
  EXPECT_EQ(encodeList({""}), "\n");
}

TEST(ListCodec, RejectsMalformedText) {
  EXPECT_FALSE(decodeList("no terminator").has_value());
  EXPECT_FALSE(decodeList("dangling\\").has_value());
  EXPECT_FALSE(decodeList("bad\\escape\n").has_value());
}

}  // namespace
}  // namespace postured::store::sqlite
