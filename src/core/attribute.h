// Typed posture attributes: keys ("namespace:name") and values (bool, number,
// string), with the validation rules of Tailscale's custom-attribute API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/attribute_key.h"
#include "core/result.h"
#include "core/time.h"

namespace postured::core {

enum class AttributeType { kBool, kNumber, kString };

std::string_view attributeTypeName(AttributeType type);  // "bool", "number", "string"
std::optional<AttributeType> parseAttributeType(std::string_view name);

// A number is a finite double; API-written numbers are integers within
// +-(2^53-1), provider-written ones may be fractional.
class AttributeValue {
 public:
  AttributeValue() : value_(false) {}
  explicit AttributeValue(bool b) : value_(b) {}
  explicit AttributeValue(double d) : value_(d) {}
  explicit AttributeValue(std::string s) : value_(std::move(s)) {}

  AttributeType type() const { return static_cast<AttributeType>(value_.index()); }
  bool asBool() const { return std::get<bool>(value_); }
  double asNumber() const { return std::get<double>(value_); }
  const std::string& asString() const { return std::get<std::string>(value_); }

  // Text form used by the store: "true"/"false", shortest round-trip number, raw string.
  std::string encode() const;
  static std::optional<AttributeValue> decode(AttributeType type, std::string_view text);

  friend bool operator==(const AttributeValue&, const AttributeValue&) = default;

 private:
  std::variant<bool, double, std::string> value_;
};

inline constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

// Who may write a key, decided by its namespace.
enum class AttributeNamespace {
  kNode,         // node:  derived from device facts (device reports)
  kCustom,       // custom: written through the API
  kIntegration,  // one namespace per provider, written only by the sync engine
  kReserved,     // ip:, posture: and anything else we do not accept
};

// Splits "ns:name" and classifies the namespace. nullopt when there is no ':'.
std::optional<AttributeNamespace> attributeNamespaceOf(std::string_view key);

// Validation of what the API accepts. Each error names `field` and says what
// the rule is.
Result<void> validateCustomKey(std::string_view key, const std::string& field);
Result<void> validateCustomValue(const AttributeValue& value, const std::string& field);
Result<void> validateComment(std::string_view comment, const std::string& field);

inline constexpr std::size_t kMaxCustomKeyLength = 50;
inline constexpr std::size_t kMaxCustomStringLength = 50;
inline constexpr std::size_t kMaxCommentLength = 200;

// Number of characters (UTF-8 code points) in `text`.
std::size_t utf8Length(std::string_view text);

// Lower-cases ASCII; keys are unique case-insensitively.
std::string foldKey(std::string_view key);

// One attribute as stored for a device.
struct DeviceAttribute {
  AttributeKey key;
  AttributeValue value;
  std::optional<Timestamp> expiry;
  Timestamp updated;
};

}  // namespace postured::core

namespace postured::core {
struct Device;
// The node: attributes that follow from a device's own facts, only those known:
// node:os (lower-case), node:osVersion, node:tsVersion (the client version).
std::vector<std::pair<std::string, AttributeValue>> deriveNodeAttributes(const Device& device);
}  // namespace postured::core
