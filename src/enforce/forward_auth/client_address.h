// Which address a forward-auth request speaks for.
//
// A reverse proxy calls postured on behalf of its client, so the client's
// address arrives in a header; but anyone can send that header. Forwarded
// headers are therefore believed only when the TCP peer is a trusted proxy
// (`trusted_proxies`). Then the client is the right-most X-Forwarded-For
// address that is not itself a trusted proxy (each proxy appends the address
// it saw, so everything left of the first untrusted hop may be forged; all
// X-Forwarded-For headers count, in order), else X-Real-IP, else the peer.
// From any other peer the peer's own address is the client, whatever the
// headers say.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "policy/ip_set.h"

namespace postured::enforce::forward_auth {

class TrustedProxies {
 public:
  // CIDRs or single addresses ("10.0.0.0/8", "::1"); errors name the entry.
  static core::Result<TrustedProxies> parse(const std::vector<std::string>& entries);
  static TrustedProxies loopback();  // 127.0.0.1/32 and ::1/128, the default

  bool contains(const policy::IpAddress& address) const { return set_.contains(address); }

 private:
  policy::IpSet set_;
};

struct ClientAddress {
  policy::IpAddress ip;
  std::string from;  // "X-Forwarded-For", "X-Real-IP" or "peer": where it was read
};

// kInvalidArgument when the peer or the header postured relies on is not an
// address (an X-Forwarded-For hop such as "unknown" before the client is reached).
core::Result<ClientAddress> clientAddress(const http::Request& request, const TrustedProxies& trusted);

// "1.2.3.4", "1.2.3.4:80", "[::1]:80", "::1"; an IPv4-mapped IPv6 address becomes IPv4.
std::optional<policy::IpAddress> parseHostAddress(std::string_view text);

}  // namespace postured::enforce::forward_auth
