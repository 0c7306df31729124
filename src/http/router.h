// Maps (method, path pattern) to a handler. Patterns are literal segments and
// "{name}" captures of one segment, e.g. "/api/v2/device/{id}/attributes/{key}";
// a last segment "{name...}" captures the rest of the path (zero or more
// segments, joined by "/").
// Routes are added before the server starts; matching is then read-only and
// thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace postured::http {

using PathParams = std::map<std::string, std::string, std::less<>>;
using Handler = std::function<Response(const Request&, const PathParams&)>;

inline constexpr std::size_t kDefaultMaxBodyBytes = 1 << 20;

struct Route {
  std::string method;
  std::string pattern;  // also the route's name in metrics and the access log
  Handler handler;
  std::size_t maxBodyBytes = kDefaultMaxBodyBytes;
};

class Router {
 public:
  // maxBodyBytes 0 means the router's default (see setDefaultMaxBodyBytes).
  void add(std::string method, std::string pattern, Handler handler, std::size_t maxBodyBytes = 0);
  // Called after a request's header, before its body is read: a response it
  // returns is sent at once and the body is never buffered (so a caller
  // without credentials cannot make the server hold a 32 MiB body).
  using BeforeBody = std::function<std::optional<Response>(const Route&, const Request&)>;
  void setBeforeBody(BeforeBody check) { beforeBody_ = std::move(check); }
  const BeforeBody& beforeBody() const { return beforeBody_; }

  // The body limit of routes added without their own; set before adding them.
  void setDefaultMaxBodyBytes(std::size_t bytes) { defaultMaxBodyBytes_ = bytes; }
  std::size_t defaultMaxBodyBytes() const { return defaultMaxBodyBytes_; }

  struct Match {
    const Route* route = nullptr;  // null: no route for this path and method
    bool pathExists = false;       // the path matched with another method (405)
    PathParams params;
  };
  Match match(std::string_view method, std::string_view path) const;

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{x}" marks a capture
  };
  std::vector<Compiled> routes_;
  std::size_t defaultMaxBodyBytes_ = kDefaultMaxBodyBytes;
  BeforeBody beforeBody_;
};

}  // namespace postured::http
