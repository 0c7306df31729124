// The {"policy": "<HuJSON text>"} request body of PUT /api/v1/policy and
// POST /api/v1/policy/check, decoded as each flavor decodes it:
//   main   Huma: an empty body is "request body is required" (400); bad
//          JSON is a 400 "validation failed" naming the body; then the
//          schema check: an unknown member is "unexpected property" and a
//          non-string policy "expected string" (422 "validation failed").
//   v0.29, v0.25  grpc-gateway's JSONPb decoder: an empty body is an empty
//          request; bad JSON is InvalidArgument with encoding/json's text;
//          then protojson with DiscardUnknown: unknown members are dropped,
//          a null policy is unset, another kind is "invalid value for
//          string field policy".
// Go's syntax error texts are approximated: "unexpected end of JSON input"
// (or "unexpected EOF") when the text ends early, else "invalid character
// 'c' looking for beginning of value" at the first byte the parser refused.
#pragma once

#include <optional>
#include <string>

#include "flavor.h"
#include "http/message.h"

namespace postured::hsemu {

struct PolicyBody {
  std::optional<std::string> policy;  // set when the body decoded
  http::Response error;               // the answer otherwise
  std::string errorText;              // its message, for the push log
};

PolicyBody decodePolicyBody(Flavor flavor, const std::string& body);

}  // namespace postured::hsemu
