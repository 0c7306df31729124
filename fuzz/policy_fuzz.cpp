// parsePolicy on arbitrary bytes: HuJSON, the model and its validation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/policy_model.h"
#include "policy/policy_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto policy = postured::policy::parsePolicy(text)) (void)postured::policy::validatePolicy(*policy);
  return 0;
}
