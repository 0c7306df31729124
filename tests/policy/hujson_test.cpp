#include "policy/hujson.h"

#include <gtest/gtest.h>

namespace postured::policy {
namespace {

TEST(HuJson, ParsesCommentsAndTrailingCommas) {
  auto v = parseHuJson("{\n  // c\n  \"a\": [1, 2,],\n}\n");
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->isObject());
  const HuValue* a = v->find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->items().size(), 2u);
  EXPECT_EQ(a->pos(), (SourcePos{3, 8}));
}

}  // namespace
}  // namespace postured::policy
