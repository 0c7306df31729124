// Reads a secret (an auth key, an API key) from a file an operator wrote:
// trimmed of surrounding whitespace, refused when every user of the machine
// may read it, accepted with a warning when its group may. The secret never
// appears in an error.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace postured::core {

struct SecretFileNames {
  std::string what;   // "auth key", "headscale API key"
  std::string field;  // the flag or key that named the file: "auth-key-file", "headscale_api_key_file"
};

// Errors are kInvalidArgument with field `names.field`; a group-readable
// file adds a line to `warnings`.
Result<std::string> readSecretFile(const std::string& path, const SecretFileNames& names,
                                   std::vector<std::string>& warnings);

}  // namespace postured::core
