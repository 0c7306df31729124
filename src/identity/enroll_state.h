// The enrollment agent's state directory (`postured enroll --state-dir`,
// default /var/lib/postured-agent, mode 0700): one file, state.json, mode
// 0600, holding the server the device enrolled with, its device id and its
// key pair ({"server", "deviceId", "nodeKey", "privateKey"}). It is written
// whole to a temporary file, fsynced and renamed into place, so a crash
// leaves the old state or the new one, never a torn file.
//
// The key pair is saved before the first registration (deviceId still
// empty): a registration that reached the server but whose answer was lost is
// retried with the same node key, and the server updates the device it made
// instead of making another. The auth key is never stored.
// Not thread-safe; one agent per state directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/device_signature.h"
#include "core/result.h"

namespace postured::identity {

inline constexpr std::string_view kDefaultStateDir = "/var/lib/postured-agent";
inline constexpr std::string_view kStateFileName = "state.json";

struct EnrollState {
  std::string server;    // as normaliseServerUrl() returns it
  std::string deviceId;  // empty until a registration succeeded
  core::DeviceKeyPair keys;
};

// "https://host:8443/" -> "https://host:8443". kInvalidArgument (field
// "server") unless it is an http:// or https:// URL with a host.
core::Result<std::string> normaliseServerUrl(std::string_view url);

// Creates `dir` (and its parents) when missing, `dir` itself with mode 0700.
// Returns warnings for a human (a directory that others may read or enter);
// fails when `dir` is not a directory or cannot be created.
core::Result<std::vector<std::string>> prepareStateDir(const std::filesystem::path& dir);

// The state in `dir`; nullopt when there is none yet. Fails with what is
// wrong and what to do (remove the file to enroll afresh) when the file
// cannot be read or is not a state this version wrote.
core::Result<std::optional<EnrollState>> loadEnrollState(const std::filesystem::path& dir);

// Replaces the state in `dir` atomically, mode 0600.
core::Result<void> saveEnrollState(const std::filesystem::path& dir, const EnrollState& state);

}  // namespace postured::identity
