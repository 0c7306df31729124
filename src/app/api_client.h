// The CLI's connection to a server: base URL, API key and JSON requests.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/client.h"

namespace postured::app {

struct ClientSettings {
  std::string server;      // --server / POSTURED_SERVER, default http://127.0.0.1:8080
  std::string apiKeyFile;  // --api-key-file
  bool json = false;       // --json: print the server's JSON instead of a table
};

class ApiClient {
 public:
  // Resolves the key: --api-key-file, else POSTURED_API_KEY, else
  // ./var/admin.key or the demo's ./var/demo/data/admin.key when one exists.
  // kInvalidArgument when none can be found.
  static core::Result<ApiClient> connect(const ClientSettings& settings);

  // Sends a request; a non-2xx answer becomes an error carrying the server's message.
  core::Result<nlohmann::json> call(const std::string& method, const std::string& path,
                                    const std::optional<nlohmann::json>& body = std::nullopt);
  // The same with a body that is not JSON (a HuJSON policy file).
  core::Result<nlohmann::json> callWithText(const std::string& method, const std::string& path,
                                            const std::optional<std::string>& body, const std::string& contentType);

 private:
  ApiClient(std::string server, std::string key) : server_(std::move(server)), key_(std::move(key)) {}
  std::string server_;
  std::string key_;
  http::HttpClient http_;
};

// Percent-encodes one path segment or query value.
std::string urlEncode(const std::string& text);

}  // namespace postured::app
