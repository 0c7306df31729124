#include "hujson.h"

#include <algorithm>

#include "core/hex.h"
#include "go_text.h"

namespace postured::hsemu::hujson {

namespace {

// A failure at a byte offset; parse() turns the offset into line:column.
struct Failure {
  std::size_t offset;
  std::string message;
};

bool isWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isLiteralChar(char c) {
  return c == '-' || c == '+' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool validNumber(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const auto start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const auto start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

void appendUtf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

int hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return -1;
  int value = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const int digit = core::hexDigitValue(s[at + k]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// Decodes a string literal including its quotes; false when it is not valid
// JSON (a control character, or a bad escape). Lone surrogates become U+FFFD
// as Go's decoders make them.
bool decodeString(std::string_view lit, std::string& out) {
  out.clear();
  for (std::size_t i = 1; i + 1 < lit.size(); ++i) {
    const auto c = static_cast<unsigned char>(lit[i]);
    if (c < 0x20) return false;
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    if (++i + 1 > lit.size() - 1) return false;
    switch (lit[i]) {
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
        int code = hex4(lit, i + 1);
        if (code < 0) return false;
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF && i + 6 < lit.size() && lit[i + 1] == '\\' && lit[i + 2] == 'u') {
          const int low = hex4(lit, i + 3);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;
        appendUtf8(out, static_cast<unsigned>(code));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : b_(text) {}

  // Parses the value at n with the whitespace and comments around it.
  Value parseNext(std::size_t& n) {
    consumeExtra(n);
    Value v = parseTrimmed(n);
    consumeExtra(n);
    return v;
  }

 private:
  // Thrown inside the parser only; parse() converts it into a Result.
  [[noreturn]] void failAt(std::size_t offset, std::string message) { throw Failure{offset, std::move(message)}; }

  void consumeExtra(std::size_t& n) {
    while (n < b_.size()) {
      if (isWhitespace(b_[n])) {
        ++n;
      } else if (b_[n] == '/' && n + 1 < b_.size() && (b_[n + 1] == '/' || b_[n + 1] == '*')) {
        // A line comment needs its newline, as hujson requires.
        const std::string_view end = b_[n + 1] == '/' ? "\n" : "*/";
        const auto close = b_.find(end, n + 2);
        if (close == std::string_view::npos) failAt(n, "parsing comment: unexpected EOF");
        n = close + end.size();
      } else {
        return;
      }
    }
  }

  Value parseTrimmed(std::size_t& n) {
    if (n == b_.size()) failAt(n, "parsing value: unexpected EOF");
    switch (b_[n]) {
      case '{':
        return parseObject(n);
      case '[':
        return parseArray(n);
      case '}':
        failAt(n, "invalid character '}' at start of value");
      case ']':
        failAt(n, "invalid character ']' at start of value");
      case '"':
        return parseString(n);
      default:
        return parseLiteral(n);
    }
  }

  Value parseObject(std::size_t& n) {
    Value obj;
    obj.kind = Kind::kObject;
    ++n;
    while (true) {
      consumeExtra(n);
      if (n < b_.size() && b_[n] == '}') {
        ++n;  // an empty object, or a trailing comma
        return obj;
      }
      const auto nameStart = n;
      Value name = parseTrimmed(n);
      if (name.kind != Kind::kString)
        failAt(nameStart, "invalid character " + goQuoteByte(static_cast<unsigned char>(b_[nameStart])) +
                              " at start of object name");
      consumeExtra(n);
      if (n == b_.size()) failAt(n, "parsing object after name: unexpected EOF");
      if (b_[n] != ':')
        failAt(n, "invalid character " + goQuoteByte(static_cast<unsigned char>(b_[n])) + " after object name");
      ++n;
      Value value = parseNext(n);
      obj.members.push_back(Member{std::move(name.text), std::move(value)});
      if (n == b_.size()) failAt(n, "parsing object after value: unexpected EOF");
      if (b_[n] == ',') {
        ++n;
      } else if (b_[n] == '}') {
        ++n;
        return obj;
      } else {
        failAt(n, "invalid character " + goQuoteByte(static_cast<unsigned char>(b_[n])) +
                      " after object value (expecting ',' or '}')");
      }
    }
  }

  Value parseArray(std::size_t& n) {
    Value arr;
    arr.kind = Kind::kArray;
    ++n;
    while (true) {
      consumeExtra(n);
      if (n < b_.size() && b_[n] == ']') {
        ++n;
        return arr;
      }
      arr.items.push_back(parseNext(n));
      if (n == b_.size()) failAt(n, "parsing array after value: unexpected EOF");
      if (b_[n] == ',') {
        ++n;
      } else if (b_[n] == ']') {
        ++n;
        return arr;
      } else {
        failAt(n, "invalid character " + goQuoteByte(static_cast<unsigned char>(b_[n])) +
                      " after array value (expecting ',' or ']')");
      }
    }
  }

  Value parseString(std::size_t& n) {
    const auto start = n++;
    bool escaped = false;
    while (true) {
      if (n == b_.size()) failAt(n, "parsing string: unexpected EOF");
      const char c = b_[n++];
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        break;
      }
    }
    const auto literal = b_.substr(start, n - start);
    Value v;
    v.kind = Kind::kString;
    if (!decodeString(literal, v.text)) failAt(start, "invalid literal: " + std::string(literal));
    return v;
  }

  Value parseLiteral(std::size_t& n) {
    const auto start = n;
    while (n < b_.size() && isLiteralChar(b_[n])) ++n;
    const auto literal = b_.substr(start, n - start);
    if (literal.empty())
      failAt(start, "invalid character " + goQuoteByte(static_cast<unsigned char>(b_[start])) + " at start of value");
    Value v;
    if (literal == "null") {
      v.kind = Kind::kNull;
    } else if (literal == "true" || literal == "false") {
      v.kind = Kind::kBool;
      v.boolean = literal == "true";
    } else if (validNumber(literal)) {
      v.kind = Kind::kNumber;
      v.text = std::string(literal);
    } else {
      failAt(start, "invalid literal: " + std::string(literal));
    }
    return v;
  }

  std::string_view b_;
};

}  // namespace

core::Result<Value> parse(std::string_view text) {
  std::size_t n = 0;
  try {
    Parser parser(text);
    Value v = parser.parseNext(n);
    if (n < text.size())
      throw Failure{n,
                    "invalid character " + goQuoteByte(static_cast<unsigned char>(text[n])) + " after top-level value"};
    return v;
  } catch (const Failure& failure) {
    const auto before = text.substr(0, failure.offset);
    const auto line = 1 + std::count(before.begin(), before.end(), '\n');
    const auto lastNewline = before.rfind('\n');
    const auto column = 1 + failure.offset - (lastNewline == std::string_view::npos ? 0 : lastNewline + 1);
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + failure.message);
  }
}

std::string_view kindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "value";
}

}  // namespace postured::hsemu::hujson
