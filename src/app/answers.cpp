#include "app/answers.h"

#include <iostream>

namespace postured::app {

using Json = nlohmann::json;

int reportFailure(const core::Result<Json>& result) {
  if (result) return 0;
  std::cerr << "postured: " << result.error().message << "\n";
  return 1;
}

int printAnswer(const core::Result<Json>& answer, const ClientSettings& settings,
                const std::function<void(const Json&)>& table) {
  if (!answer) return reportFailure(answer);
  if (settings.json)
    std::cout << answer->dump(2) << "\n";
  else
    table(*answer);
  return 0;
}

std::string fieldText(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return "-";
  return object[key].is_string() ? object[key].get<std::string>() : object[key].dump();
}

std::string joinedText(const Json& list, const char* separator) {
  std::string out;
  if (!list.is_array()) return "-";
  for (const auto& item : list)
    out += (out.empty() ? "" : separator) + (item.is_string() ? item.get<std::string>() : item.dump());
  return out.empty() ? "-" : out;
}

}  // namespace postured::app
