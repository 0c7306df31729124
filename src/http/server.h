// HTTP/1.1 server on Boost.Beast (the only place Beast is used).
//
// Keep-alive; the request header is bounded (431 beyond), the body by the
// route's maxBodyBytes (413 beyond; unknown routes use the default); a
// request must arrive within readTimeout and an idle keep-alive connection
// is closed after idleTimeout. Handlers run on the I/O threads.
//
// Every request is counted in metrics (http_requests_total{route,method,status},
// http_request_duration_seconds{route}) and written to the access log as one
// JSON line (no header values, no query string, so no key can leak).
//
// shutdown() stops accepting, closes idle connections, lets requests in flight
// finish and have their responses written, then run() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/result.h"
#include "http/router.h"

namespace postured::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one; [v6]:port accepted
  int threads = 0;                        // 0: one per hardware thread
  std::size_t maxHeaderBytes = 16 * 1024;
  std::chrono::milliseconds readTimeout{30'000};
  std::chrono::milliseconds idleTimeout{60'000};
  std::chrono::milliseconds shutdownGrace{15'000};  // longest wait for requests in flight
};

// One finished request, for the access log.
struct AccessRecord {
  std::string method;
  std::string route;  // pattern, or "unmatched"
  std::string path;
  int status = 0;
  double durationSeconds = 0;
  std::size_t requestBytes = 0;
  std::size_t responseBytes = 0;
  std::string remoteAddress;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, core::Metrics& metrics,
         std::function<void(const AccessRecord&)> accessLog);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors name the address and the reason (in use, permission).
  core::Result<void> bind();
  // The bound address as "host:port", after bind().
  std::string boundAddress() const;
  // Serves until shutdown() completes. Blocks on the calling thread plus
  // options.threads - 1 more.
  void run();
  // Thread-safe and async-signal-unsafe; call from a signal-watching thread.
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postured::http
