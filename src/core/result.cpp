#include "core/result.h"

namespace postured::core {

int httpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kPermissionDenied: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kPreconditionFailed: return 412;
    case ErrorKind::kPayloadTooLarge: return 413;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

}  // namespace postured::core
