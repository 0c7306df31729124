#include "app/logging.h"

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace postured::app {

namespace {

constexpr std::size_t kStderrBuffer = 1 << 16;

// JSON string escaping for values we format ourselves on the hot path.
void appendEscaped(fmt::memory_buffer& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\r': out.append(std::string_view("\\r")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (c < 0x20 || c >= 0x7f)
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);  // also keeps the line valid UTF-8
        else
          out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

}  // namespace

void setupLogging(const std::string& level) {
  std::setvbuf(stderr, nullptr, _IOFBF, kStderrBuffer);
  auto logger = spdlog::stderr_logger_mt("postured");
  // spdlog supplies the time and level; the message is the rest of the JSON object.
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void shutdownLogging() {
  spdlog::shutdown();
  std::fflush(stderr);
}

void logEvent(std::string_view level, std::string_view msg, nlohmann::json fields) {
  auto* logger = spdlog::default_logger_raw();
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (!logger->should_log(lvl)) return;
  nlohmann::json line = {{"msg", msg}};
  line.update(fields);
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Drop the braces: the pattern wraps the fields into the line's own object.
  logger->log(lvl, "{}", std::string_view(text).substr(1, text.size() - 2));
  logger->flush();  // events are rare and someone may be waiting for them
}

void logRequest(const http::AccessRecord& r) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(spdlog::level::info)) return;
  fmt::memory_buffer line;
  line.append(std::string_view(R"("msg":"request","method":)"));
  appendEscaped(line, r.method);
  line.append(std::string_view(R"(,"route":)"));
  appendEscaped(line, r.route);
  line.append(std::string_view(R"(,"path":)"));
  appendEscaped(line, r.path);
  fmt::format_to(std::back_inserter(line), R"(,"status":{},"duration_ms":{:.3f},"bytes_in":{},"bytes_out":{},"remote":)",
                 r.status, r.durationSeconds * 1000, r.requestBytes, r.responseBytes);
  appendEscaped(line, r.remoteAddress);
  logger->info("{}", std::string_view(line.data(), line.size()));
}

}  // namespace postured::app
