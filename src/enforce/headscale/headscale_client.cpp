#include "enforce/headscale/headscale_client.h"

#include <nlohmann/json.hpp>

#include "enforce/headscale/resolution_text.h"

namespace postured::enforce::headscale {

namespace {

using core::ErrorKind;
using core::fail;
using Json = nlohmann::json;

constexpr std::size_t kMaxErrorText = 300;

std::string oneLine(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > kMaxErrorText) text = text.substr(0, kMaxErrorText) + "...";
  return text;
}

// Written directly: the text is megabytes on a large tailnet, and a json
// tree would copy it and then escape it byte by byte.
std::string policyBody(const std::string& text) {
  std::string body;
  body.reserve(text.size() + text.size() / 4 + 16);
  body += "{\"policy\":";
  appendJsonString(body, text);
  body += '}';
  return body;
}

}  // namespace

std::string headscaleErrorText(const http::ClientResponse& response) {
  const Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    for (const auto* member : {"detail", "message", "title"})
      if (auto it = body.find(member); it != body.end() && it->is_string() && !it->get<std::string>().empty())
        return oneLine(it->get<std::string>());
  }
  auto text = oneLine(response.body);
  return text.empty() ? "HTTP " + std::to_string(response.status) : text;
}

HeadscaleClient::HeadscaleClient(HeadscaleConnection connection)
    : connection_(std::move(connection)),
      client_(http::ClientOptions{"", std::chrono::milliseconds(5'000), connection_.timeout, 256u << 20}) {}

core::Result<http::ClientResponse> HeadscaleClient::call(std::string method, std::string_view path, std::string body) {
  http::ClientRequest request;
  request.method = std::move(method);
  request.url = connection_.url + std::string(path);
  request.headers = {{"Authorization", "Bearer " + connection_.apiKey}, {"Accept", "application/json"}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  auto response = client_.send(request);
  if (!response)
    return fail(ErrorKind::kUnavailable, "headscale at " + connection_.url + " cannot be reached: " +
                                             client_.lastFailureReason());
  const int status = response->status;
  if (status >= 200 && status < 300) return std::move(*response);
  const std::string said = headscaleErrorText(*response);
  const std::string where = request.method + " " + std::string(path);
  if (status == 401 || status == 403)
    return fail(ErrorKind::kUnauthenticated,
                "headscale refused the API key (" + std::to_string(status) + " " + said +
                    "): create one with `headscale apikeys create` and put it in headscale_api_key_file");
  if (status == 404) return fail(ErrorKind::kNotFound, where + ": headscale answered 404 " + said);
  if (status == 400 || status == 409 || status == 422)
    return fail(ErrorKind::kInvalidArgument, said);
  if (status == 429 || status >= 500)
    return fail(ErrorKind::kUnavailable, where + ": headscale answered " + std::to_string(status) + " " + said);
  return fail(ErrorKind::kInternal, where + ": headscale answered " + std::to_string(status) + " " + said);
}

core::Result<std::vector<HeadscaleNode>> HeadscaleClient::listNodes() {
  auto response = call("GET", "/api/v1/node");
  if (!response) return tl::unexpected(response.error());
  auto nodes = parseNodeList(response->body);
  if (!nodes)
    return fail(ErrorKind::kInternal, "headscale's node list (GET /api/v1/node) is unreadable: " +
                                          nodes.error().message);
  return nodes;
}

core::Result<std::string> HeadscaleClient::getPolicy() {
  auto response = call("GET", "/api/v1/policy");
  if (!response) return tl::unexpected(response.error());
  const Json body = Json::parse(response->body, nullptr, false);
  if (!body.is_object())
    return fail(ErrorKind::kInternal, "headscale's policy (GET /api/v1/policy) is not a JSON object");
  const auto it = body.find("policy");
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return fail(ErrorKind::kInternal, "headscale's policy: \"policy\" is not a string");
  return it->get<std::string>();
}

core::Result<void> HeadscaleClient::checkPolicy(const std::string& text) {
  auto response = call("POST", "/api/v1/policy/check", policyBody(text));
  if (!response) return tl::unexpected(response.error());
  return {};
}

core::Result<void> HeadscaleClient::setPolicy(const std::string& text) {
  auto response = call("PUT", "/api/v1/policy", policyBody(text));
  if (!response) return tl::unexpected(response.error());
  return {};
}

}  // namespace postured::enforce::headscale
