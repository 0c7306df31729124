#include "policy/ports.h"

#include <charconv>
#include <string>

namespace postured::policy {
namespace {

using core::ErrorKind;

bool parsePort(std::string_view text, std::uint32_t& out) {
  if (text.empty() || text.size() > 5) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out <= 65535;
}

core::Result<PortRange> parseOneRange(std::string_view text) {
  const std::string quoted = "port range \"" + std::string(text) + "\": ";
  if (text == "*") return kAllPorts;
  const auto dash = text.find('-');
  const auto firstText = text.substr(0, dash);
  std::uint32_t first = 0;
  if (!parsePort(firstText, first)) return core::fail(ErrorKind::kInvalidArgument, quoted + "invalid first integer");
  std::uint32_t last = first;
  if (dash != std::string_view::npos && !parsePort(text.substr(dash + 1), last))
    return core::fail(ErrorKind::kInvalidArgument, quoted + "invalid last integer");
  if (first == 0) return core::fail(ErrorKind::kInvalidArgument, quoted + "first port must be >0, or use '*' for wildcard");
  if (last < first) return core::fail(ErrorKind::kInvalidArgument, quoted + "last port must be >= first port");
  return PortRange{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

}  // namespace

core::Result<std::vector<PortRange>> parsePortList(std::string_view text) {
  std::vector<PortRange> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    auto range = parseOneRange(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (!range) return tl::unexpected(range.error());
    out.push_back(*range);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace postured::policy
