// Crash-safe small files (keys): written to a temporary file, fsynced, moved
// into place, and the directory fsynced, so after a crash the file is either
// absent or complete.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace postured::core {

// Writes `content` to `path` with `mode`. With `replace` false, fails with
// kConflict when `path` already exists (and leaves it untouched).
Result<void> writeFileDurably(const std::string& path, std::string_view content, unsigned mode, bool replace);

}  // namespace postured::core
