// Text encoding of string lists for columns no query looks inside (tags,
// serial numbers, MAC addresses, scopes): every element followed by '\n',
// with '\\' and '\n' inside elements escaped as "\\\\" and "\\n". It round-trips
// any list, including empty elements ([] is "", [""] is "\n").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postured::store::sqlite {

std::string encodeList(const std::vector<std::string>& items);
// Appends one element (escaped, then '\n') to an encoded list.
void appendListItem(std::string& out, std::string_view item);
// nullopt when `text` was not produced by encodeList (a dangling escape or a
// missing final terminator).
std::optional<std::vector<std::string>> decodeList(std::string_view text);

}  // namespace postured::store::sqlite
