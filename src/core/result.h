// Errors as values. Every fallible function that crosses a module boundary
// returns Result<T>; exceptions stay inside the module that threw them.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace postured::core {

// The kind decides the HTTP status the API answers with.
enum class ErrorKind {
  kInvalidArgument,   // 400: the caller sent something wrong; `field` names it
  kUnauthenticated,   // 401
  kPermissionDenied,  // 403
  kNotFound,          // 404
  kConflict,          // 409
  kPreconditionFailed,// 412
  kPayloadTooLarge,   // 413
  kUnavailable,       // 503: try again later
  kInternal,          // 500: a bug or an I/O failure on our side
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;  // complete sentence for a human: what, where, what to do
  std::string field;    // JSON path of the offending input, when there is one
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorKind kind, std::string message, std::string field = {}) {
  return tl::unexpected<Error>(Error{kind, std::move(message), std::move(field)});
}

int httpStatusFor(ErrorKind kind);

}  // namespace postured::core
