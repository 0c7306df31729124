#include "core/attribute.h"

#include <gtest/gtest.h>

#include "core/device.h"

namespace postured::core {
namespace {

TEST(CustomKey, AcceptsTailscaleShapedKeys) {
  EXPECT_TRUE(validateCustomKey("custom:tier", "k"));
  EXPECT_TRUE(validateCustomKey("custom:My_Attr_2", "k"));
  EXPECT_TRUE(validateCustomKey("custom:" + std::string(43, 'a'), "k"));  // exactly 50
}

TEST(CustomKey, RejectsWithReasonAndField) {
  auto tooLong = validateCustomKey("custom:" + std::string(44, 'a'), "nodes.n1");
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(tooLong.error().field, "nodes.n1");
  EXPECT_NE(tooLong.error().message.find("51 characters"), std::string::npos);

  auto badChar = validateCustomKey("custom:has-dash", "k");
  ASSERT_FALSE(badChar);
  EXPECT_NE(badChar.error().message.find("letters, digits and underscores"), std::string::npos);

  EXPECT_FALSE(validateCustomKey("custom:", "k"));
  EXPECT_FALSE(validateCustomKey("tier", "k"));

  auto integration = validateCustomKey("sentinelOne:infected", "k");
  ASSERT_FALSE(integration);
  EXPECT_NE(integration.error().message.find("posture integration"), std::string::npos);

  auto node = validateCustomKey("node:os", "k");
  ASSERT_FALSE(node);
  EXPECT_NE(node.error().message.find("device's own reports"), std::string::npos);
}

TEST(CustomValue, StringRules) {
  EXPECT_TRUE(validateCustomValue(AttributeValue(std::string("prod_eu.1")), "v"));
  EXPECT_TRUE(validateCustomValue(AttributeValue(std::string(50, 'x')), "v"));
  EXPECT_FALSE(validateCustomValue(AttributeValue(std::string(51, 'x')), "v"));
  EXPECT_FALSE(validateCustomValue(AttributeValue(std::string("has space")), "v"));
  EXPECT_FALSE(validateCustomValue(AttributeValue(std::string("dash-no")), "v"));
}

TEST(CustomValue, NumbersAreSafeIntegers) {
  EXPECT_TRUE(validateCustomValue(AttributeValue(9007199254740991.0), "v"));
  EXPECT_TRUE(validateCustomValue(AttributeValue(-9007199254740991.0), "v"));
  EXPECT_FALSE(validateCustomValue(AttributeValue(9007199254740992.0), "v"));
  EXPECT_FALSE(validateCustomValue(AttributeValue(1.5), "v"));
}

TEST(Comment, AtMost200Characters) {
  EXPECT_TRUE(validateComment(std::string(200, 'c'), "comment"));
  EXPECT_FALSE(validateComment(std::string(201, 'c'), "comment"));
}

TEST(AttributeValue, EncodeDecodeRoundTrip) {
  for (const auto& v : {AttributeValue(true), AttributeValue(false), AttributeValue(42.0), AttributeValue(0.125),
                        AttributeValue(-7.0), AttributeValue(std::string("a.b_c"))}) {
    auto back = AttributeValue::decode(v.type(), v.encode());
    ASSERT_TRUE(back.has_value()) << v.encode();
    EXPECT_EQ(*back, v);
  }
  EXPECT_FALSE(AttributeValue::decode(AttributeType::kBool, "yes"));
  EXPECT_FALSE(AttributeValue::decode(AttributeType::kNumber, "12abc"));
}

TEST(AttributeValue, StringsOfAnyLengthSurviveCopiesAndMoves) {
  // 14 bytes are kept inline, longer strings on the heap: both sides of the line.
  for (const std::string& text : {std::string(), std::string("na"), std::string(14, 'a'), std::string(15, 'b'),
                                 std::string(50, 'c'), std::string("v\0x", 3)}) {
    const AttributeValue original(text);
    EXPECT_EQ(original.type(), AttributeType::kString);
    EXPECT_EQ(original.asString(), text);
    AttributeValue copy = original;
    EXPECT_EQ(copy, original);
    AttributeValue moved = std::move(copy);
    EXPECT_EQ(moved.asString(), text);
    EXPECT_EQ(copy.asString(), "");  // NOLINT: the moved-from value is an empty string, not a stray bool
    AttributeValue assigned(true);
    assigned = moved;
    EXPECT_EQ(assigned.asString(), text);
    assigned = AttributeValue(1.5);  // a heap string given up for a number
    EXPECT_EQ(assigned.asNumber(), 1.5);
    assigned = std::move(moved);
    EXPECT_EQ(assigned.asString(), text);
    assigned = assigned;  // NOLINT: self-assignment keeps the value
    EXPECT_EQ(assigned.asString(), text);
  }
}

TEST(AttributeValue, EqualOnlyWithTheSameTypeAndValue) {
  EXPECT_EQ(AttributeValue(true), AttributeValue(true));
  EXPECT_NE(AttributeValue(true), AttributeValue(false));
  EXPECT_NE(AttributeValue(1.0), AttributeValue(true));
  EXPECT_NE(AttributeValue(0.0), AttributeValue(false));
  EXPECT_NE(AttributeValue(std::string("")), AttributeValue(false));
  EXPECT_NE(AttributeValue(std::string("1")), AttributeValue(1.0));
  EXPECT_EQ(AttributeValue(std::string(20, 'x')), AttributeValue(std::string(20, 'x')));
  EXPECT_NE(AttributeValue(std::string(20, 'x')), AttributeValue(std::string(20, 'y')));
  EXPECT_NE(AttributeValue(std::string(14, 'x')), AttributeValue(std::string(15, 'x')));
  EXPECT_EQ(AttributeValue(std::string_view()), AttributeValue(std::string()));
  EXPECT_EQ(sizeof(AttributeValue), 16u);
}

TEST(Namespaces, Classified) {
  EXPECT_EQ(attributeNamespaceOf("custom:x"), AttributeNamespace::kCustom);
  EXPECT_EQ(attributeNamespaceOf("node:os"), AttributeNamespace::kNode);
  EXPECT_EQ(attributeNamespaceOf("sentinelOne:infected"), AttributeNamespace::kIntegration);
  EXPECT_EQ(attributeNamespaceOf("ip:country"), AttributeNamespace::kReserved);
  EXPECT_EQ(attributeNamespaceOf("nocolon"), std::nullopt);
}

TEST(NodeAttributes, OnlyWhatIsKnown) {
  Device d;
  EXPECT_TRUE(deriveNodeAttributes(d).empty());
  d.os = "macOS";
  d.clientVersion = "1.94.2";
  auto attrs = deriveNodeAttributes(d);
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[0].first, "node:os");
  EXPECT_EQ(attrs[0].second.asString(), "macos");
  EXPECT_EQ(attrs[1].first, "node:tsVersion");
  EXPECT_EQ(attrs[1].second.asString(), "1.94.2");
}

}  // namespace
}  // namespace postured::core

namespace postured::core {
namespace {

TEST(AttributeKey, SameSpellingIsOneInternedString) {
  const AttributeKey a("sentinelOne:infected");
  const AttributeKey b(std::string("sentinelOne:") + "infected");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.data(), b.data()) << "interned: both point at one string";
  EXPECT_NE(a, AttributeKey("sentinelOne:Infected")) << "spellings differ; the store folds case itself";
  EXPECT_EQ(a, std::string_view("sentinelOne:infected"));
  EXPECT_EQ(a.str(), "sentinelOne:infected");
  EXPECT_TRUE(AttributeKey().empty());
  EXPECT_LT(AttributeKey("a:b"), AttributeKey("a:c"));
}

}  // namespace
}  // namespace postured::core
