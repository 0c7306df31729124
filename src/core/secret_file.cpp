#include "core/secret_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace postured::core {

namespace {

std::string trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

Result<std::string> readSecretFile(const std::string& path, const SecretFileNames& names,
                                   std::vector<std::string>& warnings) {
  const auto cannotRead = [&] {
    return fail(ErrorKind::kInvalidArgument,
                "cannot read the " + names.what + " file " + path + " (" + names.field + "): " + std::strerror(errno),
                names.field);
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return cannotRead();
  if (st.st_mode & 007)
    return fail(ErrorKind::kInvalidArgument,
                "the " + names.what + " file " + path + " is open to every user of this machine; chmod 600 " + path +
                    " and keep it that way",
                names.field);
  if (st.st_mode & 070)
    warnings.push_back("the " + names.what + " file " + path + " is readable by its group; chmod 600 " + path +
                       " unless that group is meant to use it");
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannotRead();
  std::stringstream ss;
  ss << in.rdbuf();
  auto secret = trimmed(ss.str());
  if (secret.empty())
    return fail(ErrorKind::kInvalidArgument, "the " + names.what + " file " + path + " is empty", names.field);
  return secret;
}

}  // namespace postured::core
