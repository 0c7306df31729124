#include "store/sqlite/list_codec.h"

namespace postured::store::sqlite {

void appendListItem(std::string& out, std::string_view item) {
  for (char c : item) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\n');
}

std::string encodeList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) appendListItem(out, item);
  return out;
}

std::optional<std::vector<std::string>> decodeList(std::string_view text) {
  std::vector<std::string> items;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      items.push_back(std::move(current));
      current.clear();
    } else if (c == '\\') {
      if (++i == text.size()) return std::nullopt;
      if (text[i] == '\\') {
        current.push_back('\\');
      } else if (text[i] == 'n') {
        current.push_back('\n');
      } else {
        return std::nullopt;
      }
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) return std::nullopt;
  return items;
}

}  // namespace postured::store::sqlite
