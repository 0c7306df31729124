// The API token (clientSecret) of a SentinelOne service or console user.
#pragma once

#include <string_view>

#include "core/result.h"

namespace postured::integrations::sentinelone {

// Required; printable ASCII without spaces (legacy tokens are 80
// alphanumerics, newer ones JWTs), so it can travel in an Authorization
// header as is. Errors (kInvalidArgument, field "clientSecret") never quote it.
core::Result<void> validateApiToken(std::string_view token);

}  // namespace postured::integrations::sentinelone
