#include "api_errors.h"

#include <nlohmann/json.hpp>

namespace postured::hsemu {

namespace {

using nlohmann::ordered_json;

std::string dump(const ordered_json& body) {
  // Go's encoders end a body with a newline.
  return body.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

// The gRPC code an injected HTTP status is reported under.
int grpcCodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return grpc::kInvalidArgument;
    case 401:
      return grpc::kUnauthenticated;
    case 403:
      return 7;
    case 404:
      return grpc::kNotFound;
    case 409:
      return 10;
    case 429:
      return 8;
    case 501:
      return 12;
    case 503:
      return grpc::kUnavailable;
    case 504:
      return 4;
    default:
      return status >= 500 ? grpc::kInternal : grpc::kUnknown;
  }
}

}  // namespace

ApiError wrappedError(int humaStatus, int grpcCode, const std::string& context, const std::string& cause) {
  return ApiError{humaStatus, context, {cause}, grpcCode, context + ": " + cause, std::nullopt};
}

ApiError plainError(int humaStatus, int grpcCode, const std::string& message) {
  return ApiError{humaStatus, message, {}, grpcCode, message, std::nullopt};
}

http::Response renderError(Flavor flavor, const ApiError& error) {
  if (isGrpcGateway(flavor)) {
    const int code = error.httpStatus ? grpcCodeForHttpStatus(*error.httpStatus) : error.grpcCode;
    const ordered_json body = {{"code", code}, {"message", error.grpcMessage}, {"details", ordered_json::array()}};
    return http::Response::json(error.httpStatus.value_or(httpStatusForGrpcCode(code)), dump(body));
  }
  const int status = error.httpStatus.value_or(error.humaStatus);
  ordered_json body = ordered_json::object();
  if (const auto title = httpStatusText(status); !title.empty()) body["title"] = title;
  body["status"] = status;
  if (!error.detail.empty()) body["detail"] = error.detail;
  if (!error.errors.empty()) {
    auto& details = body["errors"] = ordered_json::array();
    for (const auto& message : error.errors) details.push_back({{"message", message}});
  }
  auto response = http::Response::json(status, dump(body));
  response.contentType = "application/problem+json";
  return response;
}

http::Response unauthorized(Flavor flavor) {
  if (!isGrpcGateway(flavor)) return renderError(flavor, plainError(401, grpc::kUnauthenticated, "Unauthorized"));
  http::Response response;
  response.status = 401;
  // net/http sniffs this type for a handler that sets none.
  response.contentType = "text/plain; charset=utf-8";
  response.body = "Unauthorized";
  return response;
}

std::string httpStatusText(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Request Entity Too Large";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return {};
  }
}

int httpStatusForGrpcCode(int code) {
  switch (code) {
    case 0:
      return 200;
    case 1:
      return 499;
    case grpc::kInvalidArgument:
      return 400;
    case 4:
      return 504;
    case grpc::kNotFound:
      return 404;
    case 6:
      return 409;
    case 7:
      return 403;
    case 8:
      return 429;
    case 9:
      return 400;
    case 10:
      return 409;
    case 11:
      return 400;
    case 12:
      return 501;
    case grpc::kUnavailable:
      return 503;
    case grpc::kUnauthenticated:
      return 401;
    default:
      return 500;  // Unknown, Internal, DataLoss
  }
}

}  // namespace postured::hsemu
