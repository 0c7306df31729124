#include "identity/sysfs_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace postured::identity {

namespace {

FileRead failure(int error) {
  FileRead r;
  r.status = error == ENOENT || error == ENOTDIR ? ReadStatus::kMissing
             : error == EACCES || error == EPERM ? ReadStatus::kDenied
                                                 : ReadStatus::kFailed;
  r.reason = std::strerror(error);
  if (!r.reason.empty()) r.reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(r.reason[0])));
  return r;
}

}  // namespace

FileRead readSysfsFile(const std::filesystem::path& path, std::size_t maxBytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure(errno);
  FileRead r;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return failure(error);
    }
    if (n == 0) break;
    if (r.content.size() + static_cast<std::size_t>(n) > maxBytes) {
      ::close(fd);
      r.status = ReadStatus::kFailed;
      r.content.clear();
      r.reason = "larger than " + std::to_string(maxBytes) + " bytes";
      return r;
    }
    r.content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  r.status = ReadStatus::kOk;
  return r;
}

}  // namespace postured::identity
