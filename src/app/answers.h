// How the client commands show a server's answer: the JSON itself with
// --json, else a table; a refusal as one line on stderr and exit code 1.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "app/api_client.h"
#include "core/result.h"

namespace postured::app {

// Prints the server's error and returns 1; prints nothing and returns 0 on success.
int reportFailure(const core::Result<nlohmann::json>& result);

// The answer as JSON (--json) or through `table`; the exit code.
int printAnswer(const core::Result<nlohmann::json>& answer, const ClientSettings& settings,
                const std::function<void(const nlohmann::json&)>& table);

// A member as table text: "-" when absent or null, strings unquoted.
std::string fieldText(const nlohmann::json& object, const char* key);
// A list as "a,b"; "-" when empty or not a list.
std::string joinedText(const nlohmann::json& list, const char* separator = ",");

}  // namespace postured::app
