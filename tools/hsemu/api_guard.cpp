#include "api_guard.h"

#include <chrono>
#include <thread>

#include "api_errors.h"

namespace postured::hsemu {

namespace {

bool authorized(const Emulator& emu, const http::Request& request) {
  constexpr std::string_view kPrefix = "Bearer ";
  const auto header = request.header("authorization");
  return header.size() > kPrefix.size() && header.substr(0, kPrefix.size()) == kPrefix &&
         header.substr(kPrefix.size()) == emu.apiKey;
}

void count(Emulator& emu, ApiOp op) {
  switch (op) {
    case ApiOp::kNodeList:
      ++emu.nodeListRequests;
      break;
    case ApiOp::kPolicyGet:
      ++emu.policyGets;
      break;
    case ApiOp::kPolicyPut:
      ++emu.policyPuts;
      break;
    case ApiOp::kPolicyCheck:
      ++emu.policyChecks;
      break;
    default:
      break;
  }
}

}  // namespace

http::Response unavailableResponse(Flavor flavor) {
  auto error = plainError(503, grpc::kUnavailable, "hsemu: headscale is unavailable (injected fault)");
  error.httpStatus = 503;
  return renderError(flavor, error);
}

http::Handler guarded(Emulator& emu, ApiOp op, http::Handler handler) {
  return [&emu, op, handler = std::move(handler)](const http::Request& request, const http::PathParams& params) {
    Faults faults;
    {
      std::lock_guard lock(emu.mutex);
      faults = emu.faults;
    }
    if (faults.delayMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(faults.delayMs));
    if (!authorized(emu, request)) return unauthorized(emu.flavor);
    count(emu, op);
    if (faults.unavailable && op != ApiOp::kPolicyPut) return unavailableResponse(emu.flavor);
    return handler(request, params);
  };
}

}  // namespace postured::hsemu
