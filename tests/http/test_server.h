// Helpers for the HTTP tests: a Server running in-process on 127.0.0.1:0 on a
// background thread, and a raw TCP connection for what HttpClient cannot do
// (partial requests, pipelining, watching the server close a connection).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace postured::http::testing {

using namespace std::chrono_literals;

// Polls `done` until it holds or `timeout` passes. Responses reach the client
// before the server records them, so metrics and access-log checks wait.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

class RunningServer {
 public:
  explicit RunningServer(const Router& router, ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    if (options.threads == 0) options.threads = 2;
    server_ = std::make_unique<Server>(options, router, metrics, [this](const AccessRecord& r) {
      std::lock_guard lock(mutex_);
      records_.push_back(r);
    });
    const auto bound = server_->bind();
    if (!bound) throw std::runtime_error("bind failed: " + bound.error().message);
    address_ = server_->boundAddress();
    port_ = std::stoi(address_.substr(address_.rfind(':') + 1));
    thread_ = std::thread([this] {
      server_->run();
      returned_ = true;
    });
  }

  ~RunningServer() {
    if (thread_.joinable()) {
      server_->shutdown();
      thread_.join();
    }
  }

  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  Server& server() { return *server_; }
  int port() const { return port_; }
  const std::string& address() const { return address_; }
  std::string url(const std::string& pathAndQuery) const { return "http://" + address_ + pathAndQuery; }

  // True once run() has returned.
  bool returned() const { return returned_; }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  std::vector<AccessRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }

  core::Metrics metrics;

 private:
  std::unique_ptr<Server> server_;
  std::string address_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> returned_{false};
  mutable std::mutex mutex_;
  std::vector<AccessRecord> records_;
};

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response: the header, then Content-Length bytes of body.
  // Returns "" when the connection closes or nothing complete arrives in time.
  std::string readResponse(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        const auto header = lower(pending_.substr(0, end));
        if (const auto at = header.find("\r\ncontent-length:"); at != std::string::npos)
          length = std::stoul(header.substr(at + 17));
        if (pending_.size() >= end + 4 + length) {
          auto out = pending_.substr(0, end + 4 + length);
          pending_.erase(0, end + 4 + length);
          return out;
        }
      }
      if (!readSome(deadline)) return {};
    }
  }

  // True when the server closes the connection (EOF or reset) within `timeout`.
  bool closedByPeer(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (readSome(deadline)) {
    }
    return closed_;
  }

  // Everything the server sends until it closes the connection.
  std::string readUntilClosed(std::chrono::milliseconds timeout = 5000ms) {
    closedByPeer(timeout);
    return std::exchange(pending_, {});
  }

  static std::string lower(std::string s) {
    for (auto& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }

 private:
  // Appends what arrives to pending_; false on EOF, error or deadline.
  bool readSome(std::chrono::steady_clock::time_point deadline) {
    if (closed_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16 * 1024];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string pending_;
};

}  // namespace postured::http::testing
