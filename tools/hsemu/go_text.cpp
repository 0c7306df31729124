#include "go_text.h"

#include <cstdio>

namespace postured::hsemu {

namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not one.
std::size_t utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  unsigned min = 0;
  unsigned code = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2, min = 0x80, code = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3, min = 0x800, code = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4, min = 0x10000, code = c & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (next & 0x3Fu);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// The escape Go uses for an ASCII control character, or nullptr.
const char* shortEscape(unsigned char c) {
  switch (c) {
    case '\a':
      return "\\a";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\v':
      return "\\v";
    default:
      return nullptr;
  }
}

void appendHexEscape(std::string& out, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  out += buf;
}

}  // namespace

std::string goQuote(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (const char* escape = shortEscape(c)) {
        out += escape;
      } else if (c < 0x20 || c == 0x7F) {
        appendHexEscape(out, c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    if (const auto length = utf8SequenceLength(text, i)) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      appendHexEscape(out, c);
      ++i;
    }
  }
  out += '"';
  return out;
}

std::string goQuoteByte(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '\\') return "'\\\\'";
  if (const char* escape = shortEscape(c)) return std::string("'") + escape + "'";
  char buf[16];
  if (c < 0x20 || c == 0x7F) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", c);
    return buf;
  }
  if (c < 0x80) return std::string("'") + static_cast<char>(c) + "'";
  if (c < 0xA0) {  // C1 controls are not printable runes
    std::snprintf(buf, sizeof buf, "'\\u%04x'", c);
    return buf;
  }
  // A byte as %q is the rune of that value, written in UTF-8.
  std::string out = "'";
  out += static_cast<char>(0xC0 | (c >> 6));
  out += static_cast<char>(0x80 | (c & 0x3F));
  out += '\'';
  return out;
}

}  // namespace postured::hsemu
