// parsePostureCondition on arbitrary bytes; an accepted condition must
// evaluate and explain against an empty attribute set, and format back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/posture_condition.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postured::policy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto condition = parsePostureCondition(text);
  if (!condition) return 0;
  const AttributeSet none;
  (void)evaluate(*condition, none.lookup());
  (void)explain(*condition, none.lookup());
  (void)formatCondition(*condition);
  (void)conditionWarnings(*condition);
  return 0;
}
