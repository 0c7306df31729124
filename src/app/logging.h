// Structured logs: one JSON object per line on stderr, e.g.
// {"time":"2026-11-24T19:56:35.123Z","level":"info","msg":"listening","address":"127.0.0.1:8080"}
// Callers pass fields; nothing secret may be passed.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace postured::app {

void setupLogging(const std::string& level);
void logEvent(std::string_view level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());

}  // namespace postured::app
