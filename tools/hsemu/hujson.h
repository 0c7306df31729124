// HuJSON (JSON with comments and trailing commas) parsed into a document
// tree, the way tailscale/hujson's Parse reads it: the same grammar, and
// errors worded as it words them ("line 3, column 7: invalid character
// ']' after object value (expecting ',' or '}')"), so the policy parsers
// can report syntax errors as headscale does. Members keep their order and
// duplicates; what a duplicate means is the decoder's business.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace postured::hsemu::hujson {

enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

struct Member;

struct Value {
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // a number's literal, or a string's decoded UTF-8
  std::vector<Value> items;
  std::vector<Member> members;
};

struct Member {
  std::string name;  // decoded
  Value value;
};

// Parses one value surrounded by optional whitespace and comments. The
// error message is hujson's, without any prefix.
core::Result<Value> parse(std::string_view text);

// The JSON kind as Go's JSON packages name it in errors ("string", "number").
std::string_view kindName(Kind kind);

}  // namespace postured::hsemu::hujson
