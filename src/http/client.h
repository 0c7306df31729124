// Blocking HTTP client on libcurl, for the CLI, tests and (later) provider
// integrations. One client keeps its connection alive across requests.
// TLS verification is always on; proxy environment variables are honoured;
// responses are decompressed; the response size is capped.
// Not thread-safe: use one client per thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace postured::http {

struct ClientOptions {
  std::string userAgent;  // default "postured/<version>"
  std::chrono::milliseconds connectTimeout{10'000};
  std::chrono::milliseconds totalTimeout{60'000};
  std::size_t maxResponseBytes = 64 << 20;
  // When set, send() returns early (TransportFailure::kCancelled) once it
  // becomes true: checked before connecting and from curl's progress
  // callback during the transfer, which curl calls at least once a second.
  const std::atomic<bool>* cancel = nullptr;
  // Spare capacity guaranteed after a response body, for parsers that read
  // past the end (simdjson needs 64 bytes), so they need not copy it. The
  // body is sized from Content-Length up front, which also spares the
  // reallocations of a growing buffer.
  std::size_t bodyPadding = 0;
};

// Why send() failed, for callers that retry some failures and not others.
enum class TransportFailure {
  kNone,        // the last send() got a response
  kInvalidUrl,
  kResolve,     // host name lookup failed
  kConnect,     // refused or unreachable
  kTimeout,     // connect or total timeout
  kReset,       // the connection broke mid-exchange: reset, closed, nothing or a partial body received
  kTls,         // handshake or certificate verification failed
  kTooLarge,    // the response exceeded maxResponseBytes
  kCancelled,   // ClientOptions::cancel was set
  kOther,
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string_view header(std::string_view name) const;
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Any HTTP status is a successful exchange. Errors (kUnavailable) are for
  // transport failures: refused, timed out, reset, TLS failure, response too
  // large; the message names the URL's host and curl's reason.
  core::Result<ClientResponse> send(const ClientRequest& request);

  // The next response's body is received into `buffer` (emptied first),
  // keeping its capacity. A caller that receives many large bodies hands
  // each back when done with it, so that every body does not cost fresh
  // pages from the kernel.
  void reuseBodyBuffer(std::string buffer);

  // The class of the last send()'s failure, and curl's reason for it (e.g.
  // "Failed to connect to 127.0.0.1 port 9 after 0 ms: Connection refused"),
  // which names no URL or header. kNone and "" after a response.
  TransportFailure lastFailure() const;
  const std::string& lastFailureReason() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postured::http
