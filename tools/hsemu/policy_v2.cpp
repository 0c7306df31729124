#include "policy_v2.h"

#include "policy_decode.h"
#include "policy_v2_model.h"

namespace postured::hsemu::policy {

std::optional<std::string> checkPolicyV2(std::string_view text) {
  if (text.empty()) return std::nullopt;  // no policy: allow all
  auto document = hujson::parse(text);
  if (!document) return "parsing HuJSON: " + document.error().message;
  try {
    const auto policy = decodePolicyV2(*document);
    const auto errors = validatePolicyV2(policy);
    if (errors.empty()) return std::nullopt;
    if (errors.size() == 1) return errors.front();
    // tailscale.com/util/multierr's rendering.
    std::string joined = "multiple errors:";
    for (const auto& error : errors) joined += "\n\t" + error;
    return joined;
  } catch (const DecodeError& error) {
    return error.message;
  }
}

}  // namespace postured::hsemu::policy
