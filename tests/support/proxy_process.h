// Real reverse proxies (Debian's nginx and Caddy) as child processes for the
// forward-auth tests: each runs from a config the test writes into its own
// temporary directory (pid file, logs, temp and storage paths all inside it),
// listening on a free loopback port, in the foreground so that stopping the
// child stops the proxy.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace postured::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound, read, closed).
int freeLoopbackPort();

class ProxyProcess {
 public:
  virtual ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  // Starts the proxy and waits until its port accepts connections. False when
  // it exits first or does not listen in time; logText() then says why.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(20));
  void stop();  // SIGTERM, then SIGKILL after 5 s; waits for the exit

  int port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string dir() const { return dir_.path().string(); }
  // The proxy's own output and, for nginx, its error log.
  virtual std::string logText() const;

 protected:
  explicit ProxyProcess(int port) : port_(port) {}
  // Writes the config files; returns the command line (args[0] is the program).
  virtual std::vector<std::string> prepare() = 0;
  virtual std::map<std::string, std::string> environment() const { return {}; }

  TempDir dir_;
  int port_ = 0;

 private:
  pid_t pid_ = -1;
};

// The configs must listen on 127.0.0.1:port (pick it with freeLoopbackPort()).
//
// nginx -p DIR -c DIR/nginx.conf -g 'daemon off;' with `serverBlocks` (the
// contents of http { }, e.g. packaging/forward-auth/nginx.conf) included into
// a main config that keeps every path in DIR.
class NginxProcess : public ProxyProcess {
 public:
  NginxProcess(int port, std::string serverBlocks) : ProxyProcess(port), serverBlocks_(std::move(serverBlocks)) {}
  std::string logText() const override;

 protected:
  std::vector<std::string> prepare() override;

 private:
  std::string serverBlocks_;
};

// caddy run with `caddyfile`; global options that keep Caddy to itself (no
// admin endpoint, no certificates, storage in DIR) are put in front of it.
class CaddyProcess : public ProxyProcess {
 public:
  CaddyProcess(int port, std::string caddyfile) : ProxyProcess(port), caddyfile_(std::move(caddyfile)) {}

 protected:
  std::vector<std::string> prepare() override;
  std::map<std::string, std::string> environment() const override;

 private:
  std::string caddyfile_;
};

}  // namespace postured::testing
