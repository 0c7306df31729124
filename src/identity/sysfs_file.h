// Reading one small sysfs file, keeping why it could not be read: the user is
// told "missing" (a container, a VM without SMBIOS) apart from "permission
// denied" (run as root), because the advice differs.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace postured::identity {

enum class ReadStatus {
  kOk,
  kMissing,  // ENOENT, ENOTDIR
  kDenied,   // EACCES, EPERM
  kFailed,   // anything else, or larger than the limit; `reason` says which
};

struct FileRead {
  ReadStatus status = ReadStatus::kFailed;
  std::string content;  // the bytes read, when kOk
  std::string reason;   // lower-case cause ("permission denied", "larger than 1048576 bytes")
};

// Reads `path` whole, failing when it holds more than `maxBytes`.
FileRead readSysfsFile(const std::filesystem::path& path, std::size_t maxBytes);

}  // namespace postured::identity
