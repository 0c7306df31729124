// The HuJSON parser the policy checks stand on: comments, trailing commas,
// member order, and tailscale/hujson's error wording with line:column.
#include "hujson.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace postured::hsemu::hujson {
namespace {

using ::testing::HasSubstr;

TEST(HujsonTest, AcceptsCommentsAndTrailingCommas) {
  auto value = parse("// leading\n{\n  \"a\": [1, 2,], /* block */\n  \"b\": \"x\",\n}\n");
  ASSERT_TRUE(value) << value.error().message;
  ASSERT_EQ(value->kind, Kind::kObject);
  ASSERT_EQ(value->members.size(), 2u);
  EXPECT_EQ(value->members[0].name, "a");
  EXPECT_EQ(value->members[0].value.items.size(), 2u);
  EXPECT_EQ(value->members[1].value.text, "x");
}

TEST(HujsonTest, KeepsDuplicateMembersInOrder) {
  auto value = parse(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_TRUE(value);
  ASSERT_EQ(value->members.size(), 3u);
  EXPECT_EQ(value->members[2].name, "a");
  EXPECT_EQ(value->members[2].value.text, "3");
}

TEST(HujsonTest, DecodesStringEscapes) {
  auto value = parse(R"(["a\"b", "\u00e9\n"])");
  ASSERT_TRUE(value);
  EXPECT_EQ(value->items[0].text, "a\"b");
  EXPECT_EQ(value->items[1].text, "\xc3\xa9\n");
}

TEST(HujsonTest, SyntaxErrorsNameLineAndColumn) {
  auto value = parse("{\n  \"a\": 1\n  \"b\": 2\n}");
  ASSERT_FALSE(value);
  EXPECT_THAT(value.error().message, HasSubstr("line 3, column 3"));
}

TEST(HujsonTest, RejectsUnterminatedInput) {
  EXPECT_FALSE(parse("{\"a\": [1, 2"));
  EXPECT_FALSE(parse("/* never closed"));
  EXPECT_FALSE(parse(""));
}

}  // namespace
}  // namespace postured::hsemu::hujson
