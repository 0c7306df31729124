#include "agents_api.h"

#include <chrono>
#include <thread>

#include "cursor.h"
#include "s1_errors.h"

namespace postured::s1emu {

namespace {

constexpr std::size_t kMaxLimit = 1000;
constexpr std::size_t kDefaultLimit = 10;
constexpr std::string_view kLimitDetail = "Limit must be greater than or equals to 1 and less than equals to 1000";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool authorized(const http::Request& request, const std::string& token) {
  const auto header = trim(request.header("authorization"));
  const auto space = header.find(' ');
  if (space == std::string_view::npos) return false;
  return http::equalsIgnoreCase(header.substr(0, space), "ApiToken") && trim(header.substr(space + 1)) == token;
}

std::vector<std::string_view> splitList(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const auto comma = text.find(',');
    items.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

// On failure, the validation error's detail.
std::optional<std::string> parseQuery(const http::Request& request, ListQuery& query) {
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    const auto& text = it->second;
    if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos)
      return std::string(kLimitDetail);
    query.limit = std::stoul(text);
    if (query.limit < 1 || query.limit > kMaxLimit) return std::string(kLimitDetail);
  } else {
    query.limit = kDefaultLimit;
  }
  if (auto it = request.query.find("cursor"); it != request.query.end() && !it->second.empty()) {
    query.afterId = decodeCursor(it->second);
    if (!query.afterId) return std::string("Invalid cursor: pass pagination.nextCursor from the previous page as is");
  }
  if (auto it = request.query.find("isDecommissioned"); it != request.query.end()) {
    query.active = query.decommissioned = false;
    for (const auto item : splitList(it->second)) {
      if (http::equalsIgnoreCase(item, "true")) {
        query.decommissioned = true;
      } else if (http::equalsIgnoreCase(item, "false")) {
        query.active = true;
      } else {
        return "isDecommissioned: \"" + std::string(item) + "\" is not a boolean; use true, false or true,false";
      }
    }
  }
  if (auto it = request.query.find("serialNumber__contains"); it != request.query.end())
    for (const auto item : splitList(it->second))
      if (!item.empty()) query.serialContains.push_back(toLowerAscii(item));
  return std::nullopt;
}

// Identifies a listing for page counting: same limit and filters.
std::string listingKey(const ListQuery& query) {
  std::string key = std::to_string(query.limit);
  key += query.active ? "|a" : "|-";
  key += query.decommissioned ? "d" : "-";
  for (const auto& needle : query.serialContains) key += "|" + needle;
  return key;
}

http::Response listAgents(Emulator& emu, const http::Request& request) {
  ++emu.agentRequests;
  const Faults faults = emu.faults.get();
  if (faults.slowMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(faults.slowMs));
  if (faults.revokeToken || !authorized(request, emu.token)) return authenticationFailed();
  if (faults.forbidden) return insufficientPermissions();
  if (emu.faults.takeRateLimit()) return tooManyRequests(faults.rateLimitRetryAfter);

  ListQuery query;
  if (auto detail = parseQuery(request, query)) return validationError(*detail);
  const auto listing = listingKey(query);
  const int pageNumber = emu.pages.pageOf(listing, query.afterId ? std::to_string(*query.afterId) : "");
  if (emu.faults.takeFailPage(pageNumber)) return internalServerError();

  const auto page = emu.fleet.list(query);
  std::string body;
  body.reserve(page.data.size() + 160);
  body += R"({"pagination":{"nextCursor":)";
  if (page.lastId) {
    body += '"';
    body += encodeCursor(*page.lastId);
    body += '"';
    if (pageNumber > 0) emu.pages.issued(listing, std::to_string(*page.lastId), pageNumber + 1);
  } else {
    body += "null";
  }
  body += R"(,"totalItems":)";
  body += std::to_string(page.totalItems);
  body += R"(},"data":[)";
  body += page.data;
  body += R"(],"errors":null})";

  if (pageNumber > 0 && pageNumber == faults.truncatePage) {
    // A body cut short, as by a proxy or a connection reset mid-transfer.
    body.resize(body.size() / 2);
  } else if (pageNumber > 0 && pageNumber == faults.malformedPage) {
    // Early in the data, so a streaming parser meets it before the agents.
    body.insert(body.find(R"("data":[)") + 8, ",");
  }
  return http::Response::json(200, std::move(body));
}

}  // namespace

void registerAgentsApi(http::Router& router, Emulator& emulator) {
  router.add("GET", kAgentsPath, [&emulator](const http::Request& request, const http::PathParams&) {
    return listAgents(emulator, request);
  });
}

}  // namespace postured::s1emu
