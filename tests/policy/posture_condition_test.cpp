#include "policy/posture_condition.h"

#include <gtest/gtest.h>

#include <string>

namespace postured::policy {
namespace {

using core::AttributeType;
using core::AttributeValue;

PostureCondition parseOk(std::string_view text) {
  auto c = parseCondition(text);
  EXPECT_TRUE(c.has_value()) << text << ": " << (c ? "" : c.error().message);
  return c ? *c : PostureCondition{};
}

ConditionError parseErr(std::string_view text) {
  auto c = parseCondition(text);
  EXPECT_FALSE(c.has_value()) << "parsed: " << text;
  return c ? ConditionError{} : c.error();
}

AttributeValue str(const char* s) { return AttributeValue(std::string(s)); }
AttributeValue num(double d) { return AttributeValue(d); }
AttributeValue boolean(bool b) { return AttributeValue(b); }

// Evaluates `condition` on a device whose only attribute is key = value
// (or no attribute when value is nullopt).
bool eval(std::string_view condition, std::optional<AttributeValue> value, std::string_view key = "") {
  PostureCondition c = parseOk(condition);
  AttributeSet attrs;
  if (value) attrs.set(key.empty() ? c.key : key, *value);
  return evaluate(c, attrs.lookup());
}

// --- parsing ---------------------------------------------------------------

TEST(PostureConditionParse, EveryOperator) {
  struct Case {
    const char* text;
    ConditionOp op;
  };
  for (const Case& c : {Case{"custom:x == 1", ConditionOp::kEq}, Case{"custom:x != 1", ConditionOp::kNe},
                        Case{"custom:x < 1", ConditionOp::kLt}, Case{"custom:x <= 1", ConditionOp::kLe},
                        Case{"custom:x > 1", ConditionOp::kGt}, Case{"custom:x >= 1", ConditionOp::kGe},
                        Case{"custom:x IN [1]", ConditionOp::kIn}, Case{"custom:x NOT IN [1]", ConditionOp::kNotIn},
                        Case{"custom:x IS SET", ConditionOp::kIsSet}, Case{"custom:x NOT SET", ConditionOp::kNotSet}}) {
    PostureCondition p = parseOk(c.text);
    EXPECT_EQ(p.op, c.op) << c.text;
    EXPECT_EQ(p.key, "custom:x");
    EXPECT_EQ(p.text, c.text);
    EXPECT_FALSE(p.shorthand);
    EXPECT_EQ(formatCondition(p), c.text);  // already canonical
    EXPECT_EQ(p.opOffset, 9u);
  }
}

TEST(PostureConditionParse, LiteralsAndOffsets) {
  PostureCondition c = parseOk("node:tsVersion >= '1.60'");
  EXPECT_EQ(c.key, "node:tsVersion");
  EXPECT_EQ(c.foldedKey, "node:tsversion");
  ASSERT_EQ(c.values.size(), 1u);
  EXPECT_EQ(c.values[0].value, str("1.60"));
  EXPECT_EQ(c.values[0].offset, 18u);
  EXPECT_EQ(c.literalText(c.values[0]), "'1.60'");

  EXPECT_EQ(parseOk("falcon:ztaScore >= 70").values[0].value, num(70));
  EXPECT_EQ(parseOk("custom:x == -3").values[0].value, num(-3));
  EXPECT_EQ(parseOk("custom:x == 2.5").values[0].value, num(2.5));
  EXPECT_EQ(parseOk("custom:x == -0.25").values[0].value, num(-0.25));
  EXPECT_EQ(parseOk("node:tsAutoUpdate == true").values[0].value, boolean(true));
  EXPECT_EQ(parseOk("node:tsAutoUpdate == FALSE").values[0].value, boolean(false));
  EXPECT_EQ(parseOk("custom:x == \"double\"").values[0].value, str("double"));
  EXPECT_EQ(parseOk("custom:x == ''").values[0].value, str(""));
}

TEST(PostureConditionParse, QuotingWithSpacesAndEscapes) {
  EXPECT_EQ(parseOk("kolide:authState != 'Will Block'").values[0].value, str("Will Block"));
  EXPECT_EQ(parseOk("custom:x == \"it's\"").values[0].value, str("it's"));
  EXPECT_EQ(parseOk(R"(custom:x == 'it\'s')").values[0].value, str("it's"));
  EXPECT_EQ(parseOk(R"(custom:x == "say \"hi\"")").values[0].value, str("say \"hi\""));
  EXPECT_EQ(parseOk(R"(custom:x == 'back\\slash')").values[0].value, str("back\\slash"));
  EXPECT_EQ(parseOk("custom:x == '  padded  '").values[0].value, str("  padded  "));
  EXPECT_EQ(parseOk("custom:x == 'a,b]'").values[0].value, str("a,b]"));
  EXPECT_EQ(parseOk("custom:x == '\xC3\xA9t\xC3\xA9'").values[0].value, str("\xC3\xA9t\xC3\xA9"));
  // Round trip through the canonical form keeps the value.
  PostureCondition c = parseOk(R"(custom:x IN ['it\'s', 'a\\b', "q\"q"])");
  EXPECT_EQ(formatCondition(c), R"(custom:x IN ['it\'s', 'a\\b', 'q"q'])");
  PostureCondition again = parseOk(formatCondition(c));
  ASSERT_EQ(again.values.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(again.values[i].value, c.values[i].value);
}

TEST(PostureConditionParse, CaseInsensitiveKeywords) {
  EXPECT_EQ(parseOk("ip:country in ['CA', 'US', 'GB', 'NL']").op, ConditionOp::kIn);
  EXPECT_EQ(parseOk("node:os not in ['js']").op, ConditionOp::kNotIn);
  EXPECT_EQ(parseOk("node:os Not In ['js']").op, ConditionOp::kNotIn);
  EXPECT_EQ(parseOk("custom:x is set").op, ConditionOp::kIsSet);
  EXPECT_EQ(parseOk("custom:x Is Set").op, ConditionOp::kIsSet);
  EXPECT_EQ(parseOk("custom:x not set").op, ConditionOp::kNotSet);
  EXPECT_EQ(parseOk("custom:x NOT\t SET").op, ConditionOp::kNotSet);
  EXPECT_EQ(formatCondition(parseOk("ip:country in ['CA']")), "ip:country IN ['CA']");
}

TEST(PostureConditionParse, BareKeyIsEqualsTrue) {
  PostureCondition c = parseOk("node:tsAutoUpdate");
  EXPECT_TRUE(c.shorthand);
  EXPECT_EQ(c.op, ConditionOp::kEq);
  ASSERT_EQ(c.values.size(), 1u);
  EXPECT_EQ(c.values[0].value, boolean(true));
  EXPECT_EQ(formatCondition(c), "node:tsAutoUpdate");
  EXPECT_TRUE(parseOk("  fleet:present  ").shorthand);
  EXPECT_EQ(parseOk("fleetPolicy:disk-encryption.v2").key, "fleetPolicy:disk-encryption.v2");
}

TEST(PostureConditionParse, WhitespaceIsOptionalAroundSymbols) {
  PostureCondition c = parseOk("node:os=='macos'");
  EXPECT_EQ(c.op, ConditionOp::kEq);
  EXPECT_EQ(c.values[0].value, str("macos"));
  EXPECT_EQ(parseOk("custom:n>=-1").values[0].value, num(-1));
  EXPECT_EQ(parseOk("node:os IN['macos','linux',]").values.size(), 2u);  // trailing comma allowed
  EXPECT_EQ(parseOk("\t node:os  !=  'js' \t").op, ConditionOp::kNe);
  EXPECT_EQ(parseOk("falcon:ztaScore IN [ 70 , 80.5 ]").values[1].value, num(80.5));
}

TEST(PostureConditionParse, ErrorsSayWhereAndWhat) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"", 0, "empty condition; expected an attribute key such as node:os"},
      {"   ", 3, "empty condition; expected an attribute key such as node:os"},
      {"node:os =~ 'mac'", 8,
       "unknown operator '=~' after 'node:os'; use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET"},
      {"node:os = 'macos'", 8,
       "unknown operator '=' after 'node:os' (equality is ==); use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT "
       "SET"},
      {"custom:x => 1", 9,
       "unknown operator '=>' after 'custom:x' (did you mean >=?); use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or "
       "NOT SET"},
      {"custom:x <> 1", 9,
       "unknown operator '<>' after 'custom:x' (inequality is !=); use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or "
       "NOT SET"},
      {"node:os equals 'macos'", 8,
       "unknown operator 'equals' after 'node:os'; use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET"},
      {"node:os 'macos'", 8,
       "expected an operator after 'node:os', found \"'\"; use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET"},
      {"node:os ==", 10, "missing value after '=='; expected a quoted string, a number, true or false"},
      {"node:os == ", 11, "missing value after '=='; expected a quoted string, a number, true or false"},
      {"node:os == 'macos", 11, "unterminated string: no closing \"'\" for the quote at offset 11"},
      {"node:os == \"macos", 11, "unterminated string: no closing '\"' for the quote at offset 11"},
      {"node:os == 'mac\\'", 11, "unterminated string: no closing \"'\" for the quote at offset 11"},
      {"node:os == 'a\\nb'", 13, "invalid escape in a string: '\\n'; only \\', \\\" and \\\\ are escapes"},
      {"node:os == macos", 11,
       "unquoted value 'macos'; quote strings, e.g. 'macos' (the unquoted values are numbers, true and false)"},
      {"node:tsVersion >= 1.60.0", 18, "unquoted value '1.60.0'; quote strings and versions, e.g. '1.60.0'"},
      {"custom:x == 1.", 12, "unquoted value '1.'; quote strings and versions, e.g. '1.'"},
      {"custom:x == -", 13, "expected a digit after '-', found the end of the condition"},
      {"custom:x == 'a' extra", 16,
       "unexpected 'e' after the condition; expected the end (a posture ANDs its conditions: list them as separate "
       "strings)"},
      {"custom:x == 'a' && custom:y", 16,
       "unexpected '&' after the condition; expected the end (a posture ANDs its conditions: list them as separate "
       "strings)"},
      {"custom:x IS SET now", 16,
       "unexpected 'n' after the condition; expected the end (a posture ANDs its conditions: list them as separate "
       "strings)"},
      {"node:os IN ['macos', 'linux'", 28,
       "unterminated list: expected ',' or ']' to close the '[' at offset 11, found the end of the condition"},
      {"node:os IN ['macos',", 20,
       "unterminated list: expected a value or ']' to close the '[' at offset 11, found the end of the condition"},
      {"node:os IN ['macos' 'linux']", 20, "expected ',' or ']' in the list, found \"'\""},
      {"node:os IN 'macos'", 11,
       "expected '[' to start the list of values after IN, found \"'\" (for example node:os IN ['macos', 'linux'])"},
      {"node:os NOT IN", 14,
       "expected '[' to start the list of values after NOT IN, found the end of the condition (for example node:os "
       "NOT IN ['macos', 'linux'])"},
      {"node:os IN []", 12, "empty list after IN; list at least one value"},
      {"node:os IN ['a', 1]", 17, "the list mixes strings and numbers; use values of one type"},
      {"custom:b IN [true]", 13, "lists hold strings or numbers, found true"},
      {"node:os == ['macos']", 11, "a list is only allowed after IN or NOT IN; == compares with one value"},
      {"node:os NOT 'x'", 12, "expected IN or SET after 'NOT', found \"'\""},
      {"node:os NOT EQUAL 'x'", 12, "expected IN or SET after 'NOT', found 'EQUAL'"},
      {"custom:x IS", 11, "expected SET after 'IS', found the end of the condition"},
      {"custom:x is not set", 12, "expected SET after 'is', found 'not'"},
      {"tsVersion >= '1.2'", 0,
       "attribute key 'tsVersion' has no namespace; keys are namespace:name, such as node:os or custom:tsVersion"},
      {"node: == 'x'", 5, "attribute key 'node:' has no name after ':'"},
      {"a:b:c == 1", 3, "attribute key 'a:b:c' has more than one ':'; keys are namespace:name"},
      {"my-ns:x == 1", 2, "invalid character '-' in the namespace 'my-ns'; a namespace has letters, digits and '_'"},
      {"'node:os' == 'x'", 0, "expected an attribute key (namespace:name, such as node:os), found \"'\""},
      {"1 == 1", 0, "expected an attribute key (namespace:name, such as node:os), found '1'"},
      {"custom:x == 1e3", 12, "unquoted value '1e3'; quote strings and versions, e.g. '1e3'"},
      {"custom:x == @", 12, "expected a quoted string, a number, true or false, found '@'"},
      {"custom:x \xC3\xA9 1", 9,
       "expected an operator after 'custom:x', found '\xC3\xA9'; use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT "
       "SET"},
      {"custom:x ,", 9,
       "expected an operator after 'custom:x', found ','; use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET"},
  };
  for (const Case& c : cases) {
    ConditionError e = parseErr(c.text);
    EXPECT_EQ(e.offset, c.offset) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
}

TEST(PostureConditionParse, ResultFormPutsOffsetFirst) {
  auto r = parsePostureCondition("node:os =~ 'mac'");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.error().message,
            "offset 8: unknown operator '=~' after 'node:os'; use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET");
  auto ok = parsePostureCondition("node:os == 'macos'");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->key, "node:os");
}

TEST(PostureConditionParse, NeverCrashesOnArbitraryInput) {
  const std::string alphabet = "node:s=!<>'\"\\[], INOTSE-1.0tf\t";
  std::uint32_t seed = 7;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    seed = seed * 1664525u + 1013904223u;
    const std::size_t len = (seed >> 8) % 24;
    for (std::size_t i = 0; i < len; ++i) {
      seed = seed * 1664525u + 1013904223u;
      text += (round % 3 == 0) ? static_cast<char>(seed >> 24) : alphabet[(seed >> 16) % alphabet.size()];
    }
    auto c = parseCondition(text);
    if (c) {
      // Whatever parses formats to something that parses to the same condition.
      auto again = parseCondition(formatCondition(*c));
      ASSERT_TRUE(again.has_value()) << text << " -> " << formatCondition(*c);
      EXPECT_EQ(again->op, c->op);
      EXPECT_EQ(again->values.size(), c->values.size());
    } else {
      EXPECT_LE(c.error().offset, text.size()) << text;
    }
  }
}

// --- evaluation ------------------------------------------------------------

TEST(PostureConditionEval, UnsetAttributeFailsEveryOperatorButNotSet) {
  for (const char* text : {"custom:x == 1", "custom:x != 1", "custom:x < 1", "custom:x <= 1", "custom:x > 1",
                           "custom:x >= 1", "custom:x IN [1]", "custom:x NOT IN [1]", "custom:x IS SET", "custom:x",
                           "custom:tier != 'prod'", "custom:x NOT IN ['a']"}) {
    EXPECT_FALSE(eval(text, std::nullopt)) << text;
  }
  EXPECT_TRUE(eval("custom:x NOT SET", std::nullopt));
  // Another attribute being set does not count.
  EXPECT_TRUE(eval("custom:x NOT SET", num(1), "custom:y"));
}

TEST(PostureConditionEval, SetChecks) {
  EXPECT_TRUE(eval("custom:x IS SET", num(0)));
  EXPECT_TRUE(eval("custom:x IS SET", boolean(false)));
  EXPECT_TRUE(eval("custom:x IS SET", str("")));
  EXPECT_FALSE(eval("custom:x NOT SET", boolean(false)));
}

TEST(PostureConditionEval, Numbers) {
  EXPECT_TRUE(eval("falcon:ztaScore >= 70", num(70)));
  EXPECT_TRUE(eval("falcon:ztaScore >= 70", num(85.5)));
  EXPECT_FALSE(eval("falcon:ztaScore >= 70", num(69.9)));
  EXPECT_TRUE(eval("falcon:ztaScore > 70", num(71)));
  EXPECT_FALSE(eval("falcon:ztaScore > 70", num(70)));
  EXPECT_TRUE(eval("falcon:ztaScore < 70", num(-1)));
  EXPECT_FALSE(eval("falcon:ztaScore < 70", num(70)));
  EXPECT_TRUE(eval("falcon:ztaScore <= 70", num(70)));
  EXPECT_FALSE(eval("falcon:ztaScore <= 70", num(70.5)));
  EXPECT_TRUE(eval("sentinelOne:activeThreats == 0", num(0)));
  EXPECT_TRUE(eval("sentinelOne:activeThreats == 0", num(-0.0)));
  EXPECT_FALSE(eval("sentinelOne:activeThreats == 0", num(2)));
  EXPECT_TRUE(eval("sentinelOne:activeThreats != 0", num(2)));
  EXPECT_FALSE(eval("sentinelOne:activeThreats != 0", num(0)));
  EXPECT_TRUE(eval("custom:x == 2.5", num(2.5)));
  EXPECT_TRUE(eval("custom:x > -3", num(-2)));
  // Numbers compare numerically, never as versions: 10 > 9.
  EXPECT_TRUE(eval("custom:x > 9", num(10)));
}

TEST(PostureConditionEval, StringsAreExactForEquality) {
  EXPECT_TRUE(eval("node:os == 'macos'", str("macos")));
  EXPECT_FALSE(eval("node:os == 'macos'", str("macOS")));
  EXPECT_FALSE(eval("node:os == 'macos'", str("macos ")));
  EXPECT_TRUE(eval("node:os != 'macos'", str("linux")));
  EXPECT_FALSE(eval("node:os != 'macos'", str("macos")));
  EXPECT_TRUE(eval("kolide:authState != 'Will Block'", str("Good")));
  EXPECT_FALSE(eval("kolide:authState != 'Will Block'", str("Will Block")));
  // Versions are not normalised for ==: '1.60' is not '1.60.0' (and not '1.060').
  EXPECT_FALSE(eval("node:tsVersion == '1.60'", str("1.60.0")));
}

TEST(PostureConditionEval, VersionsOrderWithCmpver) {
  EXPECT_TRUE(eval("node:tsVersion >= '1.60'", str("1.60.0")));
  EXPECT_FALSE(eval("node:tsVersion <= '1.60'", str("1.60.0")));
  EXPECT_TRUE(eval("node:tsVersion > '1.60'", str("1.60.0")));
  EXPECT_FALSE(eval("node:tsVersion < '1.60'", str("1.60.0")));
  EXPECT_TRUE(eval("node:tsVersion >= '1.60.0'", str("1.100.2")));
  EXPECT_FALSE(eval("node:tsVersion >= '1.60.0'", str("1.58.2")));
  EXPECT_TRUE(eval("node:tsVersion >= '1.60.0'", str("1.60.0")));
  EXPECT_TRUE(eval("node:tsVersion <= '1.60.0'", str("1.60.0")));
  EXPECT_TRUE(eval("node:osVersion >= '10.0.22000'", str("10.0.22631.2262")));
  EXPECT_FALSE(eval("node:osVersion >= '10.0.22000'", str("10.0.19045")));
  EXPECT_TRUE(eval("sentinelOne:agentVersion >= '23.4'", str("23.4.2.14")));
  EXPECT_TRUE(eval("node:osVersion > '4.0'", str("4.14.255-311-248.529.amzn2.x86_64")));
  // Any string attribute orders as a version.
  EXPECT_TRUE(eval("custom:release >= 'r9'", str("r10")));
}

TEST(PostureConditionEval, Bools) {
  EXPECT_TRUE(eval("node:tsAutoUpdate == true", boolean(true)));
  EXPECT_FALSE(eval("node:tsAutoUpdate == true", boolean(false)));
  EXPECT_TRUE(eval("node:tsAutoUpdate != true", boolean(false)));
  EXPECT_FALSE(eval("node:tsAutoUpdate != false", boolean(false)));
  EXPECT_TRUE(eval("node:tsAutoUpdate", boolean(true)));
  EXPECT_FALSE(eval("node:tsAutoUpdate", boolean(false)));
  EXPECT_FALSE(eval("node:tsAutoUpdate", str("true")));  // bare key needs a real true
  // Ordering never applies to bools.
  for (const char* op : {"<", "<=", ">", ">="}) {
    EXPECT_FALSE(eval(std::string("custom:b ") + op + " true", boolean(true))) << op;
    EXPECT_FALSE(eval(std::string("custom:b ") + op + " false", boolean(true))) << op;
  }
}

TEST(PostureConditionEval, TypeMismatchIsFalseForEveryOperator) {
  for (const char* text : {"custom:x == 'zero'", "custom:x != 'zero'", "custom:x < '1'", "custom:x >= '0'",
                           "custom:x IN ['0']", "custom:x NOT IN ['a']", "custom:x == true", "custom:x != true"}) {
    EXPECT_FALSE(eval(text, num(0))) << text;
  }
  for (const char* text : {"custom:x == 1", "custom:x != 1", "custom:x > 0", "custom:x IN [1]", "custom:x NOT IN [1]",
                           "custom:x != false"}) {
    EXPECT_FALSE(eval(text, str("1"))) << text;
  }
  for (const char* text : {"custom:x == 1", "custom:x != 'true'", "custom:x IN ['true']", "custom:x NOT IN [0]"}) {
    EXPECT_FALSE(eval(text, boolean(true))) << text;
  }
  // Set checks do not care about the type.
  EXPECT_TRUE(eval("custom:x IS SET", str("1")));
}

TEST(PostureConditionEval, Lists) {
  EXPECT_TRUE(eval("node:os IN ['macos', 'linux']", str("linux")));
  EXPECT_FALSE(eval("node:os IN ['macos', 'linux']", str("windows")));
  EXPECT_FALSE(eval("node:os IN ['macos', 'linux']", str("Linux")));
  EXPECT_TRUE(eval("node:os NOT IN ['macos', 'linux']", str("windows")));
  EXPECT_FALSE(eval("node:os NOT IN ['macos', 'linux']", str("macos")));
  EXPECT_TRUE(eval("ip:country in ['CA', 'US', 'GB', 'NL']", str("NL")));
  EXPECT_TRUE(eval("falcon:ztaScore IN [70, 80]", num(80)));
  EXPECT_FALSE(eval("falcon:ztaScore IN [70, 80]", num(75)));
  EXPECT_TRUE(eval("falcon:ztaScore NOT IN [70, 80]", num(75)));
  EXPECT_TRUE(eval("kolide:authState NOT IN ['Will Block', 'Blocked']", str("Good")));
  EXPECT_FALSE(eval("kolide:authState IN ['Will Block', 'Blocked']", str("Will")));
}

TEST(PostureConditionEval, KeysMatchCaseInsensitively) {
  EXPECT_TRUE(eval("sentinelone:INFECTED == false", boolean(false), "sentinelOne:infected"));
  EXPECT_TRUE(eval("sentinelOne:infected == false", boolean(false), "SENTINELONE:infected"));
  AttributeSet attrs;
  attrs.set("custom:Tier", str("prod"));
  attrs.set("custom:tier", str("dev"));  // the same key: replaces
  EXPECT_EQ(*attrs.find("CUSTOM:TIER"), str("dev"));
  EXPECT_FALSE(attrs.empty());
}

TEST(PostureConditionEval, WorksWithACustomLookup) {
  PostureCondition c = parseOk("node:tsVersion >= '1.60'");
  std::string asked;
  const AttributeValue v = str("1.62.0");
  AttributeLookup lookup = [&](std::string_view key) -> const AttributeValue* {
    asked = std::string(key);
    return &v;
  };
  EXPECT_TRUE(evaluate(c, lookup));
  EXPECT_EQ(asked, "node:tsversion");  // lookups receive the folded key
}

// --- explanations -------------------------------------------------------------

ConditionResult explainOn(std::string_view condition, std::optional<AttributeValue> value) {
  PostureCondition c = parseOk(condition);
  AttributeSet attrs;
  if (value) attrs.set(c.key, *value);
  ConditionResult r = explain(c, attrs.lookup());
  EXPECT_EQ(r.passed, evaluate(c, attrs.lookup())) << condition;
  EXPECT_EQ(r.actual, value) << condition;
  return r;
}

TEST(PostureConditionExplain, Reasons) {
  struct Case {
    const char* condition;
    std::optional<AttributeValue> value;
    bool passed;
    const char* reason;
  };
  const Case cases[] = {
      {"custom:tier != 'prod'", std::nullopt, false, "custom:tier is not set"},
      {"custom:tier NOT SET", std::nullopt, true, "custom:tier is not set"},
      {"custom:tier IS SET", str("prod"), true, "custom:tier is set ('prod')"},
      {"custom:tier NOT SET", str("prod"), false, "custom:tier is set ('prod')"},
      {"node:tsVersion >= '1.60'", str("1.58.2"), false,
       "node:tsVersion is '1.58.2', which is not >= '1.60' (compared as versions)"},
      {"node:tsVersion >= '1.60'", str("1.60.0"), true,
       "node:tsVersion is '1.60.0', which is >= '1.60' (compared as versions)"},
      {"falcon:ztaScore >= 70", num(65), false, "falcon:ztaScore is 65, which is not >= 70"},
      {"falcon:ztaScore > 70.5", num(80.25), true, "falcon:ztaScore is 80.25, which is > 70.5"},
      {"node:os == 'macos'", str("windows"), false, "node:os is 'windows', not 'macos'"},
      {"node:os == 'macos'", str("macos"), true, "node:os is 'macos'"},
      {"node:os != 'js'", str("linux"), true, "node:os is 'linux', not 'js'"},
      {"node:os != 'js'", str("js"), false, "node:os is 'js', and the condition requires != 'js'"},
      {"node:os IN ['macos', 'linux']", str("windows"), false, "node:os is 'windows', not one of ['macos', 'linux']"},
      {"node:os IN ['macos', 'linux']", str("linux"), true, "node:os is 'linux', one of ['macos', 'linux']"},
      {"node:os NOT IN ['js']", str("js"), false, "node:os is 'js', which is in the excluded list ['js']"},
      {"node:os NOT IN ['js']", str("ios"), true, "node:os is 'ios', not one of ['js']"},
      {"sentinelOne:activeThreats == 'zero'", num(0), false,
       "sentinelOne:activeThreats is 0 (a number), but the condition compares it with 'zero' (a string)"},
      {"custom:n IN ['1', '2']", num(1), false,
       "custom:n is 1 (a number), but the condition compares it with a list of strings ['1', '2']"},
      {"node:tsAutoUpdate", boolean(false), false, "node:tsAutoUpdate is false, not true"},
      {"node:tsAutoUpdate", boolean(true), true, "node:tsAutoUpdate is true"},
      {"custom:b > false", boolean(true), false, "custom:b is true; > does not apply to true/false"},
      {"kolide:authState == 'Good'", str("it's"), false, "kolide:authState is 'it\\'s', not 'Good'"},
  };
  for (const Case& c : cases) {
    ConditionResult r = explainOn(c.condition, c.value);
    EXPECT_EQ(r.passed, c.passed) << c.condition;
    EXPECT_EQ(r.reason, c.reason) << c.condition;
  }
}

TEST(PostureConditionFormat, Values) {
  EXPECT_EQ(formatValue(num(70)), "70");
  EXPECT_EQ(formatValue(num(-3)), "-3");
  EXPECT_EQ(formatValue(num(-0.0)), "0");
  EXPECT_EQ(formatValue(num(0.1)), "0.1");
  EXPECT_EQ(formatValue(num(9007199254740991.0)), "9007199254740991");
  // Never an exponent: the condition grammar has none.
  EXPECT_EQ(formatValue(num(1e21)), "1000000000000000000000");
  EXPECT_EQ(formatValue(num(1.5e-7)), "0.00000015");
  const std::string big = formatValue(num(1e300));
  EXPECT_EQ(big.size(), 301u);
  EXPECT_EQ(parseOk("custom:x == " + big).values[0].value, num(1e300));
  EXPECT_EQ(formatValue(boolean(true)), "true");
  EXPECT_EQ(formatValue(str("a'b\\c")), "'a\\'b\\\\c'");
}

// --- warnings ----------------------------------------------------------------

std::optional<std::string> typeWarningFor(std::string_view text) { return typeWarning(parseOk(text)); }

TEST(PostureConditionWarnings, TypeWarnings) {
  EXPECT_EQ(typeWarningFor("sentinelOne:activeThreats == 'zero'"),
            "sentinelOne:activeThreats is a number, but 'zero' is a string, so 'sentinelOne:activeThreats == 'zero'' "
            "never matches");
  EXPECT_EQ(typeWarningFor("sentinelOne:activeThreats == '0'"),
            "sentinelOne:activeThreats is a number, but '0' is a string, so 'sentinelOne:activeThreats == '0'' never "
            "matches; remove the quotes: 0");
  EXPECT_EQ(typeWarningFor("node:os > 3"),
            "node:os is a string, but 3 is a number, so 'node:os > 3' never matches; quote it: '3'");
  EXPECT_EQ(typeWarningFor("node:tsVersion >= 1.60"),
            "node:tsVersion is a version, but 1.60 is a number, so 'node:tsVersion >= 1.60' never matches; quote it: "
            "'1.60'");
  EXPECT_EQ(typeWarningFor("sentinelOne:infected == 'false'"),
            "sentinelOne:infected is a bool, but 'false' is a string, so 'sentinelOne:infected == 'false'' never "
            "matches; remove the quotes: false");
  EXPECT_EQ(typeWarningFor("sentinelOne:infected < true"),
            "< does not apply to true/false, so 'sentinelOne:infected < true' never matches; use == or !=");
  EXPECT_EQ(typeWarningFor("custom:anything >= false"),
            ">= does not apply to true/false, so 'custom:anything >= false' never matches; use == or !=");
  EXPECT_EQ(typeWarningFor("node:tsAutoUpdate > 1"), "node:tsAutoUpdate is a bool, so > never matches; use == or !=");
  EXPECT_EQ(typeWarningFor("node:os IN [1, 2]"),
            "node:os is a string, but 1 is a number, so 'node:os IN [1, 2]' never matches; quote it: '1'");
  EXPECT_EQ(typeWarningFor("node:os"),
            "a bare key means 'node:os == true', but node:os is a string, so it never matches; compare it with a "
            "value or use IS SET");
  EXPECT_EQ(typeWarningFor("node:os >= 'macos'"),
            ">= is meant for numbers and versions, and node:os is a plain string: it will be compared as a version "
            "string ('macos')");
  EXPECT_EQ(typeWarningFor("fleetPolicy:diskEncrypted == 'yes'"),
            "fleetPolicy:diskEncrypted is a bool, but 'yes' is a string, so 'fleetPolicy:diskEncrypted == 'yes'' never "
            "matches");
  // Keys are known case-insensitively.
  EXPECT_TRUE(typeWarningFor("SENTINELONE:activethreats == 'x'").has_value());
}

TEST(PostureConditionWarnings, NoTypeWarningWhenFine) {
  for (const char* text : {"sentinelOne:activeThreats == 0", "node:tsVersion >= '1.60'", "node:osVersion < '14'",
                           "sentinelOne:agentVersion >= '23.1'", "node:tsAutoUpdate", "node:tsAutoUpdate == false",
                           "node:os IN ['macos', 'linux']", "ip:country NOT IN ['RU']", "custom:x > 'abc'",
                           "custom:x == true", "custom:x IS SET", "node:os NOT SET", "falcon:ztaScore >= 70",
                           "fleet:present", "fleetPolicy:disk", "kolide:authState != 'Will Block'"}) {
    EXPECT_EQ(typeWarningFor(text), std::nullopt) << text;
  }
  EXPECT_EQ(knownAttributeType("node:tsVersion"), KnownAttributeType::kVersion);
  EXPECT_EQ(knownAttributeType("NODE:OS"), KnownAttributeType::kString);
  EXPECT_EQ(knownAttributeType("fleetPolicy:x"), KnownAttributeType::kBool);
  EXPECT_EQ(knownAttributeType("custom:x"), std::nullopt);
  EXPECT_EQ(knownAttributeTypeName(KnownAttributeType::kVersion), "version");
  EXPECT_TRUE(isOrderingOp(ConditionOp::kGe));
  EXPECT_FALSE(isOrderingOp(ConditionOp::kIn));
}

TEST(PostureConditionWarnings, KeyWarnings) {
  EXPECT_EQ(keyWarning(parseOk("sentinelOne:infectd == true")),
            "unknown attribute 'sentinelOne:infectd'; the sentinelOne attributes are sentinelOne:operationalState, "
            "sentinelOne:activeThreats, sentinelOne:agentVersion, sentinelOne:encryptedApplications, "
            "sentinelOne:firewallEnabled, sentinelOne:infected, sentinelOne:isActive");
  EXPECT_EQ(keyWarning(parseOk("crowdstrike:score > 1")),
            "unknown attribute namespace 'crowdstrike'; known namespaces are node, ip, falcon, sentinelOne, intune, "
            "jamfPro, kandji, kolide, fleet, huntress, custom and fleetPolicy");
  EXPECT_EQ(keyWarning(parseOk("posture:latest")),
            "'posture:latest' names a posture, not an attribute; postures are referenced from srcPosture and "
            "defaultSrcPosture, not from other postures' conditions");
  for (const char* ok : {"custom:whatever == 1", "fleetPolicy:anything", "node:tsVersion >= '1'",
                         "SentinelOne:Infected == false", "jamfPro:SIPEnabled == 'ENABLED'", "ip:country == 'US'"}) {
    EXPECT_EQ(keyWarning(parseOk(ok)), std::nullopt) << ok;
  }
}

TEST(PostureConditionWarnings, ValueWarnings) {
  EXPECT_EQ(valueWarning(parseOk("node:os == 'macOS'")),
            "node:os is never 'macOS'; its documented values are 'macos', 'windows', 'linux', 'ios', 'android', "
            "'freebsd', 'openbsd', 'illumos', 'js' (values are case-sensitive: did you mean 'macos'?)");
  EXPECT_EQ(valueWarning(parseOk("kolide:authState IN ['Good', 'Block']")),
            "kolide:authState is never 'Block'; its documented values are 'Good', 'Notified', 'Will Block', 'Blocked'");
  EXPECT_EQ(valueWarning(parseOk("node:os IN ['macos', 'linux']")), std::nullopt);
  EXPECT_EQ(valueWarning(parseOk("huntress:defenderStatus == 'Healthy'")), std::nullopt);  // open enumeration
  EXPECT_EQ(valueWarning(parseOk("custom:x == 'anything'")), std::nullopt);

  const auto all = conditionWarnings(parseOk("node:OS == 'Linux'"));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(all[0].find("did you mean 'linux'?"), std::string::npos);
  EXPECT_EQ(conditionWarnings(parseOk("nod:os > 3")).size(), 1u);  // unknown namespace only
  EXPECT_TRUE(conditionWarnings(parseOk("node:tsVersion >= '1.60'")).empty());
}

}  // namespace
}  // namespace postured::policy
