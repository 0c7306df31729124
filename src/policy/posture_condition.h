// Posture conditions: one string of a policy's "postures" lists, such as
// "node:tsVersion >= '1.60'" or "node:os IN ['macos', 'linux']", parsed once
// and evaluated against a device's attributes.
//
// Grammar (whitespace between tokens is optional, spaces and tabs only):
//   condition := key [op value | (IN | NOT IN) list | IS SET | NOT SET]
//   key       := namespace ':' name    namespace = letter (letter|digit|_)*,
//                                      name = (letter|digit|_|-|.)+
//   op        := == | != | < | <= | > | >=
//   value     := string | number | true | false
//   list      := '[' value (',' value)* [','] ']'   strings or numbers, one type
//   string    := '...' or "..." (any characters; escapes \' \" \\ only)
//   number    := ['-'] digits ['.' digits]
// A bare key means "key == true". Keywords (IN, NOT IN, IS SET, NOT SET) and
// true/false are case-insensitive. Unquoted words are errors, so a forgotten
// quote (node:os == macos, node:tsVersion >= 1.60.0) is caught when the policy
// is saved rather than silently never matching.
//
// Evaluation (DESIGN section 6): a condition on an unset attribute is false for
// every operator except NOT SET. Values of another type than the literal never
// match (not even with != or NOT IN). Ordering on strings compares versions
// (compareVersions, Tailscale's cmpver). Keys match case-insensitively.
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "core/attribute.h"
#include "core/result.h"

namespace postured::policy {

enum class ConditionOp { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn, kIsSet, kNotSet };

// "==", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "IS SET", "NOT SET".
std::string_view conditionOpText(ConditionOp op);
bool isOrderingOp(ConditionOp op);  // <, <=, >, >=

struct ConditionLiteral {
  core::AttributeValue value;
  std::size_t offset = 0;  // byte offset of the literal in the condition text
  std::size_t length = 0;  // bytes, quotes included
};

struct PostureCondition {
  std::string text;       // the condition as written
  std::string key;        // as written, e.g. "sentinelOne:activeThreats"
  std::string foldedKey;  // core::foldKey(key): what lookups receive
  ConditionOp op = ConditionOp::kEq;
  std::vector<ConditionLiteral> values;  // 1 for ==..>=, >= 1 for IN lists, 0 for IS SET/NOT SET
  bool shorthand = false;                // a bare key: op is kEq and values holds `true`
  std::size_t opOffset = 0;              // byte offset of the operator (of the end, for a bare key)

  // Source text of a literal, e.g. "'1.60'" or "70".
  std::string_view literalText(const ConditionLiteral& literal) const {
    return std::string_view(text).substr(literal.offset, literal.length);
  }
};

// A parse error. `offset` is the 0-based byte offset in the condition text
// where the problem is (text.size() for "ended too early"); callers that know
// where the string sits in the policy file turn it into a line:column (columns
// count code points: core::utf8Length(text.substr(0, offset))). The message
// says what was found and what was expected, without a position prefix.
struct ConditionError {
  std::size_t offset = 0;
  std::string message;
};

tl::expected<PostureCondition, ConditionError> parseCondition(std::string_view text);

// The same as a core::Result: kInvalidArgument with the message
// "offset N: <message>" (N as in ConditionError::offset).
core::Result<PostureCondition> parsePostureCondition(std::string_view text);

// Canonical text: "node:os IN ['macos', 'linux']", "custom:x IS SET", a bare key
// stays bare. Parsing it gives an equal condition.
std::string formatCondition(const PostureCondition& condition);

// A value as a condition would write it: 'text' (quoted, escaped), 70, 1.5, true.
std::string formatValue(const core::AttributeValue& value);

// Looks up a device attribute by folded key (core::foldKey); nullptr when unset.
// The returned pointer only needs to stay valid until the next call.
using AttributeLookup = std::function<const core::AttributeValue*(std::string_view foldedKey)>;

// A device's attributes keyed case-insensitively, e.g. for policy tests'
// srcPostureAttrs. Setting a key again (in any case) replaces the value.
class AttributeSet {
 public:
  void set(std::string_view key, core::AttributeValue value);
  const core::AttributeValue* find(std::string_view key) const;  // any case
  AttributeLookup lookup() const;                                // refers to *this: keep it alive while in use
  bool empty() const { return values_.empty(); }

 private:
  std::map<std::string, core::AttributeValue, std::less<>> values_;  // by folded key
};

bool evaluate(const PostureCondition& condition, const AttributeLookup& lookup);

// Why a condition passed or failed, for access checks and the console.
struct ConditionResult {
  bool passed = false;
  std::optional<core::AttributeValue> actual;  // nullopt: the attribute is unset
  // One line, e.g. "node:tsVersion is '1.58.2', which is not >= '1.60' (compared as versions)"
  // or "custom:tier is not set".
  std::string reason;
};

ConditionResult explain(const PostureCondition& condition, const AttributeLookup& lookup);

// The type of a well-known attribute (Tailscale's node:/ip: attributes and the
// provider attributes of the reference, section 2), or nullopt for custom: and
// unknown keys. kVersion values are strings compared with compareVersions.
enum class KnownAttributeType { kBool, kNumber, kString, kVersion };
std::optional<KnownAttributeType> knownAttributeType(std::string_view key);
std::string_view knownAttributeTypeName(KnownAttributeType type);  // "bool", "number", "string", "version"

// A warning when the condition can never match because of types: the literal
// does not fit the key's known type (sentinelOne:activeThreats == 'zero',
// node:os > 3), or the operator does not fit the value (true with <, ordering on
// a bool key). Also warns about ordering on a known plain-string key, which is
// compared as a version. nullopt when nothing is wrong or nothing is known.
std::optional<std::string> typeWarning(const PostureCondition& condition);

// A warning for a key that is probably a typo: an unknown namespace, or a name
// unknown in a namespace whose attributes are all known (node, ip and the
// providers). custom: and fleetPolicy: names are free.
std::optional<std::string> keyWarning(const PostureCondition& condition);

// A warning for a string that a known enumeration never takes, e.g.
// node:os == 'macOS' (the values are lower-case) or kolide:authState == 'Block'.
std::optional<std::string> valueWarning(const PostureCondition& condition);

// All of the above, in that order (key, type, value).
std::vector<std::string> conditionWarnings(const PostureCondition& condition);

}  // namespace postured::policy
