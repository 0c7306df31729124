// The server's data directory: created 0700 on first start, holding
// postured.db, secret.key (0600) and admin.key (0600).
#pragma once

#include <string>

#include "core/result.h"
#include "store/store.h"

namespace postured::app {

core::Result<void> ensureDataDir(const std::string& dir);

// On the first start of a store, creates the admin API key (scope "all"),
// writes it to <dir>/admin.key (0600) and returns its text so it can be shown
// once; on later starts returns "".
core::Result<std::string> ensureAdminKey(store::Store& store, const std::string& dataDir, core::Timestamp now);

}  // namespace postured::app
