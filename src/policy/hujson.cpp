#include "policy/hujson.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <utility>

namespace postured::policy {

std::string describePos(SourcePos pos) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

std::string_view huKindName(HuKind kind) {
  switch (kind) {
    case HuKind::kNull:
      return "null";
    case HuKind::kBool:
      return "bool";
    case HuKind::kNumber:
      return "number";
    case HuKind::kString:
      return "string";
    case HuKind::kArray:
      return "array";
    case HuKind::kObject:
      return "object";
  }
  return "unknown";
}

HuValue HuValue::makeNull(SourcePos pos) {
  HuValue v;
  v.pos_ = pos;
  return v;
}

HuValue HuValue::makeBool(bool value, SourcePos pos) {
  HuValue v;
  v.kind_ = HuKind::kBool;
  v.bool_ = value;
  v.pos_ = pos;
  return v;
}

HuValue HuValue::makeNumber(double value, std::string raw, SourcePos pos) {
  HuValue v;
  v.kind_ = HuKind::kNumber;
  v.number_ = value;
  v.text_ = std::move(raw);
  v.pos_ = pos;
  return v;
}

HuValue HuValue::makeString(std::string value, SourcePos pos) {
  HuValue v;
  v.kind_ = HuKind::kString;
  v.text_ = std::move(value);
  v.pos_ = pos;
  return v;
}

HuValue HuValue::makeArray(std::vector<HuValue> items, SourcePos pos) {
  HuValue v;
  v.kind_ = HuKind::kArray;
  v.items_ = std::move(items);
  v.pos_ = pos;
  return v;
}

HuValue HuValue::makeObject(std::vector<HuMember> members, SourcePos pos) {
  HuValue v;
  v.kind_ = HuKind::kObject;
  v.members_ = std::move(members);
  v.pos_ = pos;
  return v;
}

namespace {
const std::string kEmpty;
}

const std::string& HuValue::numberText() const { return kind_ == HuKind::kNumber ? text_ : kEmpty; }

const std::string& HuValue::asString() const { return kind_ == HuKind::kString ? text_ : kEmpty; }

const HuMember* HuValue::findMember(std::string_view key) const {
  for (const auto& m : members_) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

const HuValue* HuValue::find(std::string_view key) const {
  const HuMember* m = findMember(key);
  return m ? &m->value : nullptr;
}

namespace {

// Length of the UTF-8 sequence starting at s[i] and its code point, or nullopt
// when the bytes there are not valid UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF are invalid, as in RFC 3629).
struct Utf8Char {
  std::size_t length;
  char32_t code;
};

std::optional<Utf8Char> decodeUtf8(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return Utf8Char{1, b0};
  std::size_t len = 0;
  char32_t code = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, code = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, code = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, code = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (s.size() - i < len) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (b & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
  return Utf8Char{len, code};
}

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string hexByte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

std::string codePointName(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
  }

  core::Result<HuValue> parseDocument() {
    if (!skipSpace()) return error();
    if (atEnd()) return fail(pos(), "the document is empty; expected a JSON value");
    auto value = parseValue(0);
    if (!value) return value;
    if (!skipSpace()) return error();
    if (!atEnd()) {
      return fail(pos(), "unexpected " + describeHere() +
                             " after the end of the top-level value; expected the end of "
                             "the document");
    }
    return value;
  }

 private:
  // --- position tracking ------------------------------------------------

  bool atEnd() const { return i_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[i_]; }
  char peekAt(std::size_t ahead) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }
  SourcePos pos() const { return SourcePos{line_, column_}; }

  // Moves past one byte; the column advances once per code point (UTF-8
  // continuation bytes do not count).
  void advance() {
    if (atEnd()) return;
    const auto b = static_cast<unsigned char>(text_[i_++]);
    if (b == '\n') {
      ++line_;
      column_ = 1;
    } else if ((b & 0xC0) != 0x80) {
      ++column_;
    }
  }
  void advance(std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) advance();
  }

  // --- errors ------------------------------------------------------------

  core::Result<HuValue> fail(SourcePos at, const std::string& message) {
    error_ = core::Error{core::ErrorKind::kInvalidArgument, describePos(at) + ": " + message, {}};
    return tl::unexpected<core::Error>(error_);
  }
  core::Result<HuValue> error() const { return tl::unexpected<core::Error>(error_); }
  bool setError(SourcePos at, const std::string& message) {
    error_ = core::Error{core::ErrorKind::kInvalidArgument, describePos(at) + ": " + message, {}};
    return false;
  }

  // What is at the current position, for "found ..." in messages.
  std::string describeHere() const {
    if (atEnd()) return "end of input";
    const auto b = static_cast<unsigned char>(text_[i_]);
    if (b == '\'') return "\"'\"";
    if (b >= 0x20 && b < 0x7F) return std::string("'") + static_cast<char>(b) + "'";
    if (b < 0x80) return "control character " + codePointName(b);
    auto c = decodeUtf8(text_, i_);
    if (!c) return "invalid UTF-8 byte " + hexByte(b);
    return "'" + std::string(text_.substr(i_, c->length)) + "' (" + codePointName(c->code) + ")";
  }

  // --- whitespace and comments -------------------------------------------

  // Skips whitespace and comments. False (with error_ set) on an unterminated
  // block comment, a stray '/' or invalid UTF-8 inside a comment.
  bool skipSpace() {
    while (!atEnd()) {
      const char c = text_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == '/') {
        const SourcePos start = pos();
        const char next = peekAt(1);
        if (next == '/') {
          advance(2);
          while (!atEnd() && text_[i_] != '\n') {
            if (!skipCommentChar()) return false;
          }
        } else if (next == '*') {
          advance(2);
          for (;;) {
            if (atEnd()) return setError(start, "unterminated block comment: '/*' without a closing '*/'");
            if (text_[i_] == '*' && peekAt(1) == '/') {
              advance(2);
              break;
            }
            if (!skipCommentChar()) return false;
          }
        } else {
          advance();
          std::string found = atEnd() ? "end of input" : describeHere();
          return setError(start, "unexpected '/'; comments start with '//' or '/*', found '/' followed by " + found);
        }
      } else {
        return true;
      }
    }
    return true;
  }

  bool skipCommentChar() {
    const auto c = decodeUtf8(text_, i_);
    if (!c)
      return setError(pos(), "invalid UTF-8 in a comment: byte " + hexByte(static_cast<unsigned char>(text_[i_])));
    advance(c->length);
    return true;
  }

  // --- values -------------------------------------------------------------

  core::Result<HuValue> parseValue(int depth) {
    const SourcePos start = pos();
    switch (peek()) {
      case '{':
        return parseObject(depth + 1);
      case '[':
        return parseArray(depth + 1);
      case '"': {
        std::string s;
        if (!parseString(s)) return error();
        return HuValue::makeString(std::move(s), start);
      }
      case 't':
        return parseLiteral("true", HuValue::makeBool(true, start));
      case 'f':
        return parseLiteral("false", HuValue::makeBool(false, start));
      case 'n':
        return parseLiteral("null", HuValue::makeNull(start));
      default:
        break;
    }
    const char c = peek();
    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
    if (atEnd()) return fail(start, "expected a value, found end of input");
    if (c == '\'') return fail(start, "strings must use double quotes, found \"'\"");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return failBareWord();
    if (c == ']' || c == '}' || c == ',') {
      return fail(start, "expected a value, found " + describeHere());
    }
    return fail(start,
                "expected a value (object, array, string, number, true, false or null), found " + describeHere());
  }

  core::Result<HuValue> parseLiteral(std::string_view word, HuValue value) {
    std::size_t n = 0;
    while (n < word.size() && peekAt(n) == word[n]) ++n;
    if (n == word.size() && !isIdentChar(peekAt(n))) {
      advance(n);
      return value;
    }
    return failBareWord();
  }

  // Names the whole bare word so "tru", "nil" or an unquoted name reads clearly.
  core::Result<HuValue> failBareWord() {
    std::size_t len = 0;
    while (len < 40 && isIdentChar(peekAt(len))) ++len;
    return fail(pos(), "expected a value, found '" + std::string(text_.substr(i_, len)) +
                           "' (strings need double "
                           "quotes; the literals are true, false and null)");
  }

  static bool isIdentChar(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
  }

  core::Result<HuValue> parseNumber() {
    const SourcePos start = pos();
    const std::size_t begin = i_;
    const auto isDigit = [](char ch) { return ch >= '0' && ch <= '9'; };
    if (peek() == '-') advance();
    if (!isDigit(peek())) return fail(pos(), "expected a digit in a number, found " + describeHere());
    if (peek() == '0' && isDigit(peekAt(1))) {
      return fail(start, "numbers must not have leading zeros");
    }
    while (isDigit(peek())) advance();
    if (peek() == '.') {
      advance();
      if (!isDigit(peek())) {
        return fail(pos(), "expected a digit after the decimal point, found " + describeHere());
      }
      while (isDigit(peek())) advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      advance();
      if (peek() == '+' || peek() == '-') advance();
      if (!isDigit(peek())) return fail(pos(), "expected a digit in the exponent, found " + describeHere());
      while (isDigit(peek())) advance();
    }
    const std::string_view raw = text_.substr(begin, i_ - begin);
    double value = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (ec == std::errc::result_out_of_range) {
      // Underflow (1e-400) is harmless and becomes zero, as in Go; overflow is an error.
      const auto e = raw.find_first_of("eE");
      const bool negativeExponent = e != std::string_view::npos && e + 1 < raw.size() && raw[e + 1] == '-';
      if (!negativeExponent) return fail(start, "number " + std::string(raw) + " is out of range");
      value = raw.front() == '-' ? -0.0 : 0.0;
    } else if (ec != std::errc() || end != raw.data() + raw.size() || !std::isfinite(value)) {
      return fail(start, "invalid number " + std::string(raw));
    }
    return HuValue::makeNumber(value, std::string(raw), start);
  }

  // Reads 4 hex digits of a \u escape.
  bool readHex4(char32_t& out) {
    out = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = peek();
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) {
        return setError(pos(), "expected 4 hex digits after \\u, found " + describeHere());
      }
      out = out * 16 + static_cast<char32_t>(digit);
      advance();
    }
    return true;
  }

  // Parses a string at the current '"' into `out`.
  bool parseString(std::string& out) {
    const SourcePos start = pos();
    advance();  // opening quote
    for (;;) {
      if (atEnd()) return setError(start, "unterminated string: no closing '\"' before the end of input");
      const auto b = static_cast<unsigned char>(text_[i_]);
      if (b == '"') {
        advance();
        return true;
      }
      if (b == '\n') return setError(start, "unterminated string: a line break before the closing '\"'");
      if (b < 0x20) {
        return setError(pos(), "control character " + codePointName(b) +
                                   " in a string; write it as an escape such as \\n, \\t or \\u00XX");
      }
      if (b == '\\') {
        const SourcePos escPos = pos();
        advance();
        if (atEnd()) return setError(start, "unterminated string: no closing '\"' before the end of input");
        const char e = text_[i_];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            advance();
            char32_t code = 0;
            if (!readHex4(code)) return false;
            if (code >= 0xDC00 && code <= 0xDFFF) {
              return setError(escPos, "invalid \\u escape: lone low surrogate " + codePointName(code));
            }
            if (code >= 0xD800 && code <= 0xDBFF) {
              if (peek() != '\\' || peekAt(1) != 'u') {
                return setError(escPos, "invalid \\u escape: high surrogate " + codePointName(code) +
                                            " must be followed by a \\u escape of a low surrogate");
              }
              advance(2);
              char32_t low = 0;
              if (!readHex4(low)) return false;
              if (low < 0xDC00 || low > 0xDFFF) {
                return setError(escPos, "invalid \\u escape: high surrogate " + codePointName(code) + " followed by " +
                                            codePointName(low) + " instead of a low surrogate");
              }
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            }
            appendUtf8(out, code);
            continue;  // readHex4 already advanced
          }
          default:
            return setError(escPos, "invalid escape '\\" +
                                        (static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7F
                                             ? std::string(1, e)
                                             : hexByte(static_cast<unsigned char>(e))) +
                                        "' in a string; the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
        }
        advance();
        continue;
      }
      const auto c = decodeUtf8(text_, i_);
      if (!c) return setError(pos(), "invalid UTF-8 in a string: byte " + hexByte(b));
      out.append(text_.substr(i_, c->length));
      advance(c->length);
    }
  }

  core::Result<HuValue> parseArray(int depth) {
    const SourcePos start = pos();
    if (depth > kMaxHuJsonDepth) {
      return fail(start, "arrays and objects are nested deeper than " + std::to_string(kMaxHuJsonDepth) + " levels");
    }
    advance();  // '['
    std::vector<HuValue> items;
    if (!skipSpace()) return error();
    while (peek() != ']') {
      if (atEnd())
        return fail(pos(), "unterminated array starting at " + describePos(start) +
                               "; expected a value "
                               "or ']', found end of input");
      if (peek() == ',') return fail(pos(), "expected a value or ']', found ','");
      auto item = parseValue(depth);
      if (!item) return item;
      items.push_back(std::move(*item));
      if (!skipSpace()) return error();
      if (peek() == ',') {
        advance();
        if (!skipSpace()) return error();
        continue;  // a trailing comma before ']' is allowed
      }
      if (peek() != ']') {
        if (atEnd()) {
          return fail(pos(), "unterminated array starting at " + describePos(start) +
                                 "; expected ',' or ']' after an array element, found end of input");
        }
        return fail(pos(), "expected ',' or ']' after an array element, found " + describeHere());
      }
    }
    advance();  // ']'
    return HuValue::makeArray(std::move(items), start);
  }

  core::Result<HuValue> parseObject(int depth) {
    const SourcePos start = pos();
    if (depth > kMaxHuJsonDepth) {
      return fail(start, "arrays and objects are nested deeper than " + std::to_string(kMaxHuJsonDepth) + " levels");
    }
    advance();  // '{'
    std::vector<HuMember> members;
    std::unordered_map<std::string, int> keyLines;
    if (!skipSpace()) return error();
    while (peek() != '}') {
      if (atEnd()) {
        return fail(pos(), "unterminated object starting at " + describePos(start) +
                               "; expected a key or '}', found end of input");
      }
      if (peek() != '"') {
        const std::string hint = peek() == '\''  ? " (keys need double quotes)"
                                 : peek() == ',' ? ""
                                                 : " (keys must be double-quoted strings)";
        return fail(pos(), "expected a string key or '}', found " + describeHere() + hint);
      }
      const SourcePos keyPos = pos();
      std::string key;
      if (!parseString(key)) return error();
      if (auto [it, inserted] = keyLines.emplace(key, keyPos.line); !inserted) {
        return fail(keyPos, "duplicate key \"" + key + "\" in the object: first at line " + std::to_string(it->second) +
                                ", again at line " + std::to_string(keyPos.line));
      }
      if (!skipSpace()) return error();
      if (peek() != ':') return fail(pos(), "expected ':' after the key \"" + key + "\", found " + describeHere());
      advance();
      if (!skipSpace()) return error();
      auto value = parseValue(depth);
      if (!value) return value;
      members.push_back(HuMember{std::move(key), keyPos, std::move(*value)});
      if (!skipSpace()) return error();
      if (peek() == ',') {
        advance();
        if (!skipSpace()) return error();
        continue;  // a trailing comma before '}' is allowed
      }
      if (peek() != '}') {
        if (atEnd()) {
          return fail(pos(), "unterminated object starting at " + describePos(start) +
                                 "; expected ',' or '}' after an object member, found end of input");
        }
        return fail(pos(), "expected ',' or '}' after an object member, found " + describeHere());
      }
    }
    advance();  // '}'
    return HuValue::makeObject(std::move(members), start);
  }

  std::string_view text_;
  std::size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
  core::Error error_;
};

}  // namespace

core::Result<HuValue> parseHuJson(std::string_view text) { return Parser(text).parseDocument(); }

SourcePos stringCharPos(std::string_view document, const HuValue& value, std::size_t offset) {
  const SourcePos start = value.pos();
  if (!value.isString()) return start;
  // Find the byte where the string starts: its line, then its column in code points.
  std::size_t i = document.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (int line = 1; line < start.line; ++line) {
    i = document.find('\n', i);
    if (i == std::string_view::npos) return start;
    ++i;
  }
  for (int column = 1; column < start.column; ++column) {
    if (i >= document.size() || document[i] == '\n') return start;
    ++i;
    while (i < document.size() && (static_cast<unsigned char>(document[i]) & 0xC0) == 0x80) ++i;
  }
  if (i >= document.size() || document[i] != '"') return start;
  // Walk the raw literal, counting decoded bytes; the parser already validated it.
  SourcePos pos{start.line, start.column + 1};
  ++i;
  std::size_t decoded = 0;
  while (i < document.size() && document[i] != '"' && decoded < offset) {
    std::size_t raw = 1;
    std::size_t bytes = 1;
    if (document[i] == '\\') {
      raw = 2;
      if (i + 1 < document.size() && document[i + 1] == 'u') {
        raw = 6;
        unsigned code = 0;
        for (std::size_t k = i + 2; k < i + 6 && k < document.size(); ++k) {
          const char h = document[k];
          code = code * 16 + static_cast<unsigned>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (code >= 0xD800 && code <= 0xDBFF) {
          raw = 12, bytes = 4;  // a surrogate pair is one 4-byte character
        } else {
          bytes = code < 0x80 ? 1 : (code < 0x800 ? 2 : 3);
        }
      }
      pos.column += static_cast<int>(raw);
    } else {
      const auto c = decodeUtf8(document, i);
      raw = bytes = c ? c->length : 1;
      pos.column += 1;
    }
    i += raw;
    decoded += bytes;
  }
  return pos;
}

nlohmann::json toJson(const HuValue& value) {
  switch (value.kind()) {
    case HuKind::kNull:
      return nullptr;
    case HuKind::kBool:
      return value.asBool();
    case HuKind::kNumber: {
      const std::string& raw = value.numberText();
      if (raw.find_first_of(".eE") == std::string::npos) {
        const char* b = raw.data();
        const char* e = raw.data() + raw.size();
        std::int64_t i = 0;
        if (auto [p, ec] = std::from_chars(b, e, i); ec == std::errc() && p == e) return i;
        std::uint64_t u = 0;
        if (auto [p, ec] = std::from_chars(b, e, u); ec == std::errc() && p == e) return u;
      }
      return value.asNumber();
    }
    case HuKind::kString:
      return value.asString();
    case HuKind::kArray: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : value.items()) out.push_back(toJson(item));
      return out;
    }
    case HuKind::kObject: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& m : value.members()) out[m.key] = toJson(m.value);
      return out;
    }
  }
  return nullptr;
}

}  // namespace postured::policy
