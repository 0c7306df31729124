// The request for one page of agents.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postured::integrations::sentinelone {

inline constexpr int kPageSize = 1000;  // the API's maximum

// {console}/web/api/v2.1/agents?limit=1000&isDecommissioned=false, plus
// &cursor=<percent-encoded cursor> after the first page. Decommissioned
// agents would match nothing, so the console need not send them.
std::string agentsPageUrl(std::string_view consoleUrl, const std::optional<std::string>& cursor);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percentEncode(std::string_view text);

}  // namespace postured::integrations::sentinelone
