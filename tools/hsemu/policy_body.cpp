#include "policy_body.h"

#include <nlohmann/json.hpp>

#include "api_errors.h"
#include "core/text.h"
#include "go_text.h"

namespace postured::hsemu {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

// Go's text for the syntax error nlohmann reported at byte `position` (1-based).
std::string goSyntaxError(const std::string& body, std::size_t position, bool decoder) {
  if (position > body.size()) return decoder ? "unexpected EOF" : "unexpected end of JSON input";
  const auto c = static_cast<unsigned char>(body[position == 0 ? 0 : position - 1]);
  return "invalid character " + goQuoteByte(c) + " looking for beginning of value";
}

PolicyBody humaProblem(int status, const std::string& detail, ordered_json errors) {
  ordered_json problem = {{"title", httpStatusText(status)}, {"status", status}, {"detail", detail}};
  std::string text = detail;
  if (!errors.empty()) {
    text += ": " + errors[0]["message"].get<std::string>();
    problem["errors"] = std::move(errors);
  }
  auto response = http::Response::json(status, problem.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  response.contentType = "application/problem+json";
  return PolicyBody{std::nullopt, std::move(response), std::move(text)};
}

PolicyBody decodeHuma(const std::string& body) {
  if (body.empty()) return humaProblem(400, "request body is required", ordered_json::array());
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    return humaProblem(400, "validation failed",
                       ordered_json::array(
                           {{{"message", goSyntaxError(body, e.byte, false)}, {"location", "body"}, {"value", body}}}));
  }
  ordered_json errors = ordered_json::array();
  if (!parsed.is_object())
    return humaProblem(
        422, "validation failed",
        ordered_json::array({{{"message", "expected object"}, {"location", "body"}, {"value", parsed}}}));
  std::string policy;
  // The schema check looks the property up by its exact name; unknown
  // members match case-insensitively (Huma's default casing rule), as
  // encoding/json then decodes them.
  for (const auto& [name, value] : parsed.items()) {
    if (!core::equalsIgnoreCase(name, "policy")) continue;
    if (value.is_string()) {
      policy = value.get<std::string>();
    } else if (name == "policy") {
      errors.push_back({{"message", "expected string"}, {"location", "body.policy"}, {"value", value}});
    }
  }
  for (const auto& [name, value] : parsed.items())
    if (!core::equalsIgnoreCase(name, "policy"))
      errors.push_back({{"message", "unexpected property"}, {"location", "body." + name}, {"value", parsed}});
  if (!errors.empty()) return humaProblem(422, "validation failed", std::move(errors));
  return PolicyBody{policy, {}, {}};
}

// Line and column (runes, 1-based) of byte `offset`, as protojson reports them.
std::string position(const std::string& body, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < body.size(); ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return "(line " + std::to_string(line) + ":" + std::to_string(column) + ")";
}

// Where the value of the top-level "policy" member starts (best effort).
std::size_t policyValueOffset(const std::string& body) {
  auto at = body.find("\"policy\"");
  if (at == std::string::npos) return 0;
  at += 8;
  while (at < body.size() &&
         (body[at] == ' ' || body[at] == '\t' || body[at] == '\r' || body[at] == '\n' || body[at] == ':'))
    ++at;
  return at;
}

PolicyBody gatewayError(Flavor flavor, const std::string& message) {
  return PolicyBody{std::nullopt, renderError(flavor, plainError(400, grpc::kInvalidArgument, message)), message};
}

PolicyBody decodeGateway(Flavor flavor, const std::string& body) {
  if (blank(body)) return PolicyBody{std::string(), {}, {}};
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    return gatewayError(flavor, goSyntaxError(body, e.byte, true));
  }
  const auto start = body.find_first_not_of(" \t\r\n");
  if (!parsed.is_object()) {
    const auto raw = parsed.is_array() ? std::string("[") : parsed.dump();
    return gatewayError(flavor, "proto: syntax error " + position(body, start) + ": unexpected token " + raw);
  }
  std::string policy;
  if (auto it = parsed.find("policy"); it != parsed.end() && !it->is_null()) {
    if (!it->is_string()) {
      const auto raw = it->is_array() ? std::string("[") : it->is_object() ? std::string("{") : it->dump();
      return gatewayError(flavor, "proto: " + position(body, policyValueOffset(body)) +
                                      ": invalid value for string field policy: " + raw);
    }
    policy = it->get<std::string>();
  }
  return PolicyBody{policy, {}, {}};
}

}  // namespace

PolicyBody decodePolicyBody(Flavor flavor, const std::string& body) {
  return isGrpcGateway(flavor) ? decodeGateway(flavor, body) : decodeHuma(body);
}

}  // namespace postured::hsemu
