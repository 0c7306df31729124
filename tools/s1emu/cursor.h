// SentinelOne's opaque paging cursor. Real consoles hand out base64 of
// "agent_id:<id of the last agent on the page>" (the reference's example
// YWdlbnRfaWQ6NTgwMjkzODE= decodes so); we do the same, so a cursor stays
// valid when agents are added or removed between pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postured::s1emu {

std::string encodeCursor(std::uint64_t lastId);
// nullopt when the text is not a cursor we could have issued.
std::optional<std::uint64_t> decodeCursor(std::string_view cursor);

// Parses 1 to 19 decimal digits (an int64 agent id); nullopt otherwise.
std::optional<std::uint64_t> parseAgentId(std::string_view digits);

}  // namespace postured::s1emu
