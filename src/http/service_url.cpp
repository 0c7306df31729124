#include "http/service_url.h"

#include <charconv>

#include "core/ip.h"

namespace postured::http {

namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::string_view kInsecureHint =
    "plain http is accepted only for a loopback address (127.0.0.1, ::1, localhost) when the server's config sets "
    "allow_insecure_provider_urls = true (env POSTURED_ALLOW_INSECURE_PROVIDER_URLS=1), for tests against a local "
    "emulator";

// The input as it can appear in a one-line message: bytes other than
// printable ASCII are escaped, and the length is capped.
std::string quoted(std::string_view input) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr std::size_t kMaxShown = 100;
  std::string out = "\"";
  for (std::size_t i = 0; i < input.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(input[i]);
    if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (input.size() > kMaxShown) out += "...";
  return out + "\"";
}

tl::unexpected<core::Error> invalid(const ServiceUrlRules& rules, std::string_view input, std::string_view why) {
  return core::fail(core::ErrorKind::kInvalidArgument,
                    std::string(rules.field) + " " + quoted(input) + " is not " + std::string(rules.what) + ": " +
                        std::string(why),
                    std::string(rules.field));
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowerCopy(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// RFC 1123 host name, or a dotted IPv4 address (which is a valid host name
// by the same rules, digits being allowed in labels).
bool isHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    auto end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    const auto label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label)
      if (!isAlnum(c) && c != '-') return false;
    start = end + 1;
  }
  // All-numeric names that are not a valid IPv4 address ("999.1", "1.2.3.4.5") are typos, not hosts.
  const bool allNumeric = host.find_first_not_of("0123456789.") == std::string_view::npos;
  return !allNumeric || core::parseIpv4(host).has_value();
}

}  // namespace

bool isLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const auto v6 = core::parseIpv6(host.substr(1, host.size() - 2));
    if (!v6) return false;
    core::Ipv6Bytes loopback{};
    loopback[15] = 1;
    return *v6 == loopback;
  }
  if (lowerCopy(host) == "localhost") return true;
  const auto v4 = core::parseIpv4(host);
  return v4 && (*v4 >> 24) == 127;
}

core::Result<std::string> normaliseServiceUrl(std::string_view input, bool allowInsecureUrls,
                                              const ServiceUrlRules& rules) {
  auto text = input;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty())
    return core::fail(core::ErrorKind::kInvalidArgument,
                      std::string(rules.field) + " is required: " + std::string(rules.what) + ", e.g. " +
                          std::string(rules.example),
                      std::string(rules.field));
  if (text.size() > kMaxUrlLength) return invalid(rules, input, "it is longer than 2048 characters");
  for (const char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return invalid(rules, input, "it contains a space, a control character or a non-ASCII character");

  std::string scheme = "https";
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    scheme = lowerCopy(text.substr(0, sep));
    if (scheme != "https" && scheme != "http")
      return invalid(rules, input, "the scheme must be https (e.g. " + std::string(rules.example) + ")");
    text.remove_prefix(sep + 3);
  }
  if (text.find('?') != std::string_view::npos)
    return invalid(rules, input, "it must not contain a query (\"?...\"); give the server's address only");
  if (text.find('#') != std::string_view::npos)
    return invalid(rules, input, "it must not contain a fragment (\"#...\"); give the server's address only");

  const auto slash = text.find('/');
  const auto authority = text.substr(0, slash);
  if (slash != std::string_view::npos &&
      text.substr(slash).find_first_not_of('/') != std::string_view::npos)
    return invalid(rules, input, "it must not contain a path; give the server's address only, e.g. " +
                                     std::string(rules.example) + " (postured adds " + std::string(rules.apiPath) +
                                     ")");
  if (authority.find('@') != std::string_view::npos)
    return invalid(rules, input, "it must not contain a user name or password; " + std::string(rules.credentialHint));
  if (authority.empty()) return invalid(rules, input, "it has no host name");

  // Split host and port; an IPv6 literal is bracketed.
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid(rules, input, "the IPv6 address has no closing ']'");
    host = authority.substr(0, close + 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return invalid(rules, input, "unexpected text after the IPv6 address");
      port = rest.substr(1);
      if (port.empty()) return invalid(rules, input, "the port after ':' is empty");
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return invalid(rules, input, "the port after ':' is empty");
  }

  std::string normalisedHost;
  if (host.front() == '[') {
    const auto v6 = core::parseIpv6(host.substr(1, host.size() - 2));
    if (!v6) return invalid(rules, input, "\"" + std::string(host) + "\" is not a valid IPv6 address");
    normalisedHost = "[" + core::formatIpv6(*v6) + "]";
  } else {
    if (!isHostName(host)) return invalid(rules, input, "\"" + std::string(host) + "\" is not a valid host name");
    normalisedHost = lowerCopy(host);
  }

  std::string normalisedPort;
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535 ||
        port.front() == '+')
      return invalid(rules, input, "the port must be a number from 1 to 65535");
    normalisedPort = ":" + std::to_string(value);
  }

  if (scheme == "http") {
    if (!isLoopbackHost(normalisedHost))
      return invalid(rules, input, "https is required; " + std::string(kInsecureHint));
    if (!allowInsecureUrls) return invalid(rules, input, "https is required; " + std::string(kInsecureHint));
  }
  return scheme + "://" + normalisedHost + normalisedPort;
}

}  // namespace postured::http
