#include "http/router.h"

namespace postured::http {

namespace {
std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const auto end = path.find('/', pos);
    const auto stop = end == std::string_view::npos ? path.size() : end;
    out.push_back(path.substr(pos, stop - pos));
    pos = stop;
  }
  return out;
}

bool isCapture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "{name...}": the rest of the path, zero or more segments.
bool isRestCapture(std::string_view segment) { return isCapture(segment) && segment.ends_with("...}"); }

std::string joinSegments(const std::vector<std::string_view>& segments, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < segments.size(); ++i) {
    if (i > from) out += '/';
    out += segments[i];
  }
  return out;
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, std::size_t maxBodyBytes) {
  Compiled c;
  for (auto seg : splitPath(pattern)) c.segments.emplace_back(seg);
  c.route = Route{std::move(method), std::move(pattern), std::move(handler),
                  maxBodyBytes == 0 ? defaultMaxBodyBytes_ : maxBodyBytes};
  routes_.push_back(std::move(c));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  const auto segments = splitPath(path);
  for (const auto& c : routes_) {
    const bool rest = !c.segments.empty() && isRestCapture(c.segments.back());
    const std::size_t fixed = rest ? c.segments.size() - 1 : c.segments.size();
    if (rest ? segments.size() < fixed : segments.size() != fixed) continue;
    PathParams params;
    if (rest) {
      const auto& want = c.segments.back();
      params.emplace(want.substr(1, want.size() - 5), joinSegments(segments, fixed));
    }
    bool ok = true;
    for (std::size_t i = 0; i < fixed && ok; ++i) {
      const auto& want = c.segments[i];
      if (isCapture(want))
        params.emplace(want.substr(1, want.size() - 2), std::string(segments[i]));
      else
        ok = want == segments[i];
    }
    if (!ok) continue;
    if (c.route.method != method) {
      result.pathExists = true;
      continue;
    }
    result.route = &c.route;
    result.params = std::move(params);
    return result;
  }
  return result;
}

}  // namespace postured::http
