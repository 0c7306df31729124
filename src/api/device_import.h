// Validation of devices given through the import endpoint
// (POST /api/v2/tailnet/{t}/devices), our extension to Tailscale's API.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/change_context.h"
#include "api/json_shapes.h"
#include "core/device.h"
#include "store/store.h"

namespace postured::api {

using core::ChangeContext;

inline constexpr std::size_t kMaxImportDevices = 50'000;

// One validated entry; addresses are canonical text, empty when to be allocated.
struct DeviceSpec {
  core::Device device;
};

// Validates {"devices": [...]}: every entry, with errors naming
// "devices[i].field". Unknown fields are rejected.
core::Result<std::vector<DeviceSpec>> parseDeviceImport(const Json& body);

// Validators shared with other device writers (enrollment, reports).
core::Result<void> validateHostname(const std::string& hostname, const std::string& field);
core::Result<void> validateLogin(const std::string& login, const std::string& field);
core::Result<void> validateTag(const std::string& tag, const std::string& field);
// Lower-cases and checks "aa:bb:cc:dd:ee:ff".
core::Result<std::string> normaliseMacAddress(const std::string& mac, const std::string& field);

// Who gives devices their addresses: postured, or headscale (whose nodes
// bring theirs; a device postured makes then has only what it was given).
enum class AddressAssignment { kAllocate, kGivenOnly };
inline AddressAssignment addressAssignment(bool headscaleMode) {
  return headscaleMode ? AddressAssignment::kGivenOnly : AddressAssignment::kAllocate;
}

// Allocates missing addresses (kAllocate), inserts every device and appends
// one CREATE audit event each, all in `tx`. Returns the created devices.
core::Result<std::vector<core::Device>> createDevices(store::WriteTx& tx, std::vector<DeviceSpec> specs,
                                                      const ChangeContext& context,
                                                      AddressAssignment assignment = AddressAssignment::kAllocate);

}  // namespace postured::api
