#include "identity/hardware_addrs.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <system_error>

#include "core/hardware_address.h"
#include "identity/sysfs_file.h"

namespace postured::identity {

namespace {

constexpr std::size_t kMaxAddrBytes = 32;  // MAX_ADDR_LEN in the kernel
constexpr std::size_t kMaxAttrBytes = 256;
constexpr long kArphrdLoopback = 772;
constexpr unsigned long kIffLoopback = 0x8;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

// A numeric sysfs attribute ("772", "0x1003"); nullopt when absent or unparsable.
std::optional<unsigned long> readNumber(const std::filesystem::path& path, int base) {
  const auto file = readSysfsFile(path, kMaxAttrBytes);
  if (file.status != ReadStatus::kOk) return std::nullopt;
  auto text = trimmed(file.content);
  if (base == 16 && text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool isLoopback(const std::filesystem::path& iface) {
  if (iface.filename() == "lo") return true;
  if (readNumber(iface / "type", 10) == static_cast<unsigned long>(kArphrdLoopback)) return true;
  const auto flags = readNumber(iface / "flags", 16);
  return flags && (*flags & kIffLoopback) != 0;
}

}  // namespace

std::optional<std::string> normaliseHardwareAddr(std::string_view text) {
  return core::normaliseHardwareAddress(trimmed(text), 1, kMaxAddrBytes);
}

HardwareAddrReadout readHardwareAddrs(const std::filesystem::path& sysfsRoot) {
  HardwareAddrReadout out;
  const auto netDir = sysfsRoot / "class/net";
  std::error_code ec;
  std::filesystem::directory_iterator it(netDir, ec);
  if (ec) {
    out.problems.push_back("cannot list network interfaces in " + netDir.string() + ": " + ec.message());
    return out;
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto& iface = it->path();
    if (isLoopback(iface)) continue;
    // No address file: no hardware address, or the interface just went away.
    const auto address = readSysfsFile(iface / "address", kMaxAttrBytes);
    if (address.status != ReadStatus::kOk) continue;
    if (auto addr = normaliseHardwareAddr(address.content)) out.addrs.push_back(std::move(*addr));
  }
  if (ec) out.problems.push_back("cannot list network interfaces in " + netDir.string() + ": " + ec.message());
  std::sort(out.addrs.begin(), out.addrs.end());
  out.addrs.erase(std::unique(out.addrs.begin(), out.addrs.end()), out.addrs.end());
  return out;
}

}  // namespace postured::identity
