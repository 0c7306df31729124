// Transport-neutral HTTP request and response, so that nothing outside
// src/http/ sees Boost.Beast.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"

namespace postured::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, path and query
  std::string path;    // percent-decoded path, without the query
  std::map<std::string, std::string, std::less<>> query;  // decoded; a repeated key keeps the last value
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remoteAddress;

  // Value of the first header named `name` (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
  // Value of a query parameter, or "".
  std::string_view queryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, std::string body);
  // {"message": ..., "status": N}
  static Response error(int status, std::string_view message);
};

// ASCII case-insensitive comparison, for header names.
using core::equalsIgnoreCase;

// Splits "a=b&c=d" into decoded pairs; '+' means space.
std::map<std::string, std::string, std::less<>> parseQuery(std::string_view query);
// Percent-decodes; returns false on a malformed escape.
bool percentDecode(std::string_view in, std::string& out, bool plusIsSpace);

}  // namespace postured::http
