#include "identity/device_identity.h"

#ifdef __linux__
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "identity/hardware_addrs.h"
#endif

namespace postured::identity {

namespace {

std::vector<std::string> values(const std::vector<SerialNumber>& serials, bool placeholder) {
  std::vector<std::string> out;
  for (const auto& s : serials)
    if (s.placeholder == placeholder) out.push_back(s.value);
  return out;
}

#ifdef __linux__
void readHostFacts(DeviceIdentity& id) {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) == 0)
    id.hostname = cleanFirmwareString(host);
  else
    id.problems.push_back("cannot read the host name: " + std::string(std::strerror(errno)));
  id.os = "linux";
  struct utsname uts {};
  if (uname(&uts) == 0)
    id.osVersion = cleanFirmwareString(uts.release);
  else
    id.problems.push_back("cannot read the kernel release: " + std::string(std::strerror(errno)));
}
#endif

}  // namespace

std::vector<std::string> DeviceIdentity::serialNumbers() const { return values(serials, false); }
std::vector<std::string> DeviceIdentity::placeholderSerials() const { return values(serials, true); }

DeviceIdentity collectIdentity(const IdentityOptions& options) {
  DeviceIdentity id;
  id.clientVersion = POSTURED_VERSION;
#ifdef __linux__
  auto serials = readSerialNumbers(options.sysfsRoot);
  id.serials = std::move(serials.serials);
  id.serialSource = serials.source;
  id.serialSourcePath = std::move(serials.sourcePath);
  id.problems = std::move(serials.problems);
  if (options.includeHwAddrs) {
    auto hw = readHardwareAddrs(options.sysfsRoot);
    id.ifaceHardwareAddrs = std::move(hw.addrs);
    id.problems.insert(id.problems.end(), hw.problems.begin(), hw.problems.end());
  }
  readHostFacts(id);
#else
  (void)options;
  id.problems.push_back("device identity collection is not supported on this platform yet (Linux only)");
#endif
  return id;
}

nlohmann::ordered_json toJson(const DeviceIdentity& identity) {
  nlohmann::ordered_json j;
  j["SerialNumbers"] = identity.serialNumbers();
  if (identity.ifaceHardwareAddrs) j["IfaceHardwareAddrs"] = *identity.ifaceHardwareAddrs;
  j["placeholderSerialNumbers"] = identity.placeholderSerials();
  j["serialSource"] = serialSourceName(identity.serialSource);
  j["hostname"] = identity.hostname;
  j["os"] = identity.os;
  j["osVersion"] = identity.osVersion;
  j["clientVersion"] = identity.clientVersion;
  j["problems"] = identity.problems;
  return j;
}

}  // namespace postured::identity
