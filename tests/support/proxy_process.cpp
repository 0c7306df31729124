#include "support/proxy_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/process.h"

namespace postured::testing {

namespace {

void writeAll(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  auto addr = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  auto addr = loopback(0);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

ProxyProcess::~ProxyProcess() { stop(); }

bool ProxyProcess::start(std::chrono::seconds timeout) {
  const auto outPath = dir_.file("output.log");
  pid_ = spawnProcess(prepare(), environment(), "", outPath, outPath);
  // Neither proxy announces its address in a form both share; an accepted
  // connection on its port is the one sign that it serves.
  return waitUntilReady(pid_, timeout, [this] { return accepts(port_); });
}

void ProxyProcess::stop() {
  if (pid_ <= 0) return;
  stopProcess(pid_, std::chrono::seconds(5));
  pid_ = -1;
}

std::string ProxyProcess::logText() const { return readTextFile(dir_.file("output.log")); }

std::vector<std::string> NginxProcess::prepare() {
  const auto dir = dir_.path().string();
  writeAll(dir_.file("site.conf"), serverBlocks_);
  std::ostringstream conf;
  conf << "# The forward-auth tests' nginx: every path in " << dir << ".\n";
  // As root the master would hand the workers to "nobody", who may not write the temp paths.
  if (geteuid() == 0) conf << "user root;\n";
  conf << "worker_processes 1;\n"
       << "pid " << dir << "/nginx.pid;\n"
       << "error_log " << dir << "/error.log info;\n"
       << "events { worker_connections 256; }\n"
       << "http {\n"
       << "    access_log " << dir << "/access.log;\n"
       << "    client_body_temp_path " << dir << "/client_body;\n"
       << "    proxy_temp_path " << dir << "/proxy;\n"
       << "    fastcgi_temp_path " << dir << "/fastcgi;\n"
       << "    uwsgi_temp_path " << dir << "/uwsgi;\n"
       << "    scgi_temp_path " << dir << "/scgi;\n"
       << "    include " << dir << "/site.conf;\n"
       << "}\n";
  writeAll(dir_.file("nginx.conf"), conf.str());
  return {"/usr/sbin/nginx", "-p", dir + "/", "-c", dir_.file("nginx.conf"), "-g", "daemon off;"};
}

std::string NginxProcess::logText() const {
  return ProxyProcess::logText() + "\n--- error.log ---\n" + readTextFile(dir_.file("error.log"));
}

std::vector<std::string> CaddyProcess::prepare() {
  std::ostringstream file;
  file << "{\n"
       << "\tadmin off\n"
       << "\tauto_https off\n"
       << "\tstorage file_system " << dir_.file("storage") << "\n"
       << "}\n\n"
       << caddyfile_;
  writeAll(dir_.file("Caddyfile"), file.str());
  return {"/usr/bin/caddy", "run", "--config", dir_.file("Caddyfile"), "--adapter", "caddyfile"};
}

std::map<std::string, std::string> CaddyProcess::environment() const {
  // Caddy keeps its data and autosaved config under these; keep them in DIR.
  return {
      {"HOME", dir_.path().string()}, {"XDG_DATA_HOME", dir_.file("data")}, {"XDG_CONFIG_HOME", dir_.file("config")}};
}

}  // namespace postured::testing
