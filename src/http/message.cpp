#include "http/message.h"

#include <nlohmann/json.hpp>

#include "core/hex.h"

namespace postured::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equalsIgnoreCase(k, name)) return v;
  return {};
}

std::string_view Request::queryParam(std::string_view name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string_view{} : std::string_view(it->second);
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view message) {
  nlohmann::json j = {{"message", message}, {"status", status}};
  // Messages can quote client input (a decoded path) that is not valid UTF-8;
  // the default dump() would throw on it.
  return json(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool percentDecode(std::string_view in, std::string& out, bool plusIsSpace) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = core::hexDigitValue(in[i + 1]), lo = core::hexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::map<std::string, std::string, std::less<>> parseQuery(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key, value;
    if (!percentDecode(pair.substr(0, eq), key, true)) continue;
    if (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), value, true)) continue;
    out[std::move(key)] = std::move(value);
  }
  return out;
}

}  // namespace postured::http
