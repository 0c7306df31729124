// forward-auth: a reverse proxy asks, before it passes a request on, whether
// the device behind the request may have it. The answer comes from the
// compiled policy in memory (LivePolicy), never from the database.
//
// What is protected is said by the proxy's configuration:
//  - dst=DEST:PORT: allowed iff the policy lets the device reach that
//    destination over TCP, postures included. DEST resolves as in the access
//    check API (policy/destination.h): a tag, a host alias, a node, an IP.
//    With several candidate nodes (a tag), reaching one is enough.
//  - posture=posture:NAME: allowed iff the device passes that posture.
// Given both, both must hold.
//
// The device is the one holding the client address (client_address.h).
// Everything that is not a clear yes is a no: unknown devices, bad requests
// and postured's own errors deny, each with a one-line reason.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "enforce/forward_auth/client_address.h"
#include "enforce/live_policy.h"
#include "http/message.h"

namespace postured::enforce::forward_auth {

struct ForwardAuthQuery {
  std::optional<std::string> dst;
  std::optional<std::string> posture;
};

// The query of "/forward-auth?dst=...&posture=...". A repeated parameter or a
// bad escape is an error (a proxy that appends the client's query must not
// let the client choose what is checked); so is giving neither.
core::Result<ForwardAuthQuery> queryFromTarget(std::string_view target);
// The path form "/forward-auth/{dst|posture}/{value}/...", for Envoy, which
// appends the original request's path to the configured prefix.
core::Result<ForwardAuthQuery> queryFromPath(std::string_view kind, std::string_view value);

enum class Verdict {
  kAllowed,
  kDenied,         // the device is known and the policy says no
  kUnknownDevice,  // the client address is no device, or cannot be read
  kBadRequest,     // the question cannot be asked of this policy (bad dst, unknown posture)
  kError,          // postured could not decide (the store failed)
};
std::string_view verdictName(Verdict verdict);  // "allowed", "denied", "unknown_device", "bad_request", "error"

struct ForwardAuthAnswer {
  Verdict verdict = Verdict::kDenied;
  std::string reason;  // one line, for X-Postured-Reason
  // The device, when one was found.
  std::string deviceId, hostname, user;
  std::vector<std::string> tags;
};

class ForwardAuth {
 public:
  ForwardAuth(LivePolicy& live, TrustedProxies trusted);

  // Thread-safe.
  ForwardAuthAnswer decide(const http::Request& request, const ForwardAuthQuery& query);

 private:
  std::string explainDenial(const LivePolicy::View& view, std::size_t device, const std::string& dst,
                            std::size_t candidateNode, const policy::IpAddress& ip, std::uint16_t port);

  LivePolicy& live_;
  const TrustedProxies trusted_;
  // Explaining a denial compiles the rules one by one (access_check.h); a
  // browser retrying a denied page asks the same thing many times, so the
  // reasons are kept until the policy or any device changes.
  std::mutex explanationsMutex_;
  std::string explanationsKey_;  // etag and generation they hold for
  std::unordered_map<std::string, std::string> explanations_;
};

}  // namespace postured::enforce::forward_auth
