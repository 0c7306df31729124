// The console's files, embedded at build time (embed_assets.cmake).
#pragma once

#include <span>
#include <string_view>

namespace postured::console {

struct EmbeddedAsset {
  std::string_view path;  // relative to src/console/assets, e.g. "app.js"
  std::string_view contentType;
  std::string_view body;
};

std::span<const EmbeddedAsset> consoleAssets();

}  // namespace postured::console
