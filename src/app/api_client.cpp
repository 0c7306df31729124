#include "app/api_client.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace postured::app {

using core::ErrorKind;
using core::fail;

namespace {
std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}
}  // namespace

core::Result<ApiClient> ApiClient::connect(const ClientSettings& settings) {
  std::string server = settings.server;
  while (!server.empty() && server.back() == '/') server.pop_back();
  if (server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0)
    return fail(ErrorKind::kInvalidArgument, "--server must start with http:// or https://", "server");

  std::string keyFile = settings.apiKeyFile;
  std::string key;
  if (keyFile.empty()) {
    if (const char* env = std::getenv("POSTURED_API_KEY"); env && *env) key = trimmed(env);
    else
      for (const char* candidate : {"var/admin.key", "var/demo/data/admin.key"})  // ./run.sh's server, or its demo
        if (keyFile.empty() && std::filesystem::exists(candidate)) keyFile = candidate;
  }
  if (!keyFile.empty()) {
    std::ifstream in(keyFile);
    if (!in) return fail(ErrorKind::kInvalidArgument, "cannot read the API key file " + keyFile, "api-key-file");
    std::stringstream ss;
    ss << in.rdbuf();
    key = trimmed(ss.str());
  }
  if (key.empty())
    return fail(ErrorKind::kInvalidArgument,
                "no API key: pass --api-key-file FILE or set POSTURED_API_KEY (the server's first key is in its "
                "data dir's admin.key)",
                "api-key-file");
  return ApiClient(std::move(server), std::move(key));
}

core::Result<nlohmann::json> ApiClient::call(const std::string& method, const std::string& path,
                                             const std::optional<nlohmann::json>& body) {
  if (body) return callWithText(method, path, body->dump(), "application/json");
  return callWithText(method, path, std::nullopt, {});
}

core::Result<nlohmann::json> ApiClient::callWithText(const std::string& method, const std::string& path,
                                                     const std::optional<std::string>& body,
                                                     const std::string& contentType) {
  http::ClientRequest req;
  req.method = method;
  req.url = server_ + path;
  req.headers.emplace_back("Authorization", "Bearer " + key_);
  req.headers.emplace_back("Accept", "application/json");
  if (body) {
    req.body = *body;
    req.headers.emplace_back("Content-Type", contentType);
  }
  auto res = http_.send(req);
  if (!res) return tl::unexpected(res.error());
  auto json = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status < 200 || res->status >= 300) {
    std::string message = json.is_object() && json.contains("message") && json["message"].is_string()
                              ? json["message"].get<std::string>()
                              : res->body;
    return fail(ErrorKind::kInvalidArgument, "server answered " + std::to_string(res->status) + ": " + message);
  }
  if (json.is_discarded()) return fail(ErrorKind::kInternal, "server sent a response that is not JSON");
  return json;
}

std::string urlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace postured::app
