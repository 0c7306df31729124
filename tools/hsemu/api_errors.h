// Errors as headscale's API layer sends them, per flavor:
//   main   Huma's RFC 7807 problem, application/problem+json:
//          {"title":"Bad Request","status":400,"detail":"setting policy",
//           "errors":[{"message":"parsing policy: ..."}]} (empty fields left out)
//   v0.29  grpc-gateway's status body, application/json:
//   v0.25  {"code":2,"message":"setting policy: parsing policy: ...","details":[]}
//          with the HTTP status grpc-gateway maps the code to.
// An ApiError carries both renderings; the route decides what each flavor
// says, since headscale's handlers word and classify errors differently
// per release.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "flavor.h"
#include "http/message.h"

namespace postured::hsemu {

// gRPC status codes headscale's handlers produce.
namespace grpc {
inline constexpr int kUnknown = 2;  // a plain Go error from a handler
inline constexpr int kInvalidArgument = 3;
inline constexpr int kNotFound = 5;
inline constexpr int kInternal = 13;
inline constexpr int kUnavailable = 14;
inline constexpr int kUnauthenticated = 16;
}  // namespace grpc

struct ApiError {
  int humaStatus = 500;
  std::string detail;               // Huma's detail
  std::vector<std::string> errors;  // Huma's errors[].message
  int grpcCode = grpc::kUnknown;
  std::string grpcMessage;
  std::optional<int> httpStatus;  // forces the HTTP status in every flavor (injected faults)
};

// huma.ErrorNNN(context, err) and fmt.Errorf("context: %w", err).
ApiError wrappedError(int humaStatus, int grpcCode, const std::string& context, const std::string& cause);
// huma.ErrorNNN(message) and status.Error(code, message) / errors.New(message).
ApiError plainError(int humaStatus, int grpcCode, const std::string& message);

http::Response renderError(Flavor flavor, const ApiError& error);
// What the auth middleware answers without a valid key: Huma's problem in
// main, a bare text/plain "Unauthorized" from the HTTP middleware of the
// gRPC-era releases.
http::Response unauthorized(Flavor flavor);

// net/http's StatusText, for problem titles.
std::string httpStatusText(int status);
int httpStatusForGrpcCode(int code);

}  // namespace postured::hsemu
