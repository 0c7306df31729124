#include "policy_decode.h"

#include "core/text.h"
#include "go_text.h"

namespace postured::hsemu::policy {

std::string childPointer(const std::string& parent, std::string_view name) {
  std::string out = parent + "/";
  for (const char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescapeToken(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::string childPointer(const std::string& parent, std::size_t index) { return parent + "/" + std::to_string(index); }

void failSemantic(const hujson::Value& value, std::string_view goType, const std::string& pointer,
                  std::string_view cause) {
  // unmarshalPolicy rewords two kinds of semantic error before wrapping the
  // rest: anything under a grant's via, and the tag-name rule, which it
  // reports with the pointer's last token whatever the member was.
  if (pointer.find("/via/") != std::string::npos) failDirect(std::string(kErrGrantViaNotATag));
  if (cause == kErrTagNameMustStartWithLetter) {
    const auto slash = pointer.rfind('/');
    failDirect("tagOwners[" + goQuote(unescapeToken(pointer.substr(slash + 1))) +
               "]: " + std::string(kErrTagNameMustStartWithLetter));
  }
  std::string message = "parsing policy from bytes: json: cannot unmarshal JSON ";
  message += hujson::kindName(value.kind);
  message += " into Go ";
  message += goType;
  if (!pointer.empty()) message += " within \"" + pointer + "\"";
  if (!cause.empty()) {
    message += ": ";
    message += cause;
  }
  throw DecodeError{std::move(message)};
}

void failDirect(std::string message) { throw DecodeError{std::move(message)}; }

void requireKind(const hujson::Value& value, hujson::Kind kind, std::string_view goType, const std::string& pointer) {
  if (value.kind != kind) failSemantic(value, goType, pointer);
}

void forEachField(const hujson::Value& object, const std::string& pointer, std::string_view goType,
                  std::initializer_list<std::string_view> fields, const FieldHandler& onField,
                  const std::function<bool(std::string_view)>& skip) {
  requireKind(object, hujson::Kind::kObject, goType, pointer);
  std::vector<std::string_view> seen;
  for (const auto& member : object.members) {
    if (skip && skip(member.name)) continue;
    const auto ptr = childPointer(pointer, member.name);
    std::string_view field;
    for (const auto candidate : fields)
      if (core::equalsIgnoreCase(candidate, member.name)) field = candidate;
    if (field.empty()) failDirect("unknown field: " + goQuote(member.name));
    for (const auto earlier : seen)
      if (earlier == field)
        throw DecodeError{"parsing policy from bytes: jsontext: duplicate object member name " + goQuote(member.name) +
                          " within \"" + ptr + "\""};
    seen.push_back(field);
    if (member.value.kind == hujson::Kind::kNull) continue;  // null leaves the field at its zero value
    onField(field, member.value, ptr);
  }
}

void requireUniqueNames(const hujson::Value& object, const std::string& pointer) {
  for (std::size_t i = 0; i < object.members.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (object.members[j].name == object.members[i].name)
        throw DecodeError{"parsing policy from bytes: jsontext: duplicate object member name " +
                          goQuote(object.members[i].name) + " within \"" +
                          childPointer(pointer, object.members[i].name) + "\""};
}

std::vector<std::string> decodeStrings(const hujson::Value& value, std::string_view sliceType,
                                       const std::string& pointer) {
  std::vector<std::string> out;
  if (value.kind == hujson::Kind::kNull) return out;
  requireKind(value, hujson::Kind::kArray, sliceType, pointer);
  const auto elementType = sliceType.substr(2);
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    const auto& item = value.items[i];
    if (item.kind == hujson::Kind::kNull) {
      out.emplace_back();
      continue;
    }
    requireKind(item, hujson::Kind::kString, elementType, childPointer(pointer, i));
    out.push_back(item.text);
  }
  return out;
}

std::string trimmedRaw(const hujson::Value& value) {
  switch (value.kind) {
    case hujson::Kind::kString:
      return value.text;
    case hujson::Kind::kNumber:
      return value.text;
    case hujson::Kind::kBool:
      return value.boolean ? "true" : "false";
    case hujson::Kind::kNull:
      return "null";
    case hujson::Kind::kArray:
      return "[...]";
    case hujson::Kind::kObject:
      return "{...}";
  }
  return {};
}

std::string trimSpace(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n\v\f");
  return std::string(s.substr(first, last - first + 1));
}

std::string_view anyGoType(const hujson::Value& v) {
  switch (v.kind) {
    case hujson::Kind::kNull:
      return "<nil>";
    case hujson::Kind::kBool:
      return "bool";
    case hujson::Kind::kNumber:
      return "float64";
    case hujson::Kind::kString:
      return "string";
    case hujson::Kind::kArray:
      return "[]interface {}";
    case hujson::Kind::kObject:
      return "map[string]interface {}";
  }
  return "interface {}";
}

std::string goList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ' ';
    out += items[i];
  }
  return out + "]";
}

}  // namespace postured::hsemu::policy
