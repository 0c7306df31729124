#include "core/attribute.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace postured::core {

std::string_view attributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kBool:
      return "bool";
    case AttributeType::kNumber:
      return "number";
    case AttributeType::kString:
      return "string";
  }
  return "unknown";
}

std::optional<AttributeType> parseAttributeType(std::string_view name) {
  if (name == "bool") return AttributeType::kBool;
  if (name == "number") return AttributeType::kNumber;
  if (name == "string") return AttributeType::kString;
  return std::nullopt;
}

void AttributeValue::setHeapString(std::string_view s) {
  // Values are validated to be short (50 characters for the API, a page's
  // worth at most for providers): 32 bits of length are plenty.
  const auto size = static_cast<std::uint32_t>(s.size());
  char* data = new char[size];
  std::memcpy(data, s.data(), size);
  std::memcpy(bytes_, &data, sizeof data);
  std::memcpy(bytes_ + 8, &size, sizeof size);
  bytes_[15] = kHeapString;
}

std::string AttributeValue::encode() const {
  switch (type()) {
    case AttributeType::kBool:
      return asBool() ? "true" : "false";
    case AttributeType::kNumber: {
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, asNumber());
      return ec == std::errc() ? std::string(buf, end) : std::string("0");
    }
    case AttributeType::kString:
      return std::string(asString());
  }
  return {};
}

std::optional<AttributeValue> AttributeValue::decode(AttributeType type, std::string_view text) {
  switch (type) {
    case AttributeType::kBool:
      if (text == "true") return AttributeValue(true);
      if (text == "false") return AttributeValue(false);
      return std::nullopt;
    case AttributeType::kNumber: {
      double d = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) return std::nullopt;
      return AttributeValue(d);
    }
    case AttributeType::kString:
      return AttributeValue(text);
  }
  return std::nullopt;
}

std::optional<AttributeNamespace> attributeNamespaceOf(std::string_view key) {
  const auto colon = key.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto ns = key.substr(0, colon);
  if (ns == "node") return AttributeNamespace::kNode;
  if (ns == "custom") return AttributeNamespace::kCustom;
  // Tailscale's integration namespaces. A later provider adds itself here.
  static constexpr std::string_view kIntegrationNamespaces[] = {
      "sentinelOne", "falcon", "intune", "jamfPro", "kandji", "kolide", "fleet", "fleetPolicy", "huntress"};
  for (auto known : kIntegrationNamespaces)
    if (ns == known) return AttributeNamespace::kIntegration;
  return AttributeNamespace::kReserved;
}

namespace {
bool isWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
}  // namespace

Result<void> validateCustomKey(std::string_view key, const std::string& field) {
  constexpr std::string_view kPrefix = "custom:";
  if (key.substr(0, kPrefix.size()) != kPrefix) {
    const auto ns = attributeNamespaceOf(key);
    if (ns == AttributeNamespace::kIntegration)
      return fail(ErrorKind::kInvalidArgument,
                  "attribute \"" + std::string(key) +
                      "\" belongs to a posture integration and is written only by its sync; the API can set "
                      "only custom: attributes",
                  field);
    if (ns == AttributeNamespace::kNode)
      return fail(ErrorKind::kInvalidArgument,
                  "attribute \"" + std::string(key) +
                      "\" is derived from the device's own reports; the API can set only custom: attributes",
                  field);
    return fail(ErrorKind::kInvalidArgument, "attribute key \"" + std::string(key) + "\" must start with \"custom:\"",
                field);
  }
  if (key.size() > kMaxCustomKeyLength)
    return fail(ErrorKind::kInvalidArgument,
                "attribute key \"" + std::string(key) + "\" is " + std::to_string(key.size()) +
                    " characters long; the limit is " + std::to_string(kMaxCustomKeyLength) + " including \"custom:\"",
                field);
  const auto name = key.substr(kPrefix.size());
  if (name.empty())
    return fail(ErrorKind::kInvalidArgument, "attribute key \"custom:\" needs a name after the colon", field);
  for (char c : name)
    if (!isWordChar(c))
      return fail(ErrorKind::kInvalidArgument,
                  "attribute key \"" + std::string(key) +
                      "\" may contain only letters, digits and underscores after \"custom:\"",
                  field);
  return {};
}

Result<void> validateCustomValue(const AttributeValue& value, const std::string& field) {
  switch (value.type()) {
    case AttributeType::kBool:
      return {};
    case AttributeType::kNumber: {
      const double d = value.asNumber();
      if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > kMaxSafeInteger)
        return fail(ErrorKind::kInvalidArgument, "number values must be integers between -(2^53-1) and 2^53-1", field);
      return {};
    }
    case AttributeType::kString: {
      const auto& s = value.asString();
      if (s.size() > kMaxCustomStringLength)
        return fail(ErrorKind::kInvalidArgument,
                    "string values may be at most " + std::to_string(kMaxCustomStringLength) + " characters long",
                    field);
      for (char c : s)
        if (!isWordChar(c) && c != '.')
          return fail(ErrorKind::kInvalidArgument,
                      "string values may contain only letters, digits, underscores and periods", field);
      return {};
    }
  }
  return {};
}

std::size_t utf8Length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // count every byte that starts a character
  return n;
}

Result<void> validateComment(std::string_view comment, const std::string& field) {
  if (utf8Length(comment) > kMaxCommentLength)
    return fail(ErrorKind::kInvalidArgument,
                "comment may be at most " + std::to_string(kMaxCommentLength) + " characters long", field);
  return {};
}

std::string foldKey(std::string_view key) {
  std::string out(key);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace postured::core

#include "core/device.h"

namespace postured::core {

std::vector<std::pair<std::string, AttributeValue>> deriveNodeAttributes(const Device& device) {
  std::vector<std::pair<std::string, AttributeValue>> out;
  if (!device.os.empty()) out.emplace_back("node:os", AttributeValue(foldKey(device.os)));
  if (!device.osVersion.empty()) out.emplace_back("node:osVersion", AttributeValue(device.osVersion));
  if (!device.clientVersion.empty()) out.emplace_back("node:tsVersion", AttributeValue(device.clientVersion));
  return out;
}

}  // namespace postured::core
