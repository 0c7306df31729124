// One page of GET /web/api/v2.1/agents, parsed with simdjson On-Demand
// straight into ProviderHosts, without building a DOM.
//
// Tolerance, because real consoles differ: booleans may be JSON booleans or
// "True"/"False" strings; any field may be null or missing, and a null,
// missing or wrong-typed attribute is left out of the host rather than given
// a default; ids stay strings; unknown fields are skipped. What makes the page
// unusable (not JSON, no "data" array, no "pagination", an element of "data"
// that is not an object) is an error.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "integrations/provider.h"

namespace postured::integrations::sentinelone {

struct AgentsPage {
  std::vector<ProviderHost> hosts;
  std::optional<std::string> nextCursor;  // nullopt on the last page
};

// Reusable across the pages of one fetch: simdjson keeps its buffers, sized
// for the largest page seen. Not thread-safe.
class AgentsPageParser {
 public:
  AgentsPageParser();
  ~AgentsPageParser();
  AgentsPageParser(const AgentsPageParser&) = delete;
  AgentsPageParser& operator=(const AgentsPageParser&) = delete;

  // Called once per page with pagination.nextCursor as soon as it is read:
  // before the agents when "pagination" comes first, as in SentinelOne's
  // envelope, so the next request can start while this page is parsed. The
  // page may still turn out malformed afterwards.
  using CursorListener = std::function<void(const std::optional<std::string>& nextCursor)>;

  // Parses `body` into `page`, refilling its hosts in place so that a fetch
  // allocates for its first page, not for every host. `body`
  // may grow in capacity: simdjson reads a few bytes past the end. Errors
  // are kInvalidArgument; the message says what is wrong with the page, e.g.
  // "\"data\" is missing" or "invalid JSON near byte 1234: ...".
  core::Result<void> parse(std::string& body, AgentsPage& page, const CursorListener& onCursor = {});
  core::Result<AgentsPage> parse(std::string& body);  // into a new page

  // parse() in its two stages, which may run on different threads, one after
  // the other: index() finds the structure of the whole text (simdjson's
  // first stage), walk() reads the agents from it. A fetch indexes each page
  // on the thread that received it while the previous page is walked.
  // `body` must stay as it is in between.
  core::Result<void> index(std::string& body);
  core::Result<void> walk(const std::string& body, AgentsPage& page, const CursorListener& onCursor = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postured::integrations::sentinelone
