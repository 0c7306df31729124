// HuJSON ("human JSON", the Tailscale policy file format): JSON plus `//` and
// `/* */` comments and trailing commas in arrays and objects. The parser keeps
// the source position of every value and object key so that policy errors can
// point at line:column.
//
// Positions are 1-based. A column counts UTF-8 code points (not bytes) from the
// start of the line, so it matches what editors show; a tab counts as one. Only
// '\n' starts a new line ("\r\n" works because '\r' is just whitespace). A UTF-8
// byte order mark at the start is skipped and does not count.
//
// Stricter than plain JSON parsers in ways that matter for a policy file:
// duplicate object keys, invalid UTF-8, lone surrogates in \u escapes, numbers
// that overflow a double and nesting deeper than kMaxHuJsonDepth are errors.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace postured::policy {

struct SourcePos {
  int line = 1;
  int column = 1;  // UTF-8 code points
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// "line 4, column 12" (used as the prefix of every error message).
std::string describePos(SourcePos pos);

enum class HuKind { kNull, kBool, kNumber, kString, kArray, kObject };

// "null", "bool", "number", "string", "array", "object".
std::string_view huKindName(HuKind kind);

struct HuMember;

// One parsed value. The accessors for another kind return an empty value
// (false, 0, "", empty list) rather than failing: check the kind first when the
// difference matters (policy validation does, to report type errors).
class HuValue {
 public:
  HuValue() = default;  // null at 1:1

  static HuValue makeNull(SourcePos pos);
  static HuValue makeBool(bool value, SourcePos pos);
  // `raw` is the number exactly as written ("1.50", "-0", "1e3").
  static HuValue makeNumber(double value, std::string raw, SourcePos pos);
  static HuValue makeString(std::string value, SourcePos pos);
  static HuValue makeArray(std::vector<HuValue> items, SourcePos pos);
  static HuValue makeObject(std::vector<HuMember> members, SourcePos pos);

  HuKind kind() const { return kind_; }
  SourcePos pos() const { return pos_; }  // of the value's first character
  std::string_view typeName() const { return huKindName(kind_); }

  bool isNull() const { return kind_ == HuKind::kNull; }
  bool isBool() const { return kind_ == HuKind::kBool; }
  bool isNumber() const { return kind_ == HuKind::kNumber; }
  bool isString() const { return kind_ == HuKind::kString; }
  bool isArray() const { return kind_ == HuKind::kArray; }
  bool isObject() const { return kind_ == HuKind::kObject; }

  bool asBool() const { return kind_ == HuKind::kBool && bool_; }
  double asNumber() const { return kind_ == HuKind::kNumber ? number_ : 0.0; }
  // The number's source text; lets callers tell 80 from 80.0 or reject 1e2 as a port.
  const std::string& numberText() const;
  const std::string& asString() const;  // decoded (escapes resolved), UTF-8

  const std::vector<HuValue>& items() const { return items_; }       // arrays, in source order
  const std::vector<HuMember>& members() const { return members_; }  // objects, in source order

  // The member with exactly this key (case-sensitive, like JSON), or nullptr
  // (also when this is not an object). Keys are unique: the parser rejects duplicates.
  const HuValue* find(std::string_view key) const;
  const HuMember* findMember(std::string_view key) const;

 private:
  HuKind kind_ = HuKind::kNull;
  SourcePos pos_;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;  // string value, or the raw text of a number
  std::vector<HuValue> items_;
  std::vector<HuMember> members_;
};

struct HuMember {
  std::string key;
  SourcePos keyPos;  // of the key's opening quote
  HuValue value;
};

inline constexpr int kMaxHuJsonDepth = 200;  // nested arrays/objects

// Parses a whole document (one value, surrounded only by whitespace and
// comments). Errors have kind kInvalidArgument and a message of the form
// "line L, column C: <what was wrong>, found <what>" (for example
// "line 4, column 12: expected ',' or '}' after an object member, found '\"'").
// Never reads outside `text`, whatever it holds.
core::Result<HuValue> parseHuJson(std::string_view text);

// The source position of the character at byte `offset` of a string value's
// decoded text (offset == size: the closing quote), given the document the
// value was parsed from. Escapes count as written ("\u00e9" is six columns), so
// an error found inside a string, such as a posture condition, can point at its
// exact line:column. Falls back to the string's own position when `value` is
// not a string of `document`.
SourcePos stringCharPos(std::string_view document, const HuValue& value, std::size_t offset);

// Plain JSON for code that does not need positions. Numbers written as
// integers that fit int64/uint64 become JSON integers, others doubles.
// Object keys end up sorted (nlohmann::json objects are ordered maps).
nlohmann::json toJson(const HuValue& value);

}  // namespace postured::policy
