// The policy sections that headscale decodes with their own UnmarshalJSON
// (Groups, Hosts, TagOwners, Aliases) or as maps (autoApprovers).
#include <algorithm>

#include "go_text.h"
#include "policy_decode.h"
#include "policy_v2_model.h"

namespace postured::hsemu::policy {

namespace {

bool isGroupName(const std::string& s) { return s.rfind("group:", 0) == 0; }

// An owner or auto approver: a user, group or tag; `what` names the error.
Alias parseOwnerLike(const hujson::Value& item, const std::string& ptr, std::string_view encType,
                     std::string_view what) {
  requireKind(item, hujson::Kind::kString, "string", ptr);
  const auto& s = item.text;
  if (s.find('@') != std::string::npos) return Alias{AliasKind::kUser, s};
  if (s.rfind("group:", 0) == 0) return Alias{AliasKind::kGroup, s};
  if (s.rfind("tag:", 0) == 0) return Alias{AliasKind::kTag, s};
  failSemantic(item, encType, ptr, std::string(what) + ": " + goQuote(s));
}

std::vector<Alias> decodeOwnerList(const hujson::Value& value, const std::string& ptr, std::string_view encType,
                                   std::string_view what) {
  std::vector<Alias> out;
  if (value.kind == hujson::Kind::kNull) return out;
  requireKind(value, hujson::Kind::kArray, "[]" + std::string(encType), ptr);
  for (std::size_t i = 0; i < value.items.size(); ++i)
    out.push_back(parseOwnerLike(value.items[i], childPointer(ptr, i), encType, what));
  return out;
}

}  // namespace

bool PolicyV2::hasGroup(const std::string& name) const {
  return std::any_of(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
}

bool PolicyV2::hasHost(const std::string& name) const {
  return std::any_of(hosts.begin(), hosts.end(), [&](const auto& h) { return h.first == name; });
}

bool PolicyV2::hasTag(const std::string& name) const {
  return std::any_of(tagOwners.begin(), tagOwners.end(), [&](const auto& t) { return t.first == name; });
}

std::vector<Alias> decodeAliases(const hujson::Value& value, const std::string& ptr) {
  std::vector<Alias> out;
  if (value.kind == hujson::Kind::kNull) return out;
  requireKind(value, hujson::Kind::kArray, "[]v2.AliasEnc", ptr);
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    const auto& item = value.items[i];
    const auto itemPtr = childPointer(ptr, i);
    requireKind(item, hujson::Kind::kString, "string", itemPtr);
    // SaaS trims before lookup, and headscale follows it.
    auto alias = parseAlias(trimSpace(item.text));
    if (!alias) failSemantic(item, "v2.AliasEnc", itemPtr, alias.error());
    out.push_back(std::move(*alias));
  }
  return out;
}

void decodeGroups(const hujson::Value& value, const std::string& ptr, PolicyV2& policy) {
  requireKind(value, hujson::Kind::kObject, "map[string]interface {}", ptr);
  requireUniqueNames(value, ptr);
  const auto fail = [&](const std::string& cause) { failSemantic(value, "v2.Groups", ptr, cause); };
  // headscale checks every name, then every value, then recursion, then users.
  for (const auto& member : value.members)
    if (!isGroupName(member.name)) fail("group must start with 'group:', got: " + goQuote(member.name));
  for (const auto& member : value.members) {
    const auto& v = member.value;
    if (v.kind == hujson::Kind::kArray) {
      for (const auto& item : v.items)
        if (item.kind != hujson::Kind::kString)
          fail("invalid group member type: group " + goQuote(member.name) + " expected string but got " +
               std::string(anyGoType(item)));
    } else if (v.kind == hujson::Kind::kString) {
      fail("group value must be an array of users: group " + goQuote(member.name) + " got string: " + goQuote(v.text));
    } else {
      fail("group value must be an array of users: group " + goQuote(member.name) + " got " +
           std::string(anyGoType(v)));
    }
  }
  std::vector<const hujson::Member*> byName;
  for (const auto& member : value.members) byName.push_back(&member);
  std::sort(byName.begin(), byName.end(), [](const auto* a, const auto* b) { return a->name > b->name; });
  for (const auto* member : byName)
    for (const auto& item : member->value.items)
      if (isGroupName(item.text))
        fail("groups[" + goQuote(member->name) + "]: " + goQuote(item.text) + ": group members cannot be recursive");
  for (const auto& member : value.members) {
    std::vector<std::string> users;
    for (const auto& item : member.value.items) {
      if (item.text.find('@') == std::string::npos) fail("username must contain @, got: " + goQuote(item.text));
      users.push_back(item.text);
    }
    policy.groups.emplace_back(member.name, std::move(users));
  }
}

void decodeHosts(const hujson::Value& value, const std::string& ptr, PolicyV2& policy) {
  requireKind(value, hujson::Kind::kObject, "map[string]string", ptr);
  requireUniqueNames(value, ptr);
  for (const auto& member : value.members)
    if (member.value.kind != hujson::Kind::kNull)
      requireKind(member.value, hujson::Kind::kString, "string", childPointer(ptr, member.name));
  for (const auto& member : value.members) {
    if (member.name.find('@') != std::string::npos || member.name.find(':') != std::string::npos)
      failSemantic(value, "v2.Hosts", ptr, "invalid hostname: " + goQuote(member.name));
    auto prefix = parsePrefix(member.value.text);
    if (!prefix)
      failSemantic(value, "v2.Hosts", ptr,
                   "hostname contains invalid IP address: hostname " + goQuote(member.name) + " address " +
                       goQuote(member.value.text));
    policy.hosts.emplace_back(member.name, std::move(*prefix));
  }
}

void decodeTagOwners(const hujson::Value& value, const std::string& ptr, PolicyV2& policy) {
  requireKind(value, hujson::Kind::kObject, "v2.TagOwners", ptr);
  requireUniqueNames(value, ptr);
  for (const auto& member : value.members) {
    const auto keyPtr = childPointer(ptr, member.name);
    hujson::Value key;
    key.kind = hujson::Kind::kString;
    key.text = member.name;
    const Alias tag{AliasKind::kTag, member.name};
    if (member.name.rfind("tag:", 0) != 0)
      failSemantic(key, "v2.Tag", keyPtr, "tag must start with 'tag:', got: " + goQuote(member.name));
    if (auto error = validateAlias(tag)) failSemantic(key, "v2.Tag", keyPtr, *error);
    policy.tagOwners.emplace_back(member.name,
                                  decodeOwnerList(member.value, keyPtr, "v2.OwnerEnc", "invalid owner format"));
  }
}

void decodeAutoApprovers(const hujson::Value& value, const std::string& ptr, PolicyV2& policy) {
  forEachField(value, ptr, "v2.AutoApproverPolicy", {"routes", "exitNode"},
               [&](std::string_view field, const hujson::Value& v, const std::string& fieldPtr) {
                 if (field == "exitNode") {
                   policy.exitNodeApprovers =
                       decodeOwnerList(v, fieldPtr, "v2.AutoApproverEnc", "invalid auto approver format");
                   return;
                 }
                 requireKind(v, hujson::Kind::kObject, "map[netip.Prefix]v2.AutoApprovers", fieldPtr);
                 requireUniqueNames(v, fieldPtr);
                 for (const auto& route : v.members) {
                   const auto routePtr = childPointer(fieldPtr, route.name);
                   // Route keys are netip.Prefix text: a CIDR, never a bare address.
                   if (route.name.find('/') == std::string::npos || !parsePrefix(route.name)) {
                     hujson::Value key;
                     key.kind = hujson::Kind::kString;
                     failSemantic(key, "netip.Prefix", routePtr,
                                  "netip.ParsePrefix(" + goQuote(route.name) + "): invalid prefix");
                   }
                   policy.routeApprovers.push_back(
                       decodeOwnerList(route.value, routePtr, "v2.AutoApproverEnc", "invalid auto approver format"));
                 }
               });
}

}  // namespace postured::hsemu::policy
