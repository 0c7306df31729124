// Decoding of the policy document and its rule lists, member by member as
// json/v2 walks them.
#include "go_duration.h"
#include "go_text.h"
#include "policy_decode.h"
#include "policy_v2_model.h"

namespace postured::hsemu::policy {

namespace {

using hujson::Kind;
using hujson::Value;

// Iterates a slice of objects, giving each element and its pointer.
template <class F>
void forEachElement(const Value& value, std::string_view sliceType, const std::string& ptr, F&& onElement) {
  requireKind(value, Kind::kArray, sliceType, ptr);
  for (std::size_t i = 0; i < value.items.size(); ++i) onElement(value.items[i], childPointer(ptr, i));
}

std::string decodeProtocol(const Value& v, const std::string& ptr) {
  auto protocol = parseProtocol(trimmedRaw(v));
  if (!protocol) failSemantic(v, "v2.Protocol", ptr, protocol.error());
  return *protocol;
}

std::vector<Destination> decodeDestinations(const Value& value, const std::string& ptr) {
  std::vector<Destination> out;
  requireKind(value, Kind::kArray, "[]v2.AliasWithPorts", ptr);
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    const auto& item = value.items[i];
    const auto itemPtr = childPointer(ptr, i);
    if (item.kind == Kind::kNull) continue;
    if (item.kind != Kind::kString)
      failSemantic(item, "v2.AliasWithPorts", itemPtr, "type not supported: " + std::string(anyGoType(item)));
    auto destination = parseDestination(item.text);
    if (!destination) failSemantic(item, "v2.AliasWithPorts", itemPtr, destination.error());
    out.push_back(std::move(*destination));
  }
  return out;
}

AclRule decodeAcl(const Value& value, const std::string& ptr) {
  AclRule rule;
  // ACL.UnmarshalJSON reads the object as a map first, then drops members
  // whose names start with '#' (headscale-admin's metadata).
  requireKind(value, Kind::kObject, "map[string]interface {}", ptr);
  requireUniqueNames(value, ptr);
  forEachField(
      value, ptr, "v2.ACL", {"action", "proto", "src", "dst"},
      [&](std::string_view field, const Value& v, const std::string& fieldPtr) {
        if (field == "action") {
          const auto action = trimmedRaw(v);
          if (action != "accept")
            failSemantic(v, "v2.Action", fieldPtr,
                         "action=" + goQuote(action) + " is not supported: invalid ACL action");
        } else if (field == "proto") {
          rule.protocol = decodeProtocol(v, fieldPtr);
        } else if (field == "src") {
          rule.sources = decodeAliases(v, fieldPtr);
        } else {
          rule.destinations = decodeDestinations(v, fieldPtr);
        }
      },
      [](std::string_view name) { return !name.empty() && name[0] == '#'; });
  return rule;
}

void decodeProtocolPort(const Value& item, const std::string& ptr) {
  if (item.kind != Kind::kString)
    failSemantic(item, "v2.ProtocolPort", ptr, "type not supported: " + std::string(anyGoType(item)));
  const auto& s = item.text;
  if (s == "*") return;
  const auto fail = [&](const std::string& cause) { failSemantic(item, "v2.ProtocolPort", ptr, cause); };
  if (s.find(':') == std::string::npos) {
    if (auto ports = parsePortRange(s); !ports) fail("port range " + goQuote(s) + ": " + ports.error());
    return;
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = s.find(':', start);
    parts.push_back(s.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 2)
    fail("expected only one colon in Internet protocol and port type, got: " + goList(parts) + "(" +
         std::to_string(parts.size()) + ")");
  // ProtocolPort validates the name as written, without Protocol's lower-casing.
  if (auto error = validateProtocol(parts[0])) fail(*error);
  if (auto ports = parsePortRange(parts[1]); !ports) fail("port range " + goQuote(parts[1]) + ": " + ports.error());
}

GrantRule decodeGrant(const Value& value, const std::string& ptr) {
  GrantRule rule;
  forEachField(value, ptr, "v2.Grant", {"src", "dst", "ip", "app", "via"},
               [&](std::string_view field, const Value& v, const std::string& fieldPtr) {
                 if (field == "src") {
                   rule.sources = decodeAliases(v, fieldPtr);
                 } else if (field == "dst") {
                   rule.destinations = decodeAliases(v, fieldPtr);
                 } else if (field == "ip") {
                   requireKind(v, Kind::kArray, "[]v2.ProtocolPort", fieldPtr);
                   for (std::size_t i = 0; i < v.items.size(); ++i)
                     decodeProtocolPort(v.items[i], childPointer(fieldPtr, i));
                   rule.hasIp = !v.items.empty();
                 } else if (field == "app") {
                   requireKind(v, Kind::kObject, "tailcfg.PeerCapMap", fieldPtr);
                   requireUniqueNames(v, fieldPtr);
                   for (const auto& cap : v.members) {
                     if (cap.value.kind != Kind::kNull)
                       requireKind(cap.value, Kind::kArray, "[]tailcfg.RawMessage", childPointer(fieldPtr, cap.name));
                     rule.appCapabilities.push_back(cap.name);
                   }
                 } else {
                   requireKind(v, Kind::kArray, "[]v2.Tag", fieldPtr);
                   for (std::size_t i = 0; i < v.items.size(); ++i) {
                     const auto& tag = v.items[i];
                     const auto tagText = trimmedRaw(tag);
                     // Any decode error under via is reported as "via can only be a tag".
                     if (tag.kind != Kind::kString || tagText.rfind("tag:", 0) != 0 ||
                         validateAlias(Alias{AliasKind::kTag, tagText}))
                       failSemantic(tag, "v2.Tag", childPointer(fieldPtr, i));
                     rule.via.push_back(tagText);
                   }
                 }
               });
  return rule;
}

std::vector<Alias> decodeSshAliases(const Value& v, const std::string& ptr, bool destination) {
  auto aliases = decodeAliases(v, ptr);
  for (const auto& alias : aliases) {
    const auto kind = alias.kind;
    if (!destination) {
      if (kind != AliasKind::kUser && kind != AliasKind::kGroup && kind != AliasKind::kTag &&
          kind != AliasKind::kAutoGroup)
        failSemantic(v, "v2.SSHSrcAliases", ptr,
                     "alias not supported for SSH source: " + std::string(aliasGoType(kind)));
      continue;
    }
    if (kind == AliasKind::kWildcard)
      failSemantic(v, "v2.SSHDstAliases", ptr,
                   "wildcard (*) is not supported as SSH destination; use 'autogroup:member' for user-owned "
                   "devices, 'autogroup:tagged' for tagged devices, or specific tags/users");
    if (kind != AliasKind::kUser && kind != AliasKind::kTag && kind != AliasKind::kAutoGroup &&
        kind != AliasKind::kHost)
      failSemantic(v, "v2.SSHDstAliases", ptr,
                   "alias not supported for SSH destination: " + std::string(aliasGoType(kind)));
  }
  return aliases;
}

SshRule decodeSsh(const Value& value, const std::string& ptr) {
  SshRule rule;
  forEachField(value, ptr, "v2.SSH", {"action", "src", "dst", "users", "checkPeriod", "acceptEnv"},
               [&](std::string_view field, const Value& v, const std::string& fieldPtr) {
                 if (field == "action") {
                   rule.action = trimSpace(trimmedRaw(v));
                   if (!rule.action.empty() && rule.action != "accept" && rule.action != "check")
                     failSemantic(v, "v2.SSHAction", fieldPtr, goQuote(rule.action) + " is not a valid action");
                 } else if (field == "src") {
                   rule.sources = decodeSshAliases(v, fieldPtr, false);
                 } else if (field == "dst") {
                   rule.destinations = decodeSshAliases(v, fieldPtr, true);
                 } else if (field == "users") {
                   for (const auto& user : decodeStrings(v, "[]string", fieldPtr))
                     rule.users.push_back(trimSpace(user));
                 } else if (field == "checkPeriod") {
                   rule.hasCheckPeriod = true;
                   const auto text = trimmedRaw(v);
                   if (text == "always") {
                     rule.checkAlways = true;
                   } else if (auto nanos = parseGoDuration(text)) {
                     rule.checkPeriodNanos = *nanos;
                   } else {
                     failSemantic(v, "v2.SSHCheckPeriod", fieldPtr, nanos.error());
                   }
                 } else {
                   rule.acceptEnv = decodeStrings(v, "[]string", fieldPtr);
                 }
               });
  return rule;
}

NodeAttrRule decodeNodeAttr(const Value& value, const std::string& ptr) {
  NodeAttrRule rule;
  forEachField(value, ptr, "v2.NodeAttrGrant", {"target", "attr", "ipPool"},
               [&](std::string_view field, const Value& v, const std::string& fieldPtr) {
                 if (field == "target") {
                   rule.targets = decodeAliases(v, fieldPtr);
                 } else if (field == "attr") {
                   rule.attributes = decodeStrings(v, "[]tailcfg.NodeCapability", fieldPtr);
                 } else {
                   const auto pool = decodeStrings(v, "[]netip.Prefix", fieldPtr);
                   for (std::size_t i = 0; i < pool.size(); ++i) {
                     auto prefix = parsePrefix(pool[i]);
                     if (!prefix || pool[i].find('/') == std::string::npos)
                       failSemantic(v.items[i], "netip.Prefix", childPointer(fieldPtr, i),
                                    "netip.ParsePrefix(" + goQuote(pool[i]) + "): invalid prefix");
                     rule.ipPool.push_back(std::move(*prefix));
                   }
                 }
               });
  return rule;
}

void decodeTest(const Value& value, const std::string& ptr) {
  forEachField(value, ptr, "v2.PolicyTest", {"src", "proto", "accept", "deny"},
               [&](std::string_view field, const Value& v, const std::string& fieldPtr) {
                 if (field == "src") {
                   requireKind(v, Kind::kString, "string", fieldPtr);
                 } else if (field == "proto") {
                   decodeProtocol(v, fieldPtr);
                 } else {
                   decodeStrings(v, "[]string", fieldPtr);
                 }
               });
}

void decodeSshTest(const Value& value, const std::string& ptr) {
  forEachField(value, ptr, "v2.SSHPolicyTest", {"src", "dst", "accept", "deny", "check"},
               [&](std::string_view field, const Value& v, const std::string& fieldPtr) {
                 if (field == "src") {
                   requireKind(v, Kind::kString, "string", fieldPtr);
                   if (auto alias = parseAlias(trimSpace(v.text)); !alias)
                     failSemantic(v, "v2.AliasEnc", fieldPtr, alias.error());
                 } else if (field == "dst") {
                   decodeAliases(v, fieldPtr);
                 } else {
                   decodeStrings(v, "[]v2.SSHUser", fieldPtr);
                 }
               });
}

}  // namespace

PolicyV2 decodePolicyV2(const Value& document) {
  PolicyV2 policy;
  if (document.kind == Kind::kNull) return policy;
  forEachField(document, "", "v2.Policy",
               {"groups", "hosts", "tagOwners", "acls", "grants", "nodeAttrs", "autoApprovers", "ssh", "tests",
                "sshTests", "randomizeClientPort"},
               [&](std::string_view field, const Value& v, const std::string& ptr) {
                 if (field == "groups") {
                   decodeGroups(v, ptr, policy);
                 } else if (field == "hosts") {
                   decodeHosts(v, ptr, policy);
                 } else if (field == "tagOwners") {
                   decodeTagOwners(v, ptr, policy);
                 } else if (field == "acls") {
                   forEachElement(v, "[]v2.ACL", ptr, [&](const Value& e, const std::string& p) {
                     if (e.kind != Kind::kNull) policy.acls.push_back(decodeAcl(e, p));
                   });
                 } else if (field == "grants") {
                   forEachElement(v, "[]v2.Grant", ptr, [&](const Value& e, const std::string& p) {
                     if (e.kind != Kind::kNull) policy.grants.push_back(decodeGrant(e, p));
                   });
                 } else if (field == "nodeAttrs") {
                   forEachElement(v, "[]v2.NodeAttrGrant", ptr, [&](const Value& e, const std::string& p) {
                     if (e.kind != Kind::kNull) policy.nodeAttrs.push_back(decodeNodeAttr(e, p));
                   });
                 } else if (field == "autoApprovers") {
                   decodeAutoApprovers(v, ptr, policy);
                 } else if (field == "ssh") {
                   forEachElement(v, "[]v2.SSH", ptr, [&](const Value& e, const std::string& p) {
                     if (e.kind != Kind::kNull) policy.ssh.push_back(decodeSsh(e, p));
                   });
                 } else if (field == "tests") {
                   forEachElement(v, "[]v2.PolicyTest", ptr, [&](const Value& e, const std::string& p) {
                     if (e.kind != Kind::kNull) decodeTest(e, p);
                   });
                 } else if (field == "sshTests") {
                   forEachElement(v, "[]v2.SSHPolicyTest", ptr, [&](const Value& e, const std::string& p) {
                     if (e.kind != Kind::kNull) decodeSshTest(e, p);
                   });
                 } else {
                   requireKind(v, Kind::kBool, "bool", ptr);
                 }
               });
  return policy;
}

}  // namespace postured::hsemu::policy
