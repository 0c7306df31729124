#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "api/change_context.h"
#include "api/json_shapes.h"
#include "core/api_key.h"

namespace postured::app {

using core::ErrorKind;
using core::fail;

core::Result<void> ensureDataDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return {};
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::kInternal, "cannot create data dir " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return {};
}

namespace {

// Writes via a temporary file and rename, so admin.key is never half-written.
core::Result<void> writePrivateFile(const std::string& path, const std::string& content) {
  const auto tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorKind::kInternal, "cannot create " + tmp + ": " + std::strerror(errno));
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorKind::kInternal, "cannot write " + path + ": " + std::strerror(errno));
  }
  return {};
}

constexpr const char* kAdminKeySetting = "bootstrap.admin_key_id";

}  // namespace

core::Result<std::string> ensureAdminKey(store::Store& store, const std::string& dataDir, core::Timestamp now) {
  auto tx = store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto existing = (*tx)->setting(kAdminKeySetting);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing) return std::string();

  // The operator's key of last resort: it does not expire (100 years).
  auto key = core::generateApiKey("admin (created at first start)", {"all"}, now,
                                  now + std::chrono::hours(24 * 365 * 100));
  api::ChangeContext change(core::AuditActor{"postured", "AUTOMATED_WORKER", "postured", "postured"}, "CONTROL", now);
  auto event = change.event(core::AuditTarget{key.record.id, key.record.description, "API_KEY", ""}, "CREATE");
  event.newJson = api::apiKeyToJson(key.record).dump();
  if (auto ok = (*tx)->insertApiKey(key.record); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->putSetting(kAdminKeySetting, key.record.id); !ok) return tl::unexpected(ok.error());
  // The file first: if the commit then fails, the next start makes a new key and overwrites it.
  if (auto ok = writePrivateFile(dataDir + "/admin.key", key.secret + "\n"); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return key.secret;
}

}  // namespace postured::app
