#include "core/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postured::core {

namespace {
void syncDirectoryOf(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}
}  // namespace

Result<void> writeFileDurably(const std::string& path, std::string_view content, unsigned mode, bool replace) {
  const auto tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail(ErrorKind::kInternal, "cannot create " + tmp + ": " + std::strerror(errno));
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  const int writeErrno = errno;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return fail(ErrorKind::kInternal, "cannot write " + tmp + ": " + std::strerror(writeErrno));
  }
  // link() refuses to replace an existing file; rename() replaces atomically.
  const int moved = replace ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
  const int moveErrno = errno;
  if (!replace || moved != 0) ::unlink(tmp.c_str());
  if (moved != 0) {
    if (moveErrno == EEXIST) return fail(ErrorKind::kConflict, path + " already exists");
    return fail(ErrorKind::kInternal, "cannot create " + path + ": " + std::strerror(moveErrno));
  }
  syncDirectoryOf(path);
  return {};
}

}  // namespace postured::core
