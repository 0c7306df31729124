#include "policy_v1.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "core/text.h"
#include "go_text.h"
#include "hujson.h"
#include "policy_alias.h"

namespace postured::hsemu::policy {

namespace {

using hujson::Kind;
using hujson::Value;

// encoding/json (v1) names kinds without the "JSON " prefix v2 uses.
std::string v1Kind(Kind kind) { return kind == Kind::kBool ? "bool" : std::string(hujson::kindName(kind)); }

// The first UnmarshalTypeError, worded as v1 words it. v1 keeps decoding
// after a type error and reports the first one at the end; the first is
// all that reaches the message.
struct V1Decoder {
  std::optional<std::string> error;

  void typeError(const Value& v, const std::string& structName, const std::string& path, const std::string& goType) {
    if (error) return;
    error = "json: cannot unmarshal " + v1Kind(v.kind) + " into Go struct field " + structName + "." + path +
            " of type " + goType;
  }

  // A struct: fields matched case-insensitively, the last repeat winning,
  // unknown members skipped.
  void object(const Value& v, const std::string& path, const std::vector<std::string>& fields,
              const std::function<void(const std::string&, const Value&, const std::string&)>& onField) {
    for (const auto& field : fields) {
      const Value* last = nullptr;
      for (const auto& member : v.members)
        if (core::equalsIgnoreCase(member.name, field)) last = &member.value;
      if (last && last->kind != Kind::kNull) onField(field, *last, path.empty() ? field : path + "." + field);
    }
  }

  void strings(const Value& v, const std::string& structName, const std::string& path) {
    if (v.kind == Kind::kNull) return;
    if (v.kind != Kind::kArray) return typeError(v, structName, path, "[]string");
    for (const auto& item : v.items)
      if (item.kind != Kind::kNull && item.kind != Kind::kString) typeError(item, structName, path, "string");
  }

  void string(const Value& v, const std::string& structName, const std::string& path) {
    if (v.kind != Kind::kString) typeError(v, structName, path, "string");
  }

  void stringListMap(const Value& v, const std::string& structName, const std::string& path,
                     const std::string& goType) {
    if (v.kind != Kind::kObject) return typeError(v, structName, path, goType);
    for (const auto& member : v.members) strings(member.value, structName, path);
  }

  // A slice of structs of `element` type with the given string-ish fields.
  void structs(const Value& v, const std::string& structName, const std::string& path, const std::string& element,
               const std::vector<std::string>& stringFields, const std::vector<std::string>& listFields) {
    if (v.kind != Kind::kArray) return typeError(v, structName, path, "[]policy." + element);
    for (const auto& item : v.items) {
      if (item.kind == Kind::kNull) continue;
      if (item.kind != Kind::kObject) {
        typeError(item, structName, path, "policy." + element);
        continue;
      }
      std::vector<std::string> all = stringFields;
      all.insert(all.end(), listFields.begin(), listFields.end());
      object(item, path, all, [&](const std::string& field, const Value& fv, const std::string& fp) {
        const bool isList = std::find(listFields.begin(), listFields.end(), field) != listFields.end();
        isList ? strings(fv, element, fp) : string(fv, element, fp);
      });
    }
  }
};

}  // namespace

std::optional<std::string> checkPolicyV1(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto document = hujson::parse(text);
  if (!document) return "parsing policy: parsing hujson, err: " + document.error().message;
  const auto& doc = *document;
  const std::string unmarshalling = "parsing policy: unmarshalling policy, err: ";
  if (doc.kind != Kind::kObject && doc.kind != Kind::kNull)
    return unmarshalling + "json: cannot unmarshal " + v1Kind(doc.kind) + " into Go value of type policy.ACLPolicy";

  V1Decoder d;
  bool hasGroups = false, hasHosts = false, hasAcls = false, hasSsh = false;
  bool invalidAction = false;
  std::optional<std::string> hostsError;
  d.object(doc, "", {"groups", "hosts", "tagOwners", "acls", "tests", "autoApprovers", "ssh"},
           [&](const std::string& field, const Value& v, const std::string& path) {
             if (field == "groups") {
               d.stringListMap(v, "ACLPolicy", path, "policy.Groups");
               hasGroups = !v.members.empty();
             } else if (field == "tagOwners") {
               d.stringListMap(v, "ACLPolicy", path, "policy.TagOwners");
             } else if (field == "hosts") {
               // Hosts has its own UnmarshalJSON: strings, "/32" added to a bare address.
               if (v.kind != Kind::kObject) {
                 d.typeError(v, "ACLPolicy", path, "policy.Hosts");
                 return;
               }
               for (const auto& host : v.members) {
                 if (hostsError) break;
                 if (host.value.kind != Kind::kString) {
                   hostsError = "json: cannot unmarshal " + v1Kind(host.value.kind) + " into Go value of type string";
                   break;
                 }
                 auto prefixText = host.value.text;
                 if (prefixText.find('/') == std::string::npos) prefixText += "/32";
                 if (!parsePrefix(prefixText))
                   hostsError = "netip.ParsePrefix(" + goQuote(prefixText) + "): invalid prefix";
               }
               hasHosts = !v.members.empty();
             } else if (field == "acls") {
               d.structs(v, "ACLPolicy", path, "ACL", {"action", "proto"}, {"src", "dst"});
               if (v.kind == Kind::kArray) {
                 hasAcls = !v.items.empty();
                 for (const auto& acl : v.items) {
                   std::string action;  // absent compiles as "" and fails like any other
                   for (const auto& member : acl.members)
                     if (core::equalsIgnoreCase(member.name, "action"))
                       action = member.value.kind == Kind::kString ? member.value.text : "";
                   if (action != "accept") invalidAction = true;
                 }
               }
             } else if (field == "tests") {
               d.structs(v, "ACLPolicy", path, "ACLTest", {"src"}, {"accept", "deny"});
             } else if (field == "autoApprovers") {
               if (v.kind != Kind::kObject) {
                 d.typeError(v, "ACLPolicy", path, "policy.AutoApprovers");
                 return;
               }
               d.object(v, path, {"routes", "exitNode"},
                        [&](const std::string& f, const Value& fv, const std::string& fp) {
                          f == "routes" ? d.stringListMap(fv, "AutoApprovers", fp, "map[string][]string")
                                        : d.strings(fv, "AutoApprovers", fp);
                        });
             } else {
               d.structs(v, "ACLPolicy", path, "SSH", {"action", "checkPeriod"}, {"src", "dst", "users"});
               hasSsh = v.kind == Kind::kArray && !v.items.empty();
             }
           });
  if (hostsError) return unmarshalling + *hostsError;
  if (d.error) return unmarshalling + *d.error;
  if (!hasGroups && !hasHosts && !hasAcls && !hasSsh) return std::string("parsing policy: empty policy");
  if (invalidAction) return std::string("compiling filter rules: invalid action");
  return std::nullopt;
}

}  // namespace postured::hsemu::policy
