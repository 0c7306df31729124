#include "policy/hujson.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

namespace postured::policy {
namespace {

HuValue parseOk(std::string_view text) {
  auto v = parseHuJson(text);
  EXPECT_TRUE(v.has_value()) << (v ? "" : v.error().message);
  return v ? *v : HuValue{};
}

std::string parseError(std::string_view text) {
  auto v = parseHuJson(text);
  EXPECT_FALSE(v.has_value()) << "parsed: " << text;
  if (v) return {};
  EXPECT_EQ(v.error().kind, core::ErrorKind::kInvalidArgument);
  return v.error().message;
}

// A policy-like document with every HuJSON feature.
const char* const kPolicy = R"(// Example policy
{
  "groups": {
    "group:eng": ["alice@example.com", "bob@example.com",],  // trailing comma
  },
  /* postures
     span lines */
  "postures": {
    "posture:latest": ["node:tsVersion >= '1.60'", "sentinelOne:activeThreats == 0"],
  },
  "acls": [
    {"action": "accept", "src": ["group:eng"], "dst": ["*:22,80"], "srcPosture": ["posture:latest"]},
  ],
  "n": -12.5e1, "z": 0, "t": true, "f": false, "nil": null,
  "esc": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00",
}
)";

TEST(HuJson, ParsesPolicyWithCommentsAndTrailingCommas) {
  HuValue doc = parseOk(kPolicy);
  ASSERT_TRUE(doc.isObject());
  EXPECT_EQ(doc.pos(), (SourcePos{2, 1}));
  ASSERT_EQ(doc.members().size(), 9u);
  EXPECT_EQ(doc.members()[0].key, "groups");
  EXPECT_EQ(doc.members()[0].keyPos, (SourcePos{3, 3}));
  EXPECT_EQ(doc.members()[1].key, "postures");
  EXPECT_EQ(doc.members()[2].key, "acls");  // source order, not sorted

  const HuValue* eng = doc.find("groups")->find("group:eng");
  ASSERT_NE(eng, nullptr);
  ASSERT_TRUE(eng->isArray());
  ASSERT_EQ(eng->items().size(), 2u);
  EXPECT_EQ(eng->items()[1].asString(), "bob@example.com");
  EXPECT_EQ(eng->items()[1].pos(), (SourcePos{4, 40}));

  const HuValue* latest = doc.find("postures")->find("posture:latest");
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->items()[0].asString(), "node:tsVersion >= '1.60'");
  EXPECT_EQ(latest->items()[0].pos(), (SourcePos{9, 24}));

  const HuValue& acl = doc.find("acls")->items().at(0);
  EXPECT_EQ(acl.pos(), (SourcePos{12, 5}));
  EXPECT_EQ(acl.find("action")->asString(), "accept");
  EXPECT_EQ(acl.find("missing"), nullptr);

  EXPECT_DOUBLE_EQ(doc.find("n")->asNumber(), -125.0);
  EXPECT_EQ(doc.find("n")->numberText(), "-12.5e1");
  EXPECT_TRUE(doc.find("z")->isNumber());
  EXPECT_TRUE(doc.find("t")->asBool());
  EXPECT_TRUE(doc.find("f")->isBool());
  EXPECT_FALSE(doc.find("f")->asBool());
  EXPECT_TRUE(doc.find("nil")->isNull());
  EXPECT_EQ(doc.find("esc")->asString(), "a\"b\\c/d\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(HuJson, TypeNamesAndWrongKindAccessors) {
  HuValue doc = parseOk(R"([null, true, 1, "s", [], {}])");
  const char* names[] = {"null", "bool", "number", "string", "array", "object"};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(doc.items()[i].typeName(), names[i]);
  const HuValue& s = doc.items()[3];
  EXPECT_FALSE(s.asBool());
  EXPECT_EQ(s.asNumber(), 0.0);
  EXPECT_EQ(s.numberText(), "");
  EXPECT_TRUE(s.items().empty());
  EXPECT_EQ(s.find("x"), nullptr);
  EXPECT_EQ(doc.items()[2].asString(), "");
}

TEST(HuJson, ScalarsAtTopLevelAndWhitespace) {
  EXPECT_EQ(parseOk("  \"x\"  ").asString(), "x");
  EXPECT_EQ(parseOk("\t\r\n42 // done").asNumber(), 42);
  EXPECT_TRUE(parseOk("/* a */ null /* b */").isNull());
  EXPECT_TRUE(parseOk("[]").items().empty());
  EXPECT_TRUE(parseOk("{}").members().empty());
  EXPECT_TRUE(parseOk("[/* empty */]").items().empty());
  EXPECT_EQ(parseOk("[1,]").items().size(), 1u);
  EXPECT_EQ(parseOk("{\"a\":1,}").members().size(), 1u);
  EXPECT_EQ(parseOk("[1 // one\n, 2 /* two */ ,\n]").items().size(), 2u);
  EXPECT_EQ(parseOk("// only a comment before\n\"x\"//no newline at end").asString(), "x");
}

TEST(HuJson, Numbers) {
  struct Case {
    const char* text;
    double value;
  };
  for (const Case& c : {Case{"0", 0}, Case{"-0", 0}, Case{"7", 7}, Case{"-7", -7}, Case{"1.5", 1.5}, Case{"1e3", 1000},
                        Case{"1E+3", 1000}, Case{"2.5e-1", 0.25}, Case{"0.001", 0.001},
                        Case{"9007199254740993", 9007199254740992.0}, Case{"1e-400", 0}}) {
    HuValue v = parseOk(c.text);
    EXPECT_TRUE(v.isNumber()) << c.text;
    EXPECT_DOUBLE_EQ(v.asNumber(), c.value) << c.text;
    EXPECT_EQ(v.numberText(), c.text);
  }
}

TEST(HuJson, PositionsCountCodePointsNotBytes) {
  // "é" is two bytes but one column; the BOM does not count.
  HuValue doc = parseOk("\xEF\xBB\xBF{\"\xC3\xA9\": 1, \"b\": 2}");
  EXPECT_EQ(doc.pos(), (SourcePos{1, 1}));
  EXPECT_EQ(doc.members()[0].value.pos(), (SourcePos{1, 7}));
  EXPECT_EQ(doc.members()[1].keyPos, (SourcePos{1, 10}));
  EXPECT_EQ(parseError("[\"\xF0\x9F\x98\x80\", x]"),
            "line 1, column 7: expected a value, found 'x' (strings need "
            "double quotes; the literals are true, false and null)");
}

TEST(HuJson, CrLfLineEndings) {
  HuValue doc = parseOk("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n");
  EXPECT_EQ(doc.members()[1].keyPos, (SourcePos{3, 3}));
}

TEST(HuJson, ErrorMessagesNamePositionFoundAndExpected) {
  EXPECT_EQ(parseError("{\n  \"a\": 1,\n  \"b\": 2\n  \"c\": 3\n}"),
            "line 4, column 3: expected ',' or '}' after an object member, found '\"'");
  EXPECT_EQ(parseError("[1 2]"), "line 1, column 4: expected ',' or ']' after an array element, found '2'");
  EXPECT_EQ(parseError("{\"a\" 1}"), "line 1, column 6: expected ':' after the key \"a\", found '1'");
  EXPECT_EQ(parseError("{a: 1}"),
            "line 1, column 2: expected a string key or '}', found 'a' (keys must be double-quoted strings)");
  EXPECT_EQ(parseError("{'a': 1}"),
            "line 1, column 2: expected a string key or '}', found \"'\" (keys need double "
            "quotes)");
  EXPECT_EQ(parseError("['a']"), "line 1, column 2: strings must use double quotes, found \"'\"");
  EXPECT_EQ(parseError(""), "line 1, column 1: the document is empty; expected a JSON value");
  EXPECT_EQ(parseError("  // nothing\n"), "line 2, column 1: the document is empty; expected a JSON value");
  EXPECT_EQ(parseError("tru"),
            "line 1, column 1: expected a value, found 'tru' (strings need double quotes; the "
            "literals are true, false and null)");
  EXPECT_EQ(parseError("[truex]"),
            "line 1, column 2: expected a value, found 'truex' (strings need double quotes; "
            "the literals are true, false and null)");
  EXPECT_EQ(parseError("[1,,2]"), "line 1, column 4: expected a value or ']', found ','");
  EXPECT_EQ(parseError("[,]"), "line 1, column 2: expected a value or ']', found ','");
  EXPECT_EQ(parseError("{,}"), "line 1, column 2: expected a string key or '}', found ','");
  EXPECT_EQ(parseError("{\"a\":}"), "line 1, column 6: expected a value, found '}'");
  EXPECT_EQ(parseError("{\"a\": // nothing\n"), "line 2, column 1: expected a value, found end of input");
  EXPECT_EQ(parseError("[1]]"),
            "line 1, column 4: unexpected ']' after the end of the top-level value; expected "
            "the end of the document");
  EXPECT_EQ(parseError("{} {}"),
            "line 1, column 4: unexpected '{' after the end of the top-level value; expected "
            "the end of the document");
  EXPECT_EQ(parseError("[\n1,\n"),
            "line 3, column 1: unterminated array starting at line 1, column 1; expected a "
            "value or ']', found end of input");
  EXPECT_EQ(parseError("[1"),
            "line 1, column 3: unterminated array starting at line 1, column 1; expected ',' or "
            "']' after an array element, found end of input");
  EXPECT_EQ(parseError("{\"a\":1"),
            "line 1, column 7: unterminated object starting at line 1, column 1; expected "
            "',' or '}' after an object member, found end of input");
  EXPECT_EQ(parseError("{"),
            "line 1, column 2: unterminated object starting at line 1, column 1; expected a key or "
            "'}', found end of input");
  EXPECT_EQ(parseError("[\x01]"),
            "line 1, column 2: expected a value (object, array, string, number, true, false or "
            "null), found control character U+0001");
  EXPECT_EQ(parseError("[\xC3\xA9]"),
            "line 1, column 2: expected a value (object, array, string, number, true, "
            "false or null), found '\xC3\xA9' (U+00E9)");
  EXPECT_EQ(parseError("[\xFF]"),
            "line 1, column 2: expected a value (object, array, string, number, true, false "
            "or null), found invalid UTF-8 byte 0xFF");
}

TEST(HuJson, RejectsDuplicateKeysNamingBothLines) {
  EXPECT_EQ(parseError("{\n  \"acls\": [],\n  \"hosts\": {},\n  \"acls\": []\n}"),
            "line 4, column 3: duplicate key \"acls\" in the object: first at line 2, again at line 4");
  // Nested objects have their own key sets, and keys are case-sensitive.
  parseOk(R"({"a": {"a": 1}, "b": {"a": 2}, "A": 3})");
  // Escapes are resolved before comparing.
  EXPECT_EQ(parseError(R"({"a": 1, "\u0061": 2})"),
            "line 1, column 10: duplicate key \"a\" in the object: first at line 1, again at line 1");
}

TEST(HuJson, StringErrors) {
  EXPECT_EQ(parseError(R"(["a\x"])"),
            "line 1, column 4: invalid escape '\\x' in a string; the escapes are \\\" \\\\ "
            "\\/ \\b \\f \\n \\r \\t \\uXXXX");
  EXPECT_EQ(parseError(R"(["\'"])"),
            "line 1, column 3: invalid escape '\\'' in a string; the escapes are \\\" \\\\ "
            "\\/ \\b \\f \\n \\r \\t \\uXXXX");
  EXPECT_EQ(parseError(R"(["\u12"])"), "line 1, column 7: expected 4 hex digits after \\u, found '\"'");
  EXPECT_EQ(parseError(R"(["\uZZZZ"])"), "line 1, column 5: expected 4 hex digits after \\u, found 'Z'");
  EXPECT_EQ(parseError(R"(["\ud83d"])"),
            "line 1, column 3: invalid \\u escape: high surrogate U+D83D must be followed by a \\u escape of a low "
            "surrogate");
  EXPECT_EQ(parseError(R"(["\ud83dx"])"),
            "line 1, column 3: invalid \\u escape: high surrogate U+D83D must be followed by a \\u escape of a low "
            "surrogate");
  EXPECT_EQ(
      parseError(R"(["\ud83d\u0041"])"),
      "line 1, column 3: invalid \\u escape: high surrogate U+D83D followed by U+0041 instead of a low surrogate");
  EXPECT_EQ(parseError(R"(["\ude00"])"), "line 1, column 3: invalid \\u escape: lone low surrogate U+DE00");
  EXPECT_EQ(parseError("[\"a\tb\"]"),
            "line 1, column 4: control character U+0009 in a string; write it as an "
            "escape such as \\n, \\t or \\u00XX");
  EXPECT_EQ(parseError("{\"a\": \"b\n\"}"),
            "line 1, column 7: unterminated string: a line break before the closing '\"'");
  EXPECT_EQ(parseError("[\"abc"), "line 1, column 2: unterminated string: no closing '\"' before the end of input");
  EXPECT_EQ(parseError("[\"abc\\"), "line 1, column 2: unterminated string: no closing '\"' before the end of input");
  EXPECT_EQ(parseError("[\"\xC3\"]"), "line 1, column 3: invalid UTF-8 in a string: byte 0xC3");
  EXPECT_EQ(parseError("[\"\xED\xA0\x80\"]"), "line 1, column 3: invalid UTF-8 in a string: byte 0xED");  // surrogate
  EXPECT_EQ(parseError("[\"\xC0\xAF\"]"), "line 1, column 3: invalid UTF-8 in a string: byte 0xC0");      // overlong
  EXPECT_EQ(parseOk(R"("\u0000")").asString(), std::string(1, '\0'));  // an escaped NUL is fine
}

TEST(HuJson, NumberErrors) {
  EXPECT_EQ(parseError("[01]"), "line 1, column 2: numbers must not have leading zeros");
  EXPECT_EQ(parseError("-01"), "line 1, column 1: numbers must not have leading zeros");
  EXPECT_EQ(parseError("00"), "line 1, column 1: numbers must not have leading zeros");
  EXPECT_EQ(parseError("[-]"), "line 1, column 3: expected a digit in a number, found ']'");
  EXPECT_EQ(parseError("1."), "line 1, column 3: expected a digit after the decimal point, found end of input");
  EXPECT_EQ(parseError(".5"),
            "line 1, column 1: expected a value (object, array, string, number, true, false or "
            "null), found '.'");
  EXPECT_EQ(parseError("1e"), "line 1, column 3: expected a digit in the exponent, found end of input");
  EXPECT_EQ(parseError("1e+"), "line 1, column 4: expected a digit in the exponent, found end of input");
  EXPECT_EQ(parseError("+1"),
            "line 1, column 1: expected a value (object, array, string, number, true, false or "
            "null), found '+'");
  EXPECT_EQ(parseError("1e999"), "line 1, column 1: number 1e999 is out of range");
  EXPECT_EQ(parseError("[0x10]"), "line 1, column 3: expected ',' or ']' after an array element, found 'x'");
  EXPECT_EQ(parseError("NaN"),
            "line 1, column 1: expected a value, found 'NaN' (strings need double quotes; the "
            "literals are true, false and null)");
}

TEST(HuJson, CommentErrors) {
  EXPECT_EQ(parseError("{\n  /* open\n\n"),
            "line 2, column 3: unterminated block comment: '/*' without a closing "
            "'*/'");
  EXPECT_EQ(parseError("[1 /* x *]"), "line 1, column 4: unterminated block comment: '/*' without a closing '*/'");
  EXPECT_EQ(parseError("[1 / 2]"),
            "line 1, column 4: unexpected '/'; comments start with '//' or '/*', found '/' "
            "followed by ' '");
  EXPECT_EQ(parseError("1 /"),
            "line 1, column 3: unexpected '/'; comments start with '//' or '/*', found '/' "
            "followed by end of input");
  EXPECT_EQ(parseError("// \xFF\n1"), "line 1, column 4: invalid UTF-8 in a comment: byte 0xFF");
  EXPECT_TRUE(parseOk("/* nested /* is not special */ 1").isNumber());
  EXPECT_TRUE(parseOk("/**/1/***/").isNumber());
  EXPECT_EQ(parseError("/* a */ */ 1"),
            "line 1, column 9: expected a value (object, array, string, number, true, "
            "false or null), found '*'");
}

TEST(HuJson, Bom) {
  EXPECT_EQ(parseOk("\xEF\xBB\xBF[1]").items().size(), 1u);
  EXPECT_EQ(parseError("\xEF\xBB\xBF"), "line 1, column 1: the document is empty; expected a JSON value");
  // Only at the start.
  EXPECT_EQ(parseError("[\xEF\xBB\xBF 1]"),
            "line 1, column 2: expected a value (object, array, string, number, "
            "true, false or null), found '\xEF\xBB\xBF' (U+FEFF)");
}

TEST(HuJson, NestingLimit) {
  const auto nested = [](int depth, char open, char close) {
    return std::string(static_cast<std::size_t>(depth), open) + std::string(static_cast<std::size_t>(depth), close);
  };
  parseOk(nested(kMaxHuJsonDepth, '[', ']'));
  EXPECT_EQ(parseError(nested(kMaxHuJsonDepth + 1, '[', ']')),
            "line 1, column 201: arrays and objects are nested deeper than 200 levels");
  std::string objects;
  for (int i = 0; i < kMaxHuJsonDepth; ++i) objects += "{\"a\":";
  parseOk(objects + "1" + std::string(kMaxHuJsonDepth, '}'));
  EXPECT_FALSE(parseHuJson(objects + "{}" + std::string(kMaxHuJsonDepth, '}')).has_value());
  // Deep input far beyond the limit fails cleanly instead of exhausting the stack.
  EXPECT_FALSE(parseHuJson(std::string(1'000'000, '[')).has_value());
}

TEST(HuJson, StringCharPosMapsDecodedOffsetsToSource) {
  const std::string doc = "\xEF\xBB\xBF{\n  \"p\": [\"node:os =~ 'x'\", \"a\\u00e9\\\"b\\ud83d\\ude00c\u00e9d\"],\n}";
  HuValue v = parseOk(doc);
  const HuValue& plain = v.find("p")->items()[0];
  EXPECT_EQ(plain.pos(), (SourcePos{2, 9}));
  EXPECT_EQ(stringCharPos(doc, plain, 0), (SourcePos{2, 10}));
  EXPECT_EQ(stringCharPos(doc, plain, 8), (SourcePos{2, 18}));                        // the '=~'
  EXPECT_EQ(stringCharPos(doc, plain, plain.asString().size()), (SourcePos{2, 24}));  // closing quote
  EXPECT_EQ(stringCharPos(doc, plain, 1000), (SourcePos{2, 24}));

  // a \u00e9 \" b \ud83d\ude00 c é d: decoded "a" "é"(2 bytes) "\"" "b" "😀"(4) "c" "é"(2) "d"
  const HuValue& escaped = v.find("p")->items()[1];
  EXPECT_EQ(escaped.asString(),
            "a\xC3\xA9\"b\xF0\x9F\x98\x80"
            "c\xC3\xA9"
            "d");
  const int col = escaped.pos().column;
  EXPECT_EQ(stringCharPos(doc, escaped, 0), (SourcePos{2, col + 1}));    // a
  EXPECT_EQ(stringCharPos(doc, escaped, 1), (SourcePos{2, col + 2}));    // \u00e9
  EXPECT_EQ(stringCharPos(doc, escaped, 3), (SourcePos{2, col + 8}));    // \"
  EXPECT_EQ(stringCharPos(doc, escaped, 4), (SourcePos{2, col + 10}));   // b
  EXPECT_EQ(stringCharPos(doc, escaped, 5), (SourcePos{2, col + 11}));   // the surrogate pair
  EXPECT_EQ(stringCharPos(doc, escaped, 9), (SourcePos{2, col + 23}));   // c
  EXPECT_EQ(stringCharPos(doc, escaped, 10), (SourcePos{2, col + 24}));  // é, one column
  EXPECT_EQ(stringCharPos(doc, escaped, 12), (SourcePos{2, col + 25}));  // d

  // Not a string, or not from this document: the value's own position.
  EXPECT_EQ(stringCharPos(doc, *v.find("p"), 3), v.find("p")->pos());
  EXPECT_EQ(stringCharPos("[]", plain, 3), plain.pos());
}

TEST(HuJson, ToJson) {
  HuValue doc = parseOk(kPolicy);
  nlohmann::json j = toJson(doc);
  EXPECT_EQ(j["groups"]["group:eng"], nlohmann::json({"alice@example.com", "bob@example.com"}));
  EXPECT_EQ(j["postures"]["posture:latest"][1], "sentinelOne:activeThreats == 0");
  EXPECT_EQ(j["acls"][0]["srcPosture"][0], "posture:latest");
  EXPECT_TRUE(j["z"].is_number_integer());
  EXPECT_TRUE(j["n"].is_number_float());
  EXPECT_EQ(j["t"], true);
  EXPECT_TRUE(j["nil"].is_null());

  nlohmann::json nums = toJson(parseOk("[9007199254740993, -5, 18446744073709551615, 1e2, 1.0, 36893488147419103232]"));
  EXPECT_EQ(nums[0].get<std::int64_t>(), 9007199254740993);  // exact, not rounded through double
  EXPECT_EQ(nums[1].get<std::int64_t>(), -5);
  EXPECT_TRUE(nums[2].is_number_unsigned());
  EXPECT_TRUE(nums[3].is_number_float());
  EXPECT_TRUE(nums[4].is_number_float());
  EXPECT_TRUE(nums[5].is_number_float());  // beyond uint64
}

// The parser must fail cleanly (never crash or over-read) on any prefix of a
// valid document and on arbitrary bytes. Run under ASan to catch over-reads.
TEST(HuJson, EveryTruncationFailsCleanly) {
  const std::string doc = std::string("\xEF\xBB\xBF") + kPolicy;
  for (std::size_t n = 0; n < doc.size(); ++n) {
    // Copy so that a read past the end of the view would leave the allocation
    // (and is caught by ASan) instead of reading the rest of `doc`.
    const std::string prefix = doc.substr(0, n);
    auto v = parseHuJson(prefix);
    if (v) {
      // Only a prefix that ends after the closing '}' (plus whitespace) parses.
      EXPECT_GE(n, doc.rfind('}') + 1) << "prefix of " << n << " bytes parsed";
    } else {
      EXPECT_EQ(v.error().message.rfind("line ", 0), 0u) << v.error().message;
    }
  }
  EXPECT_TRUE(parseHuJson(doc).has_value());
}

TEST(HuJson, RandomBytesAndMutationsNeverCrash) {
  std::mt19937 rng(12345);
  const std::string alphabet = "{}[],:\"\\/*-+.0123456789eEtrufalsn \t\n\r'\x01\xC3\xA9\xFF\xF0u";
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const std::size_t len = rng() % 64;
    for (std::size_t i = 0; i < len; ++i) {
      input += (round % 2 == 0) ? static_cast<char>(rng() & 0xFF) : alphabet[rng() % alphabet.size()];
    }
    auto v = parseHuJson(input);
    if (!v) {
      EXPECT_EQ(v.error().message.rfind("line ", 0), 0u);
    }
  }
  // Single-byte mutations of the valid document.
  const std::string doc = kPolicy;
  for (int round = 0; round < 2000; ++round) {
    std::string input = doc;
    input[rng() % input.size()] = static_cast<char>(rng() & 0xFF);
    auto v = parseHuJson(input);
    if (!v) {
      EXPECT_EQ(v.error().message.rfind("line ", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace postured::policy
