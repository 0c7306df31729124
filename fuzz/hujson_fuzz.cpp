// parseHuJson on arbitrary bytes; a document it accepts must also convert to JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/hujson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto value = postured::policy::parseHuJson(text)) (void)postured::policy::toJson(*value).dump();
  return 0;
}
