// headscale's REST API (/api/v1, Bearer API key), the calls postured makes:
// list nodes, check a policy, set it, read it back. The same paths serve
// headscale v0.29 (grpc-gateway) and main (Huma); their error bodies differ
// (`{"code","message"}` vs RFC 7807 `{"title","detail"}`) and both are read.
//
// Errors are values: kUnavailable when headscale cannot be reached or
// answers 5xx, kUnauthenticated for 401/403 (the key is wrong, expired or
// revoked), kInvalidArgument for a 400 (the policy was rejected; the message
// is headscale's own), kInternal for an answer that is not what the API
// promises. Messages never contain the API key. Not thread-safe (one
// connection, reused): give each thread its own client.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "enforce/headscale/headscale_node.h"
#include "http/client.h"

namespace postured::enforce::headscale {

// In headscale's `file` policy mode the API cannot change the policy; its 400 says so with this text.
inline constexpr std::string_view kFileModeMessage = "update is disabled for modes other than 'database'";

struct HeadscaleConnection {
  std::string url;  // normalised origin, "https://hs.example.com"
  std::string apiKey;
  std::chrono::milliseconds timeout{15'000};
};

class HeadscaleClient {
 public:
  explicit HeadscaleClient(HeadscaleConnection connection);

  core::Result<std::vector<HeadscaleNode>> listNodes();
  // The stored policy text; empty when headscale has none.
  core::Result<std::string> getPolicy();
  // POST /api/v1/policy/check: validated against headscale's users and nodes, not stored.
  // kNotFound when this headscale has no check endpoint (older than the check API).
  core::Result<void> checkPolicy(const std::string& text);
  core::Result<void> setPolicy(const std::string& text);

 private:
  core::Result<http::ClientResponse> call(std::string method, std::string_view path, std::string body = {});

  HeadscaleConnection connection_;
  http::HttpClient client_;
};

// What a non-2xx answer from headscale says, in one line: the problem's
// detail or title (main), the gRPC status message (v0.29), else the body's
// first line. Never longer than 300 characters.
std::string headscaleErrorText(const http::ClientResponse& response);

}  // namespace postured::enforce::headscale
