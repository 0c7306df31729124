// Typed posture attributes: keys ("namespace:name") and values (bool, number,
// string), with the validation rules of Tailscale's custom-attribute API.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
//
// 16 bytes: a large fleet holds millions of values, nearly all booleans,
// small numbers and short strings (versions, states), so a string of up to
// 14 bytes is kept inline and only a longer one on the heap.
class AttributeValue {
 public:
  AttributeValue() : AttributeValue(false) {}
  explicit AttributeValue(bool b) {
    bytes_[0] = b ? 1 : 0;
    bytes_[15] = kBool;
  }
  explicit AttributeValue(double d) {
    std::memcpy(bytes_, &d, sizeof d);
    bytes_[15] = kNumber;
  }
  explicit AttributeValue(std::string_view s) { setString(s); }
  explicit AttributeValue(const std::string& s) : AttributeValue(std::string_view(s)) {}
  explicit AttributeValue(const char* s) = delete;  // would silently pick bool

  AttributeValue(const AttributeValue& other) { copyFrom(other); }
  AttributeValue(AttributeValue&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.bytes_[15] = 0;  // the heap string, if any, is ours now; the source is left ""
  }
  AttributeValue& operator=(const AttributeValue& other) {
    if (this != &other) {
      release();
      copyFrom(other);
    }
    return *this;
  }
  AttributeValue& operator=(AttributeValue&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
      other.bytes_[15] = 0;
    }
    return *this;
  }
  ~AttributeValue() { release(); }

  AttributeType type() const {
    return tag() == kBool ? AttributeType::kBool : tag() == kNumber ? AttributeType::kNumber : AttributeType::kString;
  }
  bool asBool() const { return tag() == kBool && bytes_[0] != 0; }  // false unless type() is kBool
  double asNumber() const {                                         // 0 unless type() is kNumber
    double d = 0;
    if (tag() == kNumber) std::memcpy(&d, bytes_, sizeof d);
    return d;
  }
  std::string_view asString() const {  // "" unless type() is kString
    if (tag() <= kMaxInline) return {reinterpret_cast<const char*>(bytes_), tag()};
    if (tag() == kHeapString) return {heapData(), heapSize()};
    return {};
  }

  // Text form used by the store: "true"/"false", shortest round-trip number, raw string.
  std::string encode() const;
  static std::optional<AttributeValue> decode(AttributeType type, std::string_view text);

  friend bool operator==(const AttributeValue& a, const AttributeValue& b) {
    if (a.tag() != b.tag())
      return a.type() == AttributeType::kString && b.type() == AttributeType::kString &&
             a.asString() == b.asString();  // an inline and a heap string differ in length
    if (a.tag() == kNumber) return a.asNumber() == b.asNumber();
    if (a.tag() == kBool) return a.asBool() == b.asBool();
    return a.asString() == b.asString();
  }

 private:
  // bytes_[15] says what the rest holds: 0..14, an inline string of that
  // length in bytes_[0..14]; kBool, a bool in bytes_[0]; kNumber, a double
  // in bytes_[0..8]; kHeapString, a pointer in bytes_[0..8] and a 32-bit
  // length in bytes_[8..12].
  static constexpr unsigned char kMaxInline = 14;
  static constexpr unsigned char kBool = 15, kNumber = 16, kHeapString = 17;
  unsigned char tag() const { return bytes_[15]; }
  const char* heapData() const {
    const char* data = nullptr;
    std::memcpy(&data, bytes_, sizeof data);
    return data;
  }
  std::uint32_t heapSize() const {
    std::uint32_t size = 0;
    std::memcpy(&size, bytes_ + 8, sizeof size);
    return size;
  }
  void setString(std::string_view s) {
    if (s.size() > kMaxInline) return setHeapString(s);
    if (!s.empty()) std::memcpy(bytes_, s.data(), s.size());  // an empty view's data() may be null
    bytes_[15] = static_cast<unsigned char>(s.size());
  }
  void setHeapString(std::string_view s);
  void release() {
    if (tag() == kHeapString) delete[] heapData();
    bytes_[15] = kBool;
  }
  void copyFrom(const AttributeValue& other) {
    if (other.tag() == kHeapString)
      setString(other.asString());
    else
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
  }

  alignas(8) unsigned char bytes_[16];
};
static_assert(sizeof(AttributeValue) == 16);

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

// True when `key` is in namespace `ns` ("sentinelOne:isActive" in "sentinelOne").
inline bool inNamespace(std::string_view key, std::string_view ns) {
  return key.size() > ns.size() && key.compare(0, ns.size(), ns) == 0 && key[ns.size()] == ':';
}

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
