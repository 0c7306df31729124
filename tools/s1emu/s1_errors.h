// SentinelOne's error envelope, {"errors":[{"code","detail","title"}]}, with
// the bodies real consoles send (reference section 3). The code is the HTTP
// status x 10000 + 10, as every captured body shows.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace postured::s1emu {

http::Response s1Error(int status, std::optional<std::string_view> detail, std::string_view title);

http::Response authenticationFailed();                    // 401
http::Response insufficientPermissions();                 // 403
http::Response validationError(std::string_view detail);  // 400
http::Response tooManyRequests(int retryAfterSeconds);    // 429 with Retry-After
http::Response internalServerError();                     // 500
http::Response notFound(std::string_view detail);         // 404 (emulator endpoints)
http::Response conflict(std::string_view detail);         // 409 (emulator endpoints)

}  // namespace postured::s1emu
