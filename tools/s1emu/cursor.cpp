#include "cursor.h"

#include <array>

namespace postured::s1emu {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kPrefix = "agent_id:";
constexpr std::size_t kMaxCursorLength = 256;

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) chunk |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) chunk |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::optional<std::string> unbase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > kMaxCursorLength) return std::nullopt;
  std::string out;
  std::uint32_t chunk = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    // A client that puts the cursor into the URL without percent-encoding
    // it has its '+' decoded to a space by the query parser.
    if (c == ' ') c = '+';
    if (c == '=') {
      if (i + 2 < in.size()) return std::nullopt;
      ++padding;
      continue;
    }
    if (padding) return std::nullopt;
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    chunk = (chunk << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((chunk >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

std::optional<std::uint64_t> parseAgentId(std::string_view digits) {
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  // int64 range: SentinelOne ids are signed 64-bit numbers in text.
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return value;
}

std::string encodeCursor(std::uint64_t lastId) { return base64(std::string(kPrefix) + std::to_string(lastId)); }

std::optional<std::uint64_t> decodeCursor(std::string_view cursor) {
  const auto text = unbase64(cursor);
  if (!text || text->compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  return parseAgentId(std::string_view(*text).substr(kPrefix.size()));
}

}  // namespace postured::s1emu
