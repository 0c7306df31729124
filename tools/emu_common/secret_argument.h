// An emulator's token or API key, given on the command line or in a file.
#pragma once

#include <optional>
#include <string>

namespace postured::emu {

// Non-empty and without whitespace.
bool validSecret(const std::string& secret);
// Reads the one secret `path` holds (a trailing newline is fine) into `out`;
// else the usage error, naming `flag` and the file.
std::optional<std::string> readSecretArgument(const std::string& flag, const std::string& path, std::string& out);

}  // namespace postured::emu
