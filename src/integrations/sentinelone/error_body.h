// SentinelOne's error envelope, {"errors":[{"code":4010010,"detail":null,
// "title":"Authentication Failed"}]}, made into one readable line.
#pragma once

#include <string>
#include <string_view>

namespace postured::integrations::sentinelone {

// "Authentication Failed (code 4010010)", with ": <detail>" when there is a
// detail, several errors joined by "; ". Control characters become spaces and
// the text is capped, so a hostile body cannot break a status line. "" when
// the body is not such an envelope (an HTML page from a proxy, say).
std::string describeErrorBody(std::string_view body);

}  // namespace postured::integrations::sentinelone
