// The decoding rules headscale's policy v2 parser gets from encoding/json/v2
// with MatchCaseInsensitiveNames and RejectUnknownMembers: members match
// field names case-insensitively, an unknown member ends decoding with
// `unknown field: "<name>"`, a member named twice (also in another case)
// is an error, and a value of the wrong JSON kind is a type error.
//
// Decoding stops at the first error (a thrown DecodeError, caught by the
// parser's entry point; it never leaves the policy parser). Messages are
// final: unknown fields are reported bare, as unmarshalPolicy returns them;
// every other decode error gets unmarshalPolicy's "parsing policy from
// bytes: " and the json/v2 SemanticError wording around headscale's own
// message.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "hujson.h"

namespace postured::hsemu::policy {

struct DecodeError {
  std::string message;
};

// headscale's error texts that the decoder itself needs (hscontrol/policy/v2/types.go).
inline constexpr std::string_view kErrGrantViaNotATag = "via can only be a tag";
inline constexpr std::string_view kErrTagNameMustStartWithLetter = "tag names must start with a letter, after 'tag:'";

// The JSON pointer of member `name` (or index) below `parent`.
std::string childPointer(const std::string& parent, std::string_view name);
std::string childPointer(const std::string& parent, std::size_t index);
// A pointer token with ~0 and ~1 decoded.
std::string unescapeToken(std::string_view token);

// Throws "parsing policy from bytes: json: cannot unmarshal JSON <kind>
// into Go <goType> within "<pointer>"[: cause]".
[[noreturn]] void failSemantic(const hujson::Value& value, std::string_view goType, const std::string& pointer,
                               std::string_view cause = {});
// Throws `message` as is (messages unmarshalPolicy passes through unwrapped).
[[noreturn]] void failDirect(std::string message);

// Walks an object's members in document order, calling `onField` with the
// canonical field name of each known member. Throws on duplicates and
// unknown members; `skip` says which members to drop unseen (the ACL rule
// drops names starting with '#').
using FieldHandler = std::function<void(std::string_view field, const hujson::Value& value, const std::string& ptr)>;
void forEachField(const hujson::Value& object, const std::string& pointer, std::string_view goType,
                  std::initializer_list<std::string_view> fields, const FieldHandler& onField,
                  const std::function<bool(std::string_view)>& skip = {});

// A map-typed object: names must be unique (exactly, as jsontext checks).
void requireUniqueNames(const hujson::Value& object, const std::string& pointer);
// Type checks; null is accepted everywhere as "absent" by the callers.
void requireKind(const hujson::Value& value, hujson::Kind kind, std::string_view goType, const std::string& pointer);
// A string slice: an array of strings (or null), with the element type named in errors.
std::vector<std::string> decodeStrings(const hujson::Value& value, std::string_view sliceType,
                                       const std::string& pointer);
// Raw bytes as a Go UnmarshalJSON method sees them with the quotes trimmed
// (strings.Trim(string(b), `"`)): what Action, Protocol and friends parse.
std::string trimmedRaw(const hujson::Value& value);

// strings.TrimSpace for ASCII whitespace.
std::string trimSpace(std::string_view text);
// Go's %T of a value decoded into `any` ("float64", "map[string]interface {}").
std::string_view anyGoType(const hujson::Value& value);
// Go's %v of a slice of strings: "[a b c]".
std::string goList(const std::vector<std::string>& items);

}  // namespace postured::hsemu::policy
