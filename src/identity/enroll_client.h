// The enrollment protocol, client side (the server's side is
// api/enrollment.h): registration with an auth key, and reports signed with
// the device's key (core/device_signature.h). Each call is one HTTP request
// whose answer is classified, so that the agent knows whether to retry,
// register again or give up.
// Not thread-safe (one HTTP client); cancellable through the flag it is given.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/device_signature.h"
#include "http/client.h"

namespace postured::identity {

inline constexpr std::string_view kRegisterPath = "/api/v2/machine/register";

// What a device says about itself in a registration or a report.
struct ReportedFacts {
  std::string hostname;  // already a DNS label (deviceHostname())
  std::string os, osVersion, clientVersion;
  bool postureDisabled = false;      // --report-posture=false: {"PostureDisabled": true}
  std::vector<std::string> serials;  // real serials only, never placeholders
  std::vector<std::string> hardwareAddrs;
  // The machine's IP addresses, so a server driving headscale finds the node
  // this machine is (api/headscale_enrollment.h). Sent even without posture.
  std::vector<std::string> addresses;
};

// The machine's host name as the server accepts it, a DNS label: the first
// label, characters outside [A-Za-z0-9-] turned into '-', leading and
// trailing '-' trimmed, at most 63 characters; "device" when nothing is left.
std::string deviceHostname(std::string_view hostname);

// What the server accepts in one report (api/enrollment.cpp): at most 16
// serials of at most 128 characters, 64 MAC addresses of 6 bytes.
inline constexpr std::size_t kMaxReportedSerials = 16, kMaxSerialLength = 128, kMaxReportedHardwareAddrs = 64;

// Drops what the server would refuse (so that one odd interface cannot fail
// every report): serials beyond the limits, hardware addresses that are not
// 6-byte MACs (InfiniBand has 20 bytes) or beyond 64. Returns a note for a
// human per kind of thing dropped, without the values.
std::vector<std::string> fitToServerLimits(ReportedFacts& facts);

// The request bodies (api/enrollment.h).
nlohmann::json factsJson(const ReportedFacts& facts);
nlohmann::json registrationJson(const std::string& nodeKey, const ReportedFacts& facts,
                                const std::vector<std::string>& tags);
std::string reportPath(const std::string& deviceId);

enum class Outcome {
  kOk,               // 200/201 with a device
  kUnreachable,      // no answer: refused, timed out, reset, TLS failure
  kServerError,      // 5xx, 429, or 408: the server may recover
  kNotFound,         // 404: the device was removed (or this is not a postured server)
  kUnauthenticated,  // 401: auth key refused, bad signature, clock skew
  kRejected,         // any other answer: the request itself was refused (400, 403, ...)
  kCancelled,        // the stop flag was set
};

struct Exchange {
  Outcome outcome = Outcome::kUnreachable;
  int status = 0;       // 0 when there was no answer
  std::string message;  // the server's message, or why there was no answer; empty on success
  // From a successful answer:
  std::string deviceId, hostname, user;
  std::vector<std::string> tags;
  bool created = false;
  bool collectionOn = false;

  bool retryable() const { return outcome == Outcome::kUnreachable || outcome == Outcome::kServerError; }
};

// Classifies an HTTP answer and reads the device or the server's message
// ({"message": ...}, else the start of the body).
Exchange classifyAnswer(int status, std::string_view body);

class EnrollClient {
 public:
  // `server` as normaliseServerUrl() returns it. `cancel`, when given, ends a
  // request in flight within about a second once it becomes true.
  EnrollClient(std::string server, core::DeviceKeyPair keys, const std::atomic<bool>* cancel = nullptr);

  Exchange registerDevice(const std::string& authKey, const ReportedFacts& facts, const std::vector<std::string>& tags);
  Exchange report(const std::string& deviceId, const ReportedFacts& facts);

  const std::string& server() const { return server_; }

 private:
  Exchange post(const std::string& path, const nlohmann::json& body, const std::string& authKey);

  std::string server_;
  core::DeviceKeyPair keys_;
  http::HttpClient http_;
};

}  // namespace postured::identity
