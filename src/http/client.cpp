#include "http/client.h"

#include <curl/curl.h>

#include <charconv>
#include <cstring>
#include <mutex>
#include <utility>

#include "http/message.h"

namespace postured::http {

namespace {

std::once_flag gCurlOnce;
CURLcode gCurlInit = CURLE_OK;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// "host" or "host:port" of `url`, for error messages; empty when curl cannot parse it.
std::string hostOf(const std::string& url, std::string& whyInvalid) {
  std::string out;
  CURLU* u = curl_url();
  if (!u) return out;
  if (const auto rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    whyInvalid = curl_url_strerror(rc);
  } else {
    char* host = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
      out = host;
      curl_free(host);
      char* port = nullptr;
      if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port) {
        out += ':';
        out += port;
        curl_free(port);
      }
    } else {
      whyInvalid = "no host";
    }
  }
  curl_url_cleanup(u);
  return out;
}

TransportFailure classify(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportFailure::kResolve;
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:  // usually a body cut short inside the compressed stream
      return TransportFailure::kReset;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return TransportFailure::kTls;
    default:
      return TransportFailure::kOther;
  }
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(ClientOptions o) : options(std::move(o)) {
    if (options.userAgent.empty()) options.userAgent = "postured/" POSTURED_VERSION;
    std::call_once(gCurlOnce, [] { gCurlInit = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (gCurlInit == CURLE_OK) curl = curl_easy_init();
  }
  ~Impl() {
    if (curl) curl_easy_cleanup(curl);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  static std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Impl*>(user);
    const std::size_t bytes = size * count;
    if (self->response.body.size() + bytes > self->options.maxResponseBytes) {
      self->tooLarge = true;
      return 0;  // anything but `bytes` makes curl abort with CURLE_WRITE_ERROR
    }
    self->response.body.append(data, bytes);
    return bytes;
  }

  // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
  static int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* self = static_cast<const Impl*>(user);
    return self->options.cancel->load(std::memory_order_relaxed) ? 1 : 0;
  }

  static std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Impl*>(user);
    const std::size_t bytes = size * count;
    const std::string_view line(data, bytes);
    // A status line starts a new response (after "100 Continue"): forget the interim headers.
    if (line.starts_with("HTTP/")) {
      self->response.headers.clear();
      return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return bytes;
    std::string name(line.substr(0, colon));
    for (auto& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    auto value = trim(line.substr(colon + 1));
    if (name == "content-length") self->reserveBody(value);
    self->response.headers.emplace_back(std::move(name), std::string(value));
    return bytes;
  }

  ClientOptions options;
  CURL* curl = nullptr;
  char errorText[CURL_ERROR_SIZE] = {};
  ClientResponse response;  // being received
  std::string spareBody;    // from reuseBodyBuffer, for the next response
  bool tooLarge = false;
  TransportFailure lastFailure = TransportFailure::kNone;
  std::string lastFailureReason;

  // Sizes the body buffer once from Content-Length (plus the padding). A
  // compressed body may outgrow it; appending then grows it as usual.
  void reserveBody(std::string_view contentLength) {
    std::size_t length = 0;
    const auto [end, ec] = std::from_chars(contentLength.data(), contentLength.data() + contentLength.size(), length);
    if (ec != std::errc{} || end != contentLength.data() + contentLength.size()) return;
    if (length > options.maxResponseBytes) return;  // refused anyway
    response.body.reserve(length + options.bodyPadding);
  }

  void setFailure(TransportFailure failure, std::string reason) {
    lastFailure = failure;
    lastFailureReason = std::move(reason);
  }
};

std::string_view ClientResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equalsIgnoreCase(k, name)) return v;
  return {};
}

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::reuseBodyBuffer(std::string buffer) {
  if (impl_) impl_->spareBody = std::move(buffer);
}

TransportFailure HttpClient::lastFailure() const { return impl_ ? impl_->lastFailure : TransportFailure::kOther; }

const std::string& HttpClient::lastFailureReason() const {
  static const std::string kMovedFrom = "HttpClient used after it was moved from";
  return impl_ ? impl_->lastFailureReason : kMovedFrom;
}

core::Result<ClientResponse> HttpClient::send(const ClientRequest& request) {
  if (!impl_) return core::fail(core::ErrorKind::kInternal, "HttpClient used after it was moved from");
  auto& s = *impl_;
  s.setFailure(TransportFailure::kNone, {});
  if (!s.curl) {
    s.setFailure(TransportFailure::kOther, std::string("cannot initialise libcurl: ") + curl_easy_strerror(gCurlInit));
    return core::fail(core::ErrorKind::kInternal, s.lastFailureReason);
  }

  std::string whyInvalid;
  const auto host = hostOf(request.url, whyInvalid);
  if (host.empty()) {
    s.setFailure(TransportFailure::kInvalidUrl, whyInvalid.empty() ? "cannot parse" : whyInvalid);
    return core::fail(core::ErrorKind::kInvalidArgument, "invalid URL \"" + request.url + "\": " + s.lastFailureReason,
                      "url");
  }
  if (s.options.cancel && s.options.cancel->load()) {
    s.setFailure(TransportFailure::kCancelled, "cancelled");
    return core::fail(core::ErrorKind::kUnavailable, request.method + " request to " + host + " cancelled");
  }

  CURL* c = s.curl;
  // Reset clears the previous request's method and body but keeps the
  // connection cache, so the next request reuses the kept-alive connection.
  curl_easy_reset(c);
  s.response = ClientResponse{};
  s.response.body = std::exchange(s.spareBody, {});
  s.response.body.clear();
  s.tooLarge = false;
  s.errorText[0] = '\0';

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_USERAGENT, s.options.userAgent.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.options.connectTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s.options.totalTimeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s.errorText);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Impl::onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Impl::onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
  // Rejects early when the server announces the length; the write callback covers the rest.
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(s.options.maxResponseBytes));
  if (s.options.cancel) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &Impl::onProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
  }

  const auto& method = request.method;
  const bool hasBody = !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && !hasBody) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (hasBody) {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  curl_slist* headers = nullptr;
  bool hasContentType = false;
  for (const auto& [name, value] : request.headers) {
    hasContentType = hasContentType || equalsIgnoreCase(name, "content-type");
    // "Name:" would remove a header in curl's syntax; "Name;" sends it empty.
    const auto line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  // curl would label a body form-urlencoded; our APIs speak JSON.
  if (hasBody && !hasContentType) headers = curl_slist_append(headers, "Content-Type: application/json");
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);

  if (s.tooLarge || rc == CURLE_FILESIZE_EXCEEDED) {
    s.setFailure(TransportFailure::kTooLarge,
                 "the response is larger than " + std::to_string(s.options.maxResponseBytes) + " bytes");
    return core::fail(core::ErrorKind::kUnavailable, "response from " + host + " is larger than " +
                                                         std::to_string(s.options.maxResponseBytes) + " bytes");
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK && s.options.cancel && s.options.cancel->load()) {
    s.setFailure(TransportFailure::kCancelled, "cancelled");
    return core::fail(core::ErrorKind::kUnavailable, request.method + " request to " + host + " cancelled");
  }
  if (rc != CURLE_OK) {
    s.setFailure(classify(rc), s.errorText[0] != '\0' ? s.errorText : curl_easy_strerror(rc));
    return core::fail(core::ErrorKind::kUnavailable,
                      request.method + " request to " + host + " failed: " + s.lastFailureReason);
  }

  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  s.response.status = static_cast<int>(status);
  if (s.response.body.capacity() < s.response.body.size() + s.options.bodyPadding)
    s.response.body.reserve(s.response.body.size() + s.options.bodyPadding);
  return std::move(s.response);
}

}  // namespace postured::http
