#include "app/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace postured::app {

void setupLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("postured");
  // spdlog supplies the time and level; the message is the rest of the JSON object.
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void logEvent(std::string_view level, std::string_view msg, nlohmann::json fields) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (!spdlog::default_logger_raw()->should_log(lvl)) return;
  nlohmann::json line = {{"msg", msg}};
  line.update(fields);
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Drop the braces: the pattern wraps the fields into the line's own object.
  spdlog::default_logger_raw()->log(lvl, "{}", std::string_view(text).substr(1, text.size() - 2));
}

}  // namespace postured::app
