#include "flavor.h"

namespace postured::hsemu {

std::optional<Flavor> parseFlavor(std::string_view name) {
  if (name == "main") return Flavor::kMain;
  if (name == "v0.29") return Flavor::kV029;
  if (name == "v0.25") return Flavor::kV025;
  return std::nullopt;
}

std::string_view flavorName(Flavor flavor) {
  switch (flavor) {
    case Flavor::kMain:
      return "main";
    case Flavor::kV029:
      return "v0.29";
    case Flavor::kV025:
      return "v0.25";
  }
  return "main";
}

}  // namespace postured::hsemu
