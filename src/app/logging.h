// Structured logs: one JSON object per line on stderr, e.g.
// {"time":"2026-11-24T19:56:35.123Z","level":"info","msg":"listening","address":"127.0.0.1:8080"}
// Callers pass fields; nothing secret may be passed.
//
// stderr is block-buffered: request lines are flushed at least once a second
// (and at shutdown), every other event at once, so a busy server does not pay
// one write per request.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/server.h"

namespace postured::app {

void setupLogging(const std::string& level);
// Flushes and stops the logger; call before the process exits.
void shutdownLogging();
void logEvent(std::string_view level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());
// The access log line of one request (no headers, no query string).
void logRequest(const http::AccessRecord& record);

}  // namespace postured::app
