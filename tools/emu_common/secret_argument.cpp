#include "secret_argument.h"

#include <fstream>
#include <sstream>

namespace postured::emu {

bool validSecret(const std::string& secret) {
  return !secret.empty() && secret.find_first_of(" \t\r\n") == std::string::npos;
}

std::optional<std::string> readSecretArgument(const std::string& flag, const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return flag + " " + path + ": cannot open the file";
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (!validSecret(out))
    return flag + " " + path + ": the file must hold one value (no spaces), optionally followed by a newline";
  return std::nullopt;
}

}  // namespace postured::emu
