#include "policy_api.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api_errors.h"
#include "api_guard.h"
#include "api_response.h"
#include "go_text.h"
#include "policy_body.h"
#include "policy_v1.h"
#include "policy_v2.h"

#include "core/sha256.h"

namespace postured::hsemu {

namespace {

using nlohmann::ordered_json;

// types.ErrPolicyUpdateIsDisabled.
constexpr const char* kUpdateDisabled = "update is disabled for modes other than 'database'";

ordered_json policyBody(Flavor flavor, const std::string& text, std::optional<Micros> updatedAt) {
  ordered_json body = {{"policy", text}};
  if (isGrpcGateway(flavor)) {
    body["updatedAt"] = updatedAt ? ordered_json(formatProtoTime(*updatedAt)) : ordered_json(nullptr);
  } else {
    // A Go time.Time field: the zero time when headscale read no row.
    body["updatedAt"] = formatGoTime(updatedAt.value_or(kGoZeroTime));
  }
  return body;
}

// The parser error of `text` for the flavor, already "parsing policy: "-wrapped.
std::optional<std::string> policyError(Flavor flavor, const std::string& text) {
  if (flavor == Flavor::kV025) return policy::checkPolicyV1(text);  // wraps itself
  if (auto error = policy::checkPolicyV2(text)) return "parsing policy: " + *error;
  return std::nullopt;
}

http::Response getPolicy(Emulator& emu) {
  std::lock_guard lock(emu.mutex);
  if (emu.mode == PolicyMode::kDatabase) {
    if (!emu.policy)
      return renderError(emu.flavor,
                         wrappedError(500, grpc::kUnknown, "loading ACL from database", "acl policy not found"));
    return apiJson(emu.flavor, policyBody(emu.flavor, emu.policy->text, emu.policy->updatedAt));
  }
  const auto path = emu.policyPath.empty() ? std::string() : std::filesystem::absolute(emu.policyPath).string();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return renderError(emu.flavor, wrappedError(500, grpc::kUnknown, "reading policy from path " + goQuote(path),
                                                "open " + path + ": no such file or directory"));
  std::stringstream text;
  text << in.rdbuf();
  return apiJson(emu.flavor, policyBody(emu.flavor, text.str(), std::nullopt));
}

void logPush(Emulator& emu, Micros receivedAt, const std::string& outcome, int status, const std::string& error,
             const std::string& policy) {
  emu.pushes.push_back(Push{receivedAt, nowMicros(), outcome, status, error, policy, core::sha256Hex(policy)});
}

http::Response setPolicy(Emulator& emu, const http::Request& request) {
  const Micros receivedAt = nowMicros();
  std::lock_guard lock(emu.mutex);
  if (emu.faults.unavailable) {
    auto response = unavailableResponse(emu.flavor);
    logPush(emu, receivedAt, "failed", response.status, "headscale is unavailable (injected fault)", "");
    return response;
  }
  auto body = decodePolicyBody(emu.flavor, request.body);
  if (emu.faults.failPuts > 0) {
    --emu.faults.failPuts;
    auto error = plainError(emu.faults.failStatus, grpc::kInternal, "hsemu: injected PUT failure");
    error.httpStatus = emu.faults.failStatus;
    logPush(emu, receivedAt, "failed", emu.faults.failStatus, error.grpcMessage, body.policy.value_or(""));
    return renderError(emu.flavor, error);
  }
  if (!body.policy) {
    logPush(emu, receivedAt, "rejected", body.error.status, body.errorText, "");
    return body.error;
  }
  const auto& text = *body.policy;
  if (emu.mode != PolicyMode::kDatabase) {
    const auto error = wrappedError(400, grpc::kUnknown, kUpdateDisabled, kUpdateDisabled);
    auto answer =
        renderError(emu.flavor, isGrpcGateway(emu.flavor) ? plainError(500, grpc::kUnknown, kUpdateDisabled) : error);
    logPush(emu, receivedAt, "rejected", answer.status, kUpdateDisabled, text);
    return answer;
  }
  if (auto error = policyError(emu.flavor, text)) {
    auto answer = renderError(emu.flavor, wrappedError(400, grpc::kUnknown, "setting policy", *error));
    logPush(emu, receivedAt, "rejected", answer.status, "setting policy: " + *error, text);
    return answer;
  }
  const StoredPolicy previous = emu.policy.value_or(StoredPolicy{});
  const bool hadPolicy = emu.policy.has_value();
  emu.policy = StoredPolicy{text, nowMicros()};
  if (auto saved = emu.save(); !saved) {
    // headscale answers a failed database write with a 500 and keeps the old row.
    if (hadPolicy)
      emu.policy = previous;
    else
      emu.policy.reset();
    auto answer = renderError(emu.flavor, wrappedError(500, grpc::kUnknown, "setting policy", saved.error().message));
    logPush(emu, receivedAt, "failed", answer.status, saved.error().message, text);
    return answer;
  }
  logPush(emu, receivedAt, "accepted", 200, "", text);
  return apiJson(emu.flavor, policyBody(emu.flavor, emu.policy->text, emu.policy->updatedAt));
}

http::Response checkPolicy(Emulator& emu, const http::Request& request) {
  auto body = decodePolicyBody(emu.flavor, request.body);
  if (!body.policy) return body.error;
  if (auto error = policyError(emu.flavor, *body.policy))
    return renderError(emu.flavor, wrappedError(400, grpc::kInvalidArgument, *error, *error));
  return apiJson(emu.flavor, ordered_json::object());
}

// grpc-gateway's answer for a path none of its patterns match.
http::Response gatewayNotFound(Flavor flavor) {
  return renderError(flavor, plainError(404, grpc::kNotFound, "Not Found"));
}

}  // namespace

void registerPolicyApi(http::Router& router, Emulator& emu) {
  router.add("GET", "/api/v1/policy",
             guarded(emu, ApiOp::kPolicyGet,
                     [&emu](const http::Request&, const http::PathParams&) { return getPolicy(emu); }));
  router.add("PUT", "/api/v1/policy",
             guarded(emu, ApiOp::kPolicyPut,
                     [&emu](const http::Request& request, const http::PathParams&) { return setPolicy(emu, request); }),
             kMaxPolicyBodyBytes);
  router.add("POST", "/api/v1/policy/check",
             guarded(emu, ApiOp::kPolicyCheck,
                     [&emu](const http::Request& request, const http::PathParams&) {
                       if (isGrpcGateway(emu.flavor)) return gatewayNotFound(emu.flavor);
                       return checkPolicy(emu, request);
                     }),
             kMaxPolicyBodyBytes);
}

}  // namespace postured::hsemu
