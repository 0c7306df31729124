#include "console/console_assets.h"

#include <iterator>

#include "console_assets.inc"

namespace postured::console {

std::span<const EmbeddedAsset> consoleAssets() {
  return {std::begin(kConsoleAssets), std::size(kConsoleAssets) - 1};  // without the end marker
}

}  // namespace postured::console
