#include "integrations/sentinelone/agents_request.h"

namespace postured::integrations::sentinelone {

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string agentsPageUrl(std::string_view consoleUrl, const std::optional<std::string>& cursor) {
  std::string url(consoleUrl);
  url += "/web/api/v2.1/agents?limit=" + std::to_string(kPageSize) + "&isDecommissioned=false";
  if (cursor) url += "&cursor=" + percentEncode(*cursor);
  return url;
}

}  // namespace postured::integrations::sentinelone
