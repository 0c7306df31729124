#include "integrations/sentinelone/api_token.h"

#include <string>

namespace postured::integrations::sentinelone {

namespace {
constexpr std::size_t kMaxTokenLength = 8192;
}

core::Result<void> validateApiToken(std::string_view token) {
  const auto invalid = [](std::string why) {
    return core::fail(core::ErrorKind::kInvalidArgument, "clientSecret " + why, "clientSecret");
  };
  if (token.empty())
    return invalid("is required: the API token of a SentinelOne service user with the Viewer role");
  if (token.size() > kMaxTokenLength)
    return invalid("is longer than " + std::to_string(kMaxTokenLength) + " characters; is it really an API token?");
  for (std::size_t i = 0; i < token.size(); ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c <= 0x20 || c >= 0x7f)
      return invalid("contains a space, a line break, a control or a non-ASCII character at position " +
                     std::to_string(i + 1) + "; give the API token alone, exactly as SentinelOne showed it");
  }
  return {};
}

}  // namespace postured::integrations::sentinelone
