#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "api/json_shapes.h"
#include "core/api_key.h"
#include "core/change_context.h"
#include "core/files.h"

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

constexpr const char* kAdminKeySetting = "bootstrap.admin_key_id";

}  // namespace

core::Result<std::string> ensureAdminKey(store::Store& store, const std::string& dataDir, core::Timestamp now) {
  auto tx = store.write();
  if (!tx) return tl::unexpected(tx.error());
  auto existing = (*tx)->setting(kAdminKeySetting);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing) return std::string();

  // The operator's key of last resort: it does not expire (100 years).
  auto key =
      core::generateApiKey("admin (created at first start)", {"all"}, now, now + std::chrono::hours(24 * 365 * 100));
  core::ChangeContext change(core::AuditActor{"postured", "AUTOMATED_WORKER", "postured", "postured"}, "CONTROL", now);
  auto event = change.event(core::AuditTarget{key.record.id, key.record.description, "API_KEY", ""}, "CREATE");
  event.newJson = api::apiKeyToJson(key.record).dump();
  if (auto ok = (*tx)->insertApiKey(key.record); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->putSetting(kAdminKeySetting, key.record.id); !ok) return tl::unexpected(ok.error());
  // The file first: if the commit then fails, the next start makes a new key and overwrites it.
  if (auto ok = core::writeFileDurably(dataDir + "/admin.key", key.secret + "\n", 0600, /*replace=*/true); !ok)
    return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return key.secret;
}

}  // namespace postured::app
