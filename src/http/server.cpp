#include "http/server.h"

#include <map>
#include <tuple>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace postured::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using beast::error_code;
// A concrete strand type rather than any_io_executor: the type-erased
// executor's copies showed up in profiles of the request loop.
using Executor = asio::strand<asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;
using Socket = Stream::socket_type;

// After a response that ends the connection we stop sending and read (and
// drop) what the client still sends for a moment: closing with unread input
// makes the kernel send RST, which can destroy the response in flight.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr std::size_t kLingerMaxBytes = 8 << 20;
// Accept failures such as EMFILE repeat immediately; back off instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kInitialBufferBytes = 4 * 1024;
// Buffers that grew for one large request are not kept for the connection's life.
constexpr std::size_t kKeepCapacityBytes = 64 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kUnmatched = "unmatched";
// Pipelined requests answered without an async hop are bounded so that one
// connection cannot recurse without limit or starve the others on its thread.
constexpr int kMaxInlineRequests = 16;

std::string formatEndpoint(const tcp::endpoint& ep) {
  std::string out;
  if (ep.address().is_v6()) {
    out.push_back('[');
    out += ep.address().to_string();
    out.push_back(']');
  } else {
    out = ep.address().to_string();
  }
  out.push_back(':');
  out += std::to_string(ep.port());
  return out;
}

void appendNumber(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, end);
}

void appendLower(std::string& out, std::string_view in) {
  out.clear();
  out.reserve(in.size());
  for (char c : in) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
}

bool hasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// The server writes these itself; a handler must not be able to break framing.
bool isReservedHeader(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection") || beast::iequals(name, "server") || beast::iequals(name, "content-type");
}

// Parses straight into a reused Request, so that a request on a kept-alive
// connection reuses the previous one's string capacity instead of building
// Beast's field container and copying it again.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& request) : request_(request) {}

  bhttp::verb verb() const { return verb_; }
  int version() const { return version_; }
  bool expectsContinue() const { return expectContinue_; }

 private:
  void on_request_impl(bhttp::verb method, beast::string_view methodText, beast::string_view target, int version,
                       error_code&) override {
    verb_ = method;
    version_ = version;
    request_.method.assign(methodText.data(), methodText.size());
    request_.target.assign(target.data(), target.size());
  }

  void on_response_impl(int, beast::string_view, int, error_code&) override {}

  void on_field_impl(bhttp::field name, beast::string_view nameText, beast::string_view value, error_code&) override {
    auto& headers = request_.headers;
    if (count_ == headers.size()) headers.emplace_back();
    appendLower(headers[count_].first, std::string_view(nameText.data(), nameText.size()));
    headers[count_].second.assign(value.data(), value.size());
    ++count_;
    if (name == bhttp::field::expect && beast::iequals(value, "100-continue")) expectContinue_ = true;
  }

  void on_header_impl(error_code&) override { request_.headers.resize(count_); }

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // The length was checked against the route's limit before the body is read.
    if (length) request_.body.reserve(static_cast<std::size_t>(*length));
  }

  std::size_t on_body_impl(beast::string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  Request& request_;
  std::size_t count_ = 0;
  bhttp::verb verb_ = bhttp::verb::unknown;
  int version_ = 11;
  bool expectContinue_ = false;
};

class Session;

// State shared by the acceptor and all sessions. Member order matters: the
// io_context is destroyed (destroying the handlers that keep sessions alive,
// whose destructors unregister) while the session registry still exists.
struct ServerState {
  ServerState(ServerOptions o, const Router& r, core::Metrics& m, std::function<void(const AccessRecord&)> log)
      : options(std::move(o)),
        router(r),
        metrics(m),
        accessLog(std::move(log)),
        threads(options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        ioc(threads) {}

  void accept();
  void beginShutdown();
  void sessionGone(Session* session);

  ServerOptions options;
  const Router& router;
  core::Metrics& metrics;
  std::function<void(const AccessRecord&)> accessLog;
  int threads;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards sessions
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::string boundAddress;

  asio::io_context ioc;
  // The acceptor and the timers below are only touched on this strand once run() started.
  asio::strand<asio::io_context::executor_type> acceptStrand{asio::make_strand(ioc)};
  tcp::acceptor acceptor{acceptStrand};
  asio::steady_timer graceTimer{acceptStrand};
  asio::steady_timer retryTimer{acceptStrand};
};

// One connection. All of its handlers run on its own strand; `busy_` (a
// request is being read, handled or answered) decides whether shutdown may
// close it at once.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerState& server, Socket&& socket) : server_(server), stream_(std::move(socket)) {
    buffer_.reserve(kInitialBufferBytes);
    error_code ec;
    // Responses are first written directly; a full send buffer must not block the thread.
    stream_.socket().non_blocking(true, ec);
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) request_.remoteAddress = formatEndpoint(remote);
  }

  ~Session() { server_.sessionGone(this); }

  void start() {
    {
      std::lock_guard lock(server_.mutex);
      server_.sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->awaitRequest(); });
  }

  // From shutdown: an idle connection closes now, a busy one after its response.
  void requestClose() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->stream_.close();
    });
  }

 private:
  void awaitRequest() {
    if (server_.stopping) return stream_.close();
    if (buffer_.size() > 0) return beginRequest();  // pipelined
    if (buffer_.capacity() > kKeepCapacityBytes) buffer_.shrink_to_fit();
    // Until the first byte arrives the connection is idle, not a slow request.
    stream_.expires_after(server_.options.idleTimeout);
    stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadChunk)),
                            beast::bind_front_handler(&Session::onIdleRead, shared_from_this()));
  }

  void onIdleRead(error_code ec, std::size_t bytes) {
    if (ec) return stream_.close();  // idle timeout, peer gone, or closed by shutdown
    buffer_.commit(bytes);
    inlineRequests_ = 0;
    if (server_.stopping) return stream_.close();
    beginRequest();
  }

  // Feeds buffered input to the parser until the header (or the whole
  // message) is parsed. False when more input is needed, or on error (`ec`
  // set). Most requests arrive in one read, so parsing in place saves an
  // async round trip per request.
  bool feedParser(bool wholeMessage, error_code& ec) {
    for (;;) {
      if (wholeMessage ? parser_->is_done() : parser_->is_header_done()) return true;
      if (buffer_.size() == 0) return false;
      const auto used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      requestBytes_ += used;
      if (ec == bhttp::error::need_more) {
        ec = {};
        return false;
      }
      if (ec || used == 0) return false;
    }
  }

  // One deadline for the whole request, header and body.
  void armReadTimeout() {
    if (readTimeoutArmed_) return;
    readTimeoutArmed_ = true;
    stream_.expires_after(server_.options.readTimeout);
  }

  void beginRequest() {
    busy_ = true;
    started_ = Clock::now();
    requestBytes_ = 0;
    match_.route = nullptr;
    match_.pathExists = false;
    match_.params.clear();
    request_.method.clear();
    request_.target.clear();
    request_.path.clear();
    request_.query.clear();
    request_.body.clear();
    if (request_.body.capacity() > kKeepCapacityBytes) request_.body.shrink_to_fit();

    parser_.emplace(request_);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.maxHeaderBytes));
    // The body limit depends on the route, known only after the header.
    parser_->body_limit(boost::none);
    readTimeoutArmed_ = false;

    error_code ec;
    if (feedParser(false, ec)) return afterHeader();
    if (ec) return failRead(ec);
    armReadTimeout();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::onHeader, shared_from_this()));
  }

  void onHeader(error_code ec, std::size_t bytes) {
    requestBytes_ += bytes;
    if (ec) return failRead(ec);
    afterHeader();
  }

  void afterHeader() {
    std::string_view target = request_.target;
    if (!target.starts_with('/')) {
      // absolute-form ("http://host/path") is allowed by RFC 9112; keep its path.
      if (const auto scheme = target.find("://"); scheme != std::string_view::npos) {
        const auto slash = target.find('/', scheme + 3);
        target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      }
    }
    const auto question = target.find('?');
    const auto rawPath = target.substr(0, question);
    if (!percentDecode(rawPath, request_.path, false)) {
      request_.path.assign(rawPath);
      return sendError(400, "malformed percent-encoding in the request path");
    }
    if (question != std::string_view::npos) request_.query = parseQuery(target.substr(question + 1));

    match_ = server_.router.match(request_.method, request_.path);
    if (match_.route && server_.router.beforeBody()) {
      std::optional<Response> early;
      try {
        early = server_.router.beforeBody()(*match_.route, request_);
      } catch (...) {
        early = Response::error(500, "internal error");
      }
      if (early) return send(std::move(*early), /*keepAlive=*/false);  // the body is never read
    }
    const std::size_t limit = match_.route ? match_.route->maxBodyBytes : server_.router.defaultMaxBodyBytes();
    if (const auto length = parser_->content_length(); length && *length > limit) return sendTooLarge(limit);
    parser_->body_limit(limit);  // enforces chunked bodies while they are read
    bodyLimit_ = limit;

    if (parser_->is_done()) return dispatch();
    if (parser_->expectsContinue() && parser_->version() >= 11 && buffer_.size() == 0) {
      armReadTimeout();
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](error_code e, std::size_t) {
                          if (e) return self->abandon();
                          self->readBody();
                        });
      return;
    }
    readBody();
  }

  void readBody() {
    error_code ec;
    if (feedParser(true, ec)) return dispatch();
    if (ec) return failRead(ec);
    armReadTimeout();
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::onBody, shared_from_this()));
  }

  void onBody(error_code ec, std::size_t bytes) {
    requestBytes_ += bytes;
    if (ec) return failRead(ec);
    dispatch();
  }

  void failRead(error_code ec) {
    if (ec == bhttp::error::header_limit)
      return sendError(431,
                       "request header is larger than " + std::to_string(server_.options.maxHeaderBytes) + " bytes");
    if (ec == bhttp::error::body_limit) return sendTooLarge(bodyLimit_);
    // The peer went away, timed out, or we closed it: nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category())
      return abandon();
    sendError(400, "malformed HTTP request: " + ec.message());
  }

  void sendTooLarge(std::size_t limit) {
    sendError(413, "request body is larger than " + std::to_string(limit) + " bytes");
  }

  void sendError(int status, std::string_view message) { send(Response::error(status, message), /*keepAlive=*/false); }

  // Nobody is left to answer (peer gone, timed out, or closed by shutdown).
  void abandon() {
    busy_ = false;
    stream_.close();
  }

  std::string allowedMethods() const {
    static constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                                 "PATCH", "DELETE", "OPTIONS"};
    std::string allow;
    for (auto m : kMethods) {
      if (!server_.router.match(m, request_.path).route) continue;
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    return allow;
  }

  static bool isValid(const Response& r) {
    if (r.status < 200 || r.status > 599 || hasControlChars(r.contentType)) return false;
    for (const auto& [name, value] : r.headers)
      if (name.empty() || hasControlChars(name) || hasControlChars(value) || name.find(':') != std::string::npos)
        return false;
    return true;
  }

  void dispatch() {
    Response response;
    if (match_.route) {
      try {
        response = match_.route->handler(request_, match_.params);
        if (!isValid(response)) response = Response::error(500, "internal error");
      } catch (...) {
        // Handlers must not take the process down; the access log records the 500.
        response = Response::error(500, "internal error");
      }
    } else if (match_.pathExists) {
      auto allow = allowedMethods();
      response = Response::error(
          405, "method " + request_.method + " is not allowed for " + request_.path + "; allowed: " + allow);
      response.headers.emplace_back("Allow", std::move(allow));
    } else {
      response = Response::error(404, "no such endpoint: " + request_.method + " " + request_.path);
    }
    send(std::move(response), parser_->keep_alive());
  }

  void send(Response&& response, bool keepAlive) {
    response_ = std::move(response);
    keepAlive_ = keepAlive && !server_.stopping;
    const int status = response_.status;
    // RFC 9110: 204 and 304 carry neither a body nor Content-Length.
    const bool hasBody = status != 204 && status != 304;

    head_.clear();
    head_ += "HTTP/1.1 ";
    appendNumber(head_, static_cast<std::uint64_t>(status));
    head_ += ' ';
    const auto code = bhttp::int_to_status(static_cast<unsigned>(status));
    const auto reason = bhttp::obsolete_reason(code);
    head_ +=
        code == bhttp::status::unknown ? std::string_view("Unknown") : std::string_view(reason.data(), reason.size());
    head_ += "\r\nServer: postured\r\n";
    if (hasBody) {
      if (!response_.contentType.empty()) {
        head_ += "Content-Type: ";
        head_ += response_.contentType;
        head_ += "\r\n";
      }
      head_ += "Content-Length: ";
      appendNumber(head_, response_.body.size());
      head_ += "\r\n";
    }
    for (const auto& [name, value] : response_.headers) {
      if (isReservedHeader(name)) continue;
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    if (!keepAlive_)
      head_ += "Connection: close\r\n";
    else if (parser_ && parser_->version() < 11)
      head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";

    const asio::const_buffer head = asio::buffer(head_);
    // A HEAD response announces the length but must not carry the body.
    const bool sendBody = hasBody && !(parser_ && parser_->verb() == bhttp::verb::head);
    const asio::const_buffer body = sendBody ? asio::buffer(response_.body) : asio::const_buffer();

    // Usually the whole response fits the socket's send buffer: write it
    // now and skip the async write with its timer.
    error_code ec;
    std::size_t written = stream_.socket().write_some(std::array<asio::const_buffer, 2>{head, body}, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      written = 0;
    }
    if (ec || written == head.size() + body.size()) return finishResponse(ec, written, /*inlineWrite=*/true);

    const std::array<asio::const_buffer, 2> rest =
        written < head.size() ? std::array<asio::const_buffer, 2>{head + written, body}
                              : std::array<asio::const_buffer, 2>{body + (written - head.size()), {}};
    stream_.expires_after(server_.options.readTimeout);
    asio::async_write(stream_, rest, [self = shared_from_this(), written](error_code e, std::size_t n) {
      self->finishResponse(e, written + n, /*inlineWrite=*/false);
    });
  }

  void finishResponse(error_code ec, std::size_t bytes, bool inlineWrite) {
    record(bytes);
    busy_ = false;
    if (ec) return stream_.close();
    if (!keepAlive_ || server_.stopping) return lingerClose();
    if (!inlineWrite) {
      inlineRequests_ = 0;
    } else if (++inlineRequests_ > kMaxInlineRequests) {
      inlineRequests_ = 0;
      asio::post(stream_.get_executor(), [self = shared_from_this()] { self->awaitRequest(); });
      return;
    }
    awaitRequest();
  }

  // Metric handles per (route, method, status), looked up once per thread so
  // that counting a request takes no lock and no allocation.
  struct Series {
    core::Counter* requests;
    core::Histogram* latency;
  };
  const Series& seriesFor(std::string_view route, std::string_view method, int status) {
    thread_local std::map<std::tuple<const core::Metrics*, std::string, std::string, int>, Series, std::less<>> cache;
    const auto* metrics = &server_.metrics;
    if (auto it = cache.find(std::make_tuple(metrics, route, method, status)); it != cache.end()) return it->second;
    Series series{&server_.metrics.counter("http_requests_total", {{"route", std::string(route)},
                                                                   {"method", std::string(method)},
                                                                   {"status", std::to_string(status)}}),
                  &server_.metrics.histogram("http_request_duration_seconds", {{"route", std::string(route)}})};
    return cache.emplace(std::make_tuple(metrics, std::string(route), std::string(method), status), series)
        .first->second;
  }

  void record(std::size_t responseBytes) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    const std::string_view route = match_.route ? std::string_view(match_.route->pattern) : kUnmatched;
    // Unknown methods would let clients create unbounded label values.
    const bool knownMethod = parser_ && parser_->verb() != bhttp::verb::unknown;
    const std::string_view method = knownMethod ? std::string_view(request_.method) : std::string_view("other");
    const int status = response_.status;

    const auto& series = seriesFor(route, method, status);
    series.requests->add();
    series.latency->observe(seconds);

    if (!server_.accessLog) return;
    AccessRecord rec;
    rec.method = request_.method;
    rec.route = route;
    rec.path = request_.path;
    rec.status = status;
    rec.durationSeconds = seconds;
    rec.requestBytes = requestBytes_;
    rec.responseBytes = responseBytes;
    rec.remoteAddress = request_.remoteAddress;
    try {
      server_.accessLog(rec);
    } catch (...) {
      // A failing log sink must not take the connection (or the process) down.
    }
  }

  void lingerClose() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return stream_.close();
    buffer_.clear();
    lingered_ = 0;
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerMaxBytes) return self->stream_.close();
      self->drain();
    });
  }

  ServerState& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  Request request_;
  std::optional<RequestParser> parser_;
  Router::Match match_;
  Response response_;
  std::string head_;
  Clock::time_point started_;
  std::size_t requestBytes_ = 0;
  std::size_t bodyLimit_ = kDefaultMaxBodyBytes;
  std::size_t lingered_ = 0;
  int inlineRequests_ = 0;
  bool readTimeoutArmed_ = false;
  bool keepAlive_ = false;
  bool busy_ = false;
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

std::optional<ListenAddress> parseListen(std::string_view listen) {
  ListenAddress out;
  std::string_view portText;
  if (listen.starts_with('[')) {
    const auto close = listen.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    out.host = listen.substr(1, close - 1);
    portText = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    out.host = listen.substr(0, colon);
    if (out.host.find(':') != std::string::npos) return std::nullopt;  // bare IPv6 needs brackets
    portText = listen.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port > 65535)
    return std::nullopt;
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

std::string describeListenError(const error_code& ec) {
  if (ec == asio::error::address_in_use) return "address already in use";
  if (ec == asio::error::access_denied) return "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)";
  if (ec == boost::system::errc::address_not_available) return "address not available on this host";
  auto text = ec.message();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

void ServerState::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](error_code ec, Socket socket) {
    if (!acceptor.is_open()) return;  // closed by shutdown
    if (ec) {
      retryTimer.expires_after(kAcceptRetryDelay);
      retryTimer.async_wait([this](error_code e) {
        if (!e && acceptor.is_open()) accept();
      });
      return;
    }
    if (stopping) return;  // the socket closes as it goes out of scope
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<Session>(*this, std::move(socket))->start();
    accept();
  });
}

void ServerState::beginShutdown() {
  error_code ec;
  acceptor.close(ec);
  retryTimer.cancel();
  graceTimer.expires_after(options.shutdownGrace);
  graceTimer.async_wait([this](error_code e) {
    if (!e) ioc.stop();  // requests still in flight after the grace period are abandoned
  });

  std::vector<std::shared_ptr<Session>> live;
  bool empty = false;
  {
    std::lock_guard lock(mutex);
    empty = sessions.empty();
    for (const auto& [ptr, weak] : sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  if (empty) graceTimer.cancel();
  for (const auto& s : live) s->requestClose();
}

void ServerState::sessionGone(Session* session) {
  bool last = false;
  {
    std::lock_guard lock(mutex);
    sessions.erase(session);
    last = sessions.empty();
  }
  // ioc.stopped(): forced stop or teardown, when nothing may be posted any more.
  if (last && stopping && !ioc.stopped()) asio::post(acceptStrand, [this] { graceTimer.cancel(); });
}

}  // namespace

struct Server::Impl : ServerState {
  using ServerState::ServerState;
};

Server::Server(ServerOptions options, const Router& router, core::Metrics& metrics,
               std::function<void(const AccessRecord&)> accessLog)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, std::move(accessLog))) {}

Server::~Server() = default;

core::Result<void> Server::bind() {
  auto& s = *impl_;
  const auto& listen = s.options.listen;
  const auto parsed = parseListen(listen);
  if (!parsed)
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "invalid listen address \"" + listen +
                          "\": expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080 (port 0 picks a free port)",
                      "listen");

  asio::ip::address address;
  if (parsed->host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else if (parsed->host.empty() || parsed->host == "*") {
    address = asio::ip::address_v4::any();
  } else {
    error_code ec;
    address = asio::ip::make_address(parsed->host, ec);
    if (ec)
      return core::fail(core::ErrorKind::kInvalidArgument,
                        "cannot listen on " + listen + ": \"" + parsed->host +
                            "\" is not an IP address; use an IPv4 address, [IPv6] or localhost",
                        "listen");
  }

  const tcp::endpoint endpoint(address, parsed->port);
  error_code ec;
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    s.acceptor.close(ignored);
    const auto kind =
        ec == asio::error::access_denied ? core::ErrorKind::kPermissionDenied : core::ErrorKind::kUnavailable;
    return core::fail(kind, "cannot listen on " + listen + ": " + describeListenError(ec), "listen");
  }
  s.boundAddress = formatEndpoint(s.acceptor.local_endpoint(ec));
  return {};
}

std::string Server::boundAddress() const { return impl_->boundAddress; }

void Server::run() {
  auto& s = *impl_;
  if (!s.acceptor.is_open() && !s.stopping) {
    if (!bind()) return;
  }
  s.accept();

  auto loop = [&s] {
    for (;;) {
      try {
        s.ioc.run();
        return;
      } catch (...) {
        // Handlers catch their own exceptions; this keeps the thread serving if one escapes.
      }
    }
  };
  std::vector<std::thread> extra;
  extra.reserve(static_cast<std::size_t>(s.threads - 1));
  for (int i = 1; i < s.threads; ++i) extra.emplace_back(loop);
  loop();
  for (auto& t : extra) t.join();
}

void Server::shutdown() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->acceptStrand, [impl = impl_.get()] { impl->beginShutdown(); });
}

}  // namespace postured::http
