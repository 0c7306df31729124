#include "emulator.h"

#include "core/files.h"
#include "state_file.h"

namespace postured::hsemu {

std::optional<PolicyMode> parsePolicyMode(std::string_view name) {
  if (name == "database") return PolicyMode::kDatabase;
  if (name == "file") return PolicyMode::kFile;
  return std::nullopt;
}

std::string_view policyModeName(PolicyMode mode) { return mode == PolicyMode::kFile ? "file" : "database"; }

core::Result<void> Emulator::save() const {
  if (statePath.empty()) return {};
  auto ok = core::writeFileDurably(statePath, stateDocument(*this), 0600, /*replace=*/true);
  if (!ok) return core::fail(core::ErrorKind::kInternal, "--state " + statePath + ": " + ok.error().message);
  return {};
}

}  // namespace postured::hsemu
