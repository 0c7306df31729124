#include "identity/enroll_state.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/files.h"

namespace postured::identity {

using core::ErrorKind;
using core::fail;

namespace {

constexpr int kStateVersion = 1;

std::filesystem::path stateFile(const std::filesystem::path& dir) { return dir / kStateFileName; }

core::Error malformed(const std::filesystem::path& file, const std::string& what) {
  return core::Error{ErrorKind::kInvalidArgument,
                     "the enrollment state " + file.string() + " " + what +
                         "; remove it to enroll this machine afresh (with an auth key)",
                     ""};
}

}  // namespace

core::Result<std::string> normaliseServerUrl(std::string_view url) {
  std::string s(url);
  while (!s.empty() && s.back() == '/') s.pop_back();
  std::size_t hostStart = 0;
  if (s.starts_with("http://"))
    hostStart = 7;
  else if (s.starts_with("https://"))
    hostStart = 8;
  else
    return fail(ErrorKind::kInvalidArgument,
                "must start with http:// or https://, such as https://postured.example.com", "server");
  if (s.size() == hostStart || s[hostStart] == '/')
    return fail(ErrorKind::kInvalidArgument, "has no host name", "server");
  for (const char c : s)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '?' || c == '#')
      return fail(ErrorKind::kInvalidArgument, "must be a plain URL without spaces, query or fragment", "server");
  return s;
}

core::Result<std::vector<std::string>> prepareStateDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (dir.has_parent_path() && !dir.parent_path().empty()) std::filesystem::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return fail(ErrorKind::kInternal, "cannot create the state directory " + dir.string() + ": " +
                                            std::strerror(errno) +
                                            "; pass a writable --state-dir or run as a user who may create it");
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    return fail(ErrorKind::kInternal, "cannot open the state directory " + dir.string() + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorKind::kInvalidArgument, "--state-dir " + dir.string() + " exists and is not a directory");
  std::vector<std::string> warnings;
  if (st.st_mode & 077)
    warnings.push_back("the state directory " + dir.string() +
                       " is open to other users; it holds the device's private key: chmod 700 " + dir.string());
  return warnings;
}

core::Result<std::optional<EnrollState>> loadEnrollState(const std::filesystem::path& dir) {
  const auto file = stateFile(dir);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<EnrollState>();
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return fail(ErrorKind::kInternal, "cannot read the enrollment state " + file.string() + ": " +
                                          std::strerror(errno) + "; run as the user who enrolled this machine");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return tl::unexpected(malformed(file, "is not JSON"));
  if (!j.contains("version") || j["version"] != kStateVersion)
    return tl::unexpected(malformed(file, "was written by another version of postured"));
  for (const char* name : {"server", "deviceId", "nodeKey", "privateKey"})
    if (!j.contains(name) || !j[name].is_string())
      return tl::unexpected(malformed(file, std::string("has no \"") + name + "\""));
  auto keys = core::parseDeviceKeyPair(j["nodeKey"].get<std::string>(), j["privateKey"].get<std::string>());
  if (!keys) return tl::unexpected(malformed(file, "holds an unusable key pair (" + keys.error().message + ")"));
  EnrollState state{j["server"].get<std::string>(), j["deviceId"].get<std::string>(), std::move(*keys)};
  return std::optional<EnrollState>(std::move(state));
}

core::Result<void> saveEnrollState(const std::filesystem::path& dir, const EnrollState& state) {
  const nlohmann::json j = {{"version", kStateVersion},
                            {"server", state.server},
                            {"deviceId", state.deviceId},
                            {"nodeKey", state.keys.publicKey},
                            {"privateKey", state.keys.privateKey}};
  const auto file = stateFile(dir).string();
  // A temporary file left by a crash keeps its mode through O_TRUNC: start afresh.
  std::error_code ignored;
  std::filesystem::remove(file + ".tmp", ignored);
  auto written = core::writeFileDurably(file, j.dump(2) + "\n", 0600, true);
  if (!written)
    return fail(ErrorKind::kInternal,
                "cannot save the enrollment state: " + written.error().message + "; check --state-dir");
  return {};
}

}  // namespace postured::identity
