#include "api/device_import.h"

#include <algorithm>
#include <unordered_set>

#include "core/hardware_address.h"
#include "core/ip.h"
#include "core/random.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;

namespace {

constexpr std::size_t kMaxFieldLength = 256;

core::Result<std::string> optionalString(const Json& entry, const char* name, const std::string& prefix,
                                         std::size_t maxLength = kMaxFieldLength) {
  if (!entry.contains(name) || entry[name].is_null()) return std::string();
  if (!entry[name].is_string()) return fail(ErrorKind::kInvalidArgument, "must be a string", joinField(prefix, name));
  auto value = entry[name].get<std::string>();
  if (value.size() > maxLength)
    return fail(ErrorKind::kInvalidArgument, "must be at most " + std::to_string(maxLength) + " characters",
                joinField(prefix, name));
  return value;
}

core::Result<std::vector<std::string>> optionalStringList(const Json& entry, const char* name,
                                                          const std::string& prefix) {
  std::vector<std::string> out;
  if (!entry.contains(name) || entry[name].is_null()) return out;
  const auto field = joinField(prefix, name);
  if (!entry[name].is_array()) return fail(ErrorKind::kInvalidArgument, "must be a list of strings", field);
  if (entry[name].size() > 64) return fail(ErrorKind::kInvalidArgument, "must have at most 64 entries", field);
  for (std::size_t i = 0; i < entry[name].size(); ++i) {
    const auto& item = entry[name][i];
    const auto itemField = field + "[" + std::to_string(i) + "]";
    if (!item.is_string()) return fail(ErrorKind::kInvalidArgument, "must be a string", itemField);
    auto s = item.get<std::string>();
    if (s.size() > kMaxFieldLength)
      return fail(ErrorKind::kInvalidArgument, "must be at most 256 characters", itemField);
    out.push_back(std::move(s));
  }
  return out;
}

std::string trim(std::string s) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

core::Result<DeviceSpec> parseEntry(const Json& entry, const std::string& prefix) {
  if (!entry.is_object()) return fail(ErrorKind::kInvalidArgument, "must be an object", prefix);
  if (auto ok = rejectUnknownFields(entry,
                                    {"hostname", "user", "tags", "addresses", "os", "osVersion", "clientVersion",
                                     "serialNumbers", "macAddresses"},
                                    prefix);
      !ok)
    return tl::unexpected(ok.error());

  DeviceSpec spec;
  auto& d = spec.device;
  auto hostname = optionalString(entry, "hostname", prefix);
  if (!hostname) return tl::unexpected(hostname.error());
  if (hostname->empty()) return fail(ErrorKind::kInvalidArgument, "is required", joinField(prefix, "hostname"));
  if (auto ok = validateHostname(*hostname, joinField(prefix, "hostname")); !ok) return tl::unexpected(ok.error());
  d.hostname = std::move(*hostname);

  auto user = optionalString(entry, "user", prefix);
  if (!user) return tl::unexpected(user.error());
  auto tags = optionalStringList(entry, "tags", prefix);
  if (!tags) return tl::unexpected(tags.error());
  if (user->empty() == tags->empty())
    return fail(ErrorKind::kInvalidArgument,
                "a device is owned by a user or by tags: give exactly one of \"user\" and \"tags\"",
                user->empty() ? joinField(prefix, "user") : joinField(prefix, "tags"));
  if (!user->empty()) {
    if (auto ok = validateLogin(*user, joinField(prefix, "user")); !ok) return tl::unexpected(ok.error());
    d.user = std::move(*user);
  }
  for (std::size_t i = 0; i < tags->size(); ++i) {
    const auto& tag = (*tags)[i];
    if (auto ok = validateTag(tag, joinField(prefix, "tags") + "[" + std::to_string(i) + "]"); !ok)
      return tl::unexpected(ok.error());
    if (std::find(d.tags.begin(), d.tags.end(), tag) == d.tags.end()) d.tags.push_back(tag);
  }

  auto addresses = optionalStringList(entry, "addresses", prefix);
  if (!addresses) return tl::unexpected(addresses.error());
  for (std::size_t i = 0; i < addresses->size(); ++i) {
    const auto field = joinField(prefix, "addresses") + "[" + std::to_string(i) + "]";
    const auto& text = (*addresses)[i];
    if (auto v4 = core::parseIpv4(text)) {
      if (!core::inTailnetIpv4Range(*v4))
        return fail(ErrorKind::kInvalidArgument, "IPv4 address " + text + " is outside the tailnet's 100.64.0.0/10",
                    field);
      if (core::isReservedTailnetIpv4(*v4))
        return fail(ErrorKind::kInvalidArgument,
                    "IPv4 address " + text + " is reserved and cannot be given to a device", field);
      if (!d.ipv4.empty()) return fail(ErrorKind::kInvalidArgument, "only one IPv4 address per device", field);
      d.ipv4 = core::formatIpv4(*v4);
    } else if (auto v6 = core::parseIpv6(text)) {
      if (!core::inTailnetIpv6Range(*v6))
        return fail(ErrorKind::kInvalidArgument,
                    "IPv6 address " + text + " is outside the tailnet's fd7a:115c:a1e0::/48", field);
      if (!d.ipv6.empty()) return fail(ErrorKind::kInvalidArgument, "only one IPv6 address per device", field);
      d.ipv6 = core::formatIpv6(*v6);
    } else {
      return fail(ErrorKind::kInvalidArgument, "\"" + text + "\" is not an IP address", field);
    }
  }

  for (auto [name, target] :
       {std::pair{"os", &d.os}, std::pair{"osVersion", &d.osVersion}, std::pair{"clientVersion", &d.clientVersion}}) {
    auto value = optionalString(entry, name, prefix, 128);
    if (!value) return tl::unexpected(value.error());
    *target = std::move(*value);
  }

  auto serials = optionalStringList(entry, "serialNumbers", prefix);
  if (!serials) return tl::unexpected(serials.error());
  for (std::size_t i = 0; i < serials->size(); ++i) {
    auto serial = trim((*serials)[i]);
    if (serial.empty())
      return fail(ErrorKind::kInvalidArgument, "serial numbers must not be blank",
                  joinField(prefix, "serialNumbers") + "[" + std::to_string(i) + "]");
    d.serialNumbers.push_back(std::move(serial));
  }
  auto macs = optionalStringList(entry, "macAddresses", prefix);
  if (!macs) return tl::unexpected(macs.error());
  for (std::size_t i = 0; i < macs->size(); ++i) {
    auto mac = normaliseMacAddress((*macs)[i], joinField(prefix, "macAddresses") + "[" + std::to_string(i) + "]");
    if (!mac) return tl::unexpected(mac.error());
    if (std::find(d.macAddresses.begin(), d.macAddresses.end(), *mac) == d.macAddresses.end())
      d.macAddresses.push_back(std::move(*mac));
  }
  std::sort(d.macAddresses.begin(), d.macAddresses.end());
  d.postureIdentityDisabled = d.serialNumbers.empty() && d.macAddresses.empty();
  return spec;
}

}  // namespace

core::Result<void> validateHostname(const std::string& h, const std::string& field) {
  if (h.empty() || h.size() > 63)
    return fail(ErrorKind::kInvalidArgument, "host name must be 1 to 63 characters", field);
  for (char c : h)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return fail(ErrorKind::kInvalidArgument,
                  "host name \"" + h + "\" may contain only letters, digits and hyphens (it becomes a DNS label)",
                  field);
  if (h.front() == '-' || h.back() == '-')
    return fail(ErrorKind::kInvalidArgument, "host name \"" + h + "\" must not start or end with a hyphen", field);
  return {};
}

core::Result<void> validateLogin(const std::string& login, const std::string& field) {
  const auto at = login.find('@');
  const bool spaces = login.find_first_of(" \t\r\n") != std::string::npos;
  if (at == std::string::npos || at == 0 || at + 1 == login.size() || spaces)
    return fail(ErrorKind::kInvalidArgument, "\"" + login + "\" is not a login name such as alice@example.com", field);
  return {};
}

core::Result<void> validateTag(const std::string& tag, const std::string& field) {
  constexpr std::string_view kPrefix = "tag:";
  bool ok = tag.size() > kPrefix.size() && tag.compare(0, kPrefix.size(), kPrefix) == 0 &&
            std::isalpha(static_cast<unsigned char>(tag[kPrefix.size()]));
  for (std::size_t i = kPrefix.size(); ok && i < tag.size(); ++i)
    ok = std::isalnum(static_cast<unsigned char>(tag[i])) || tag[i] == '-' || tag[i] == '_';
  if (!ok)
    return fail(ErrorKind::kInvalidArgument,
                "\"" + tag + "\" is not a tag: write \"tag:\" then a letter, then letters, digits, - or _", field);
  return {};
}

core::Result<std::string> normaliseMacAddress(const std::string& mac, const std::string& field) {
  auto normalised = core::normaliseHardwareAddress(mac);
  if (!normalised)
    return fail(ErrorKind::kInvalidArgument, "\"" + mac + "\" is not a MAC address like aa:bb:cc:dd:ee:ff", field);
  return std::move(*normalised);
}

core::Result<std::vector<DeviceSpec>> parseDeviceImport(const Json& body) {
  if (!body.is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  if (auto ok = rejectUnknownFields(body, {"devices"}, ""); !ok) return tl::unexpected(ok.error());
  if (!body.contains("devices") || !body["devices"].is_array())
    return fail(ErrorKind::kInvalidArgument, "must be a list of devices", "devices");
  const auto& list = body["devices"];
  if (list.empty()) return fail(ErrorKind::kInvalidArgument, "must contain at least one device", "devices");
  if (list.size() > kMaxImportDevices)
    return fail(ErrorKind::kInvalidArgument,
                "at most " + std::to_string(kMaxImportDevices) + " devices per request; split the import", "devices");
  std::vector<DeviceSpec> specs;
  specs.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto spec = parseEntry(list[i], "devices[" + std::to_string(i) + "]");
    if (!spec) return tl::unexpected(spec.error());
    specs.push_back(std::move(*spec));
  }
  return specs;
}

core::Result<std::vector<core::Device>> createDevices(store::WriteTx& tx, std::vector<DeviceSpec> specs,
                                                      const ChangeContext& context, AddressAssignment assignment) {
  const bool allocate = assignment == AddressAssignment::kAllocate;
  auto used = tx.usedAddresses();
  if (!used) return tl::unexpected(used.error());
  auto hint = tx.setting("ipam.last_ipv4");
  if (!hint) return tl::unexpected(hint.error());
  const auto last = *hint ? core::parseIpv4(**hint) : std::nullopt;
  core::AddressAllocator allocator(std::move(used->ipv4), std::move(used->ipv6), last.value_or(core::kTailnetIpv4Base));

  // Claim every given address before allocating, so an allocated one never
  // collides with an address given later in the same batch.
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto field = "devices[" + std::to_string(i) + "].addresses";
    const auto& d = specs[i].device;
    if (!d.ipv4.empty())
      if (auto ok = allocator.claimIpv4(d.ipv4, field); !ok) return tl::unexpected(ok.error());
    if (!d.ipv6.empty())
      if (auto ok = allocator.claimIpv6(d.ipv6, field); !ok) return tl::unexpected(ok.error());
  }

  std::vector<core::Device> created;
  created.reserve(specs.size());
  for (auto& spec : specs) {
    auto& d = spec.device;
    d.id = core::newDeviceId();
    d.created = context.now;
    if (allocate && d.ipv4.empty()) {
      auto v4 = allocator.nextIpv4();
      if (!v4) return tl::unexpected(v4.error());
      d.ipv4 = std::move(*v4);
    }
    if (allocate && d.ipv6.empty()) {
      auto v6 = allocator.nextIpv6(d.ipv4);
      if (!v6) return tl::unexpected(v6.error());
      d.ipv6 = std::move(*v6);
    }
    if (auto ok = tx.insertDevice(d); !ok) return tl::unexpected(ok.error());
    auto event = context.event(core::AuditTarget{d.id, d.hostname, "NODE", ""}, "CREATE");
    auto snapshot = deviceToJson(d, "", true, nullptr, context.now);
    snapshot.erase("name");  // the name depends on the tailnet's name, which may change
    event.newJson = snapshot.dump();
    if (auto ok = tx.appendAudit(event); !ok) return tl::unexpected(ok.error());
    created.push_back(std::move(d));
  }
  if (auto ok = tx.putSetting("ipam.last_ipv4", core::formatIpv4(allocator.lastIpv4())); !ok)
    return tl::unexpected(ok.error());
  return created;
}

}  // namespace postured::api
