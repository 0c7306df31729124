#include "policy/policy_model.h"

#include <functional>
#include <utility>

#include "policy/policy_validation.h"
#include "policy/protocols.h"

namespace postured::policy {
namespace {

using core::ErrorKind;

core::Error errorAt(SourcePos pos, const std::string& message) {
  return core::Error{ErrorKind::kInvalidArgument, describePos(pos) + ": " + message, {}};
}

// Reads the HuValue tree into the model, stopping at the first error. Each
// reader checks the JSON type it needs and names the field when it is wrong.
class PolicyReader {
 public:
  explicit PolicyReader(std::string_view document) : document_(document) {}

  core::Result<Policy> read(const HuValue& root) {
    if (!root.isObject()) return tl::unexpected(errorAt(root.pos(), typeMessage("the policy", "an object", root)));
    for (const auto& m : root.members()) {
      auto section = sections().find(m.key);
      if (section == sections().end())
        return tl::unexpected(errorAt(m.keyPos, "unknown section \"" + m.key +
                                                    "\"; remove it or check its spelling (sections are groups, "
                                                    "tagOwners, hosts, ipsets, postures, defaultSrcPosture, acls, "
                                                    "grants, tests, sshTests, ssh, nodeAttrs, autoApprovers, "
                                                    "attrConfig)"));
      if (auto ok = section->second(*this, m.value); !ok) return tl::unexpected(ok.error());
    }
    return std::move(policy_);
  }

 private:
  using Section = std::function<core::Result<void>(PolicyReader&, const HuValue&)>;

  static const std::map<std::string, Section>& sections() {
    static const std::map<std::string, Section> kSections = {
        {"groups", &PolicyReader::readGroups},
        {"tagOwners", &PolicyReader::readTagOwners},
        {"hosts", &PolicyReader::readHosts},
        {"ipsets", &PolicyReader::readIpsets},
        {"postures", &PolicyReader::readPostures},
        {"defaultSrcPosture",
         [](PolicyReader& r, const HuValue& v) { return r.readStrings(v, "defaultSrcPosture", r.policy_.defaultSrcPosture); }},
        {"acls", &PolicyReader::readAcls},
        {"grants", &PolicyReader::readGrants},
        {"tests", &PolicyReader::readTests},
        {"sshTests", &PolicyReader::readSshTests},
        {"ssh", &PolicyReader::readSsh},
        {"nodeAttrs", &PolicyReader::readNodeAttrs},
        {"autoApprovers", &PolicyReader::readAutoApprovers},
        {"attrConfig", &PolicyReader::readAttrConfig},
        {"derpMap", [](PolicyReader& r, const HuValue& v) -> core::Result<void> {
           r.policy_.derpMap = toJson(v);
           return {};
         }},
        {"randomizeClientPort",
         [](PolicyReader& r, const HuValue& v) { return r.readBool(v, "randomizeClientPort", r.policy_.randomizeClientPort); }},
        {"disableIPv4", [](PolicyReader& r, const HuValue& v) { return r.readBool(v, "disableIPv4", r.policy_.disableIpv4); }},
        {"OneCGNATRoute",
         [](PolicyReader& r, const HuValue& v) { return r.readString(v, "OneCGNATRoute", r.policy_.oneCgnatRoute); }},
    };
    return kSections;
  }

  static std::string typeMessage(const std::string& what, const std::string& expected, const HuValue& found) {
    return what + " must be " + expected + ", found " + std::string(found.typeName());
  }

  core::Result<void> expect(const HuValue& v, HuKind kind, const std::string& what) {
    if (v.kind() == kind) return {};
    return tl::unexpected(errorAt(v.pos(), typeMessage(what, std::string(kind == HuKind::kArray    ? "an array"
                                                                         : kind == HuKind::kObject ? "an object"
                                                                         : kind == HuKind::kBool   ? "true or false"
                                                                                                   : "a string"),
                                                       v)));
  }

  core::Result<void> readString(const HuValue& v, const std::string& what, std::string& out) {
    if (auto ok = expect(v, HuKind::kString, what); !ok) return ok;
    out = v.asString();
    return {};
  }

  core::Result<void> readBool(const HuValue& v, const std::string& what, bool& out) {
    if (auto ok = expect(v, HuKind::kBool, what); !ok) return ok;
    out = v.asBool();
    return {};
  }

  core::Result<void> readStrings(const HuValue& v, const std::string& what, std::vector<PolicyString>& out) {
    if (auto ok = expect(v, HuKind::kArray, what + " (a list of strings)"); !ok) return ok;
    for (const auto& item : v.items()) {
      if (auto ok = expect(item, HuKind::kString, "each entry of " + what); !ok) return ok;
      out.push_back({item.asString(), item.pos()});
    }
    return {};
  }

  core::Result<void> readSelectors(const HuValue& v, const std::string& what, std::vector<Selector>& out) {
    std::vector<PolicyString> texts;
    if (auto ok = readStrings(v, what, texts); !ok) return ok;
    for (const auto& t : texts) {
      auto sel = parseSelector(t.text, t.pos);
      if (!sel) return tl::unexpected(errorAt(t.pos, what + "=" + sel.error().message));
      out.push_back(std::move(*sel));
    }
    return {};
  }

  // Runs `field` for every member of a rule object, rejecting keys not in `known`.
  template <class Fn>
  core::Result<void> readObject(const HuValue& v, const std::string& what, const std::vector<std::string>& known,
                                Fn&& field) {
    if (auto ok = expect(v, HuKind::kObject, what); !ok) return ok;
    for (const auto& m : v.members()) {
      bool isKnown = false;
      for (const auto& k : known) isKnown = isKnown || k == m.key;
      if (!isKnown) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        return tl::unexpected(errorAt(m.keyPos, "unknown field \"" + m.key + "\" in " + what + "; allowed: " + list));
      }
      if (auto ok = field(m); !ok) return ok;
    }
    return {};
  }

  core::Result<void> requireField(const HuValue& rule, const std::string& key, const std::string& what) {
    if (rule.find(key)) return {};
    return tl::unexpected(errorAt(rule.pos(), what + " has no \"" + key + "\"; add it"));
  }

  // A map of name -> list of strings, every name starting with `prefix`.
  core::Result<void> readNamedLists(const HuValue& v, const std::string& section, const std::string& prefix,
                                    std::map<std::string, std::vector<PolicyString>>& out) {
    if (auto ok = expect(v, HuKind::kObject, "\"" + section + "\""); !ok) return ok;
    for (const auto& m : v.members()) {
      if (m.key.rfind(prefix, 0) != 0 || m.key.size() == prefix.size())
        return tl::unexpected(errorAt(m.keyPos, "\"" + m.key + "\" in " + section + " must start with \"" + prefix +
                                                    "\" followed by a name"));
      auto& list = out[m.key];
      if (auto ok = readStrings(m.value, "\"" + m.key + "\"", list); !ok) return ok;
    }
    return {};
  }

  core::Result<void> readGroups(const HuValue& v) { return readNamedLists(v, "groups", "group:", policy_.groups); }
  core::Result<void> readTagOwners(const HuValue& v) {
    return readNamedLists(v, "tagOwners", "tag:", policy_.tagOwners);
  }
  core::Result<void> readIpsets(const HuValue& v) { return readNamedLists(v, "ipsets", "ipset:", policy_.ipsets); }

  core::Result<void> readHosts(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kObject, "\"hosts\""); !ok) return ok;
    for (const auto& m : v.members()) {
      if (auto sel = parseSelector(m.key, m.keyPos); !sel || sel->kind != SelectorKind::kHost)
        return tl::unexpected(errorAt(m.keyPos, "host name \"" + m.key +
                                                    "\" is not valid; use letters, digits, '-', '_' and '.' only"));
      std::string address;
      if (auto ok = readString(m.value, "host \"" + m.key + "\"", address); !ok) return ok;
      auto prefix = IpPrefix::parse(address);
      if (!prefix)
        return tl::unexpected(errorAt(m.value.pos(), "host \"" + m.key + "\": \"" + address +
                                                         "\" is not an IP address or CIDR prefix"));
      policy_.hosts[m.key] = *prefix;
    }
    return {};
  }

  core::Result<void> readPostures(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kObject, "\"postures\""); !ok) return ok;
    for (const auto& m : v.members()) {
      if (m.key.rfind("posture:", 0) != 0 || m.key.size() == 8)
        return tl::unexpected(errorAt(m.keyPos, "posture name \"" + m.key +
                                                    "\" must start with \"posture:\" followed by a name"));
      Posture p{m.key, {}, {}, m.keyPos};
      if (auto ok = readStrings(m.value, "\"" + m.key + "\"", p.conditions); !ok) return ok;
      for (std::size_t i = 0; i < p.conditions.size(); ++i) {
        auto condition = parseCondition(p.conditions[i].text);
        if (!condition)
          return tl::unexpected(errorAt(stringCharPos(document_, m.value.items()[i], condition.error().offset),
                                        "posture \"" + m.key + "\": " + condition.error().message));
        p.parsed.push_back(std::move(*condition));
      }
      policy_.postures[m.key] = std::move(p);
    }
    return {};
  }

  core::Result<void> readAcls(const HuValue& v) {
    policy_.hasAcls = true;
    if (auto ok = expect(v, HuKind::kArray, "\"acls\" (a list of rules)"); !ok) return ok;
    for (const auto& item : v.items()) {
      AclRule rule;
      rule.pos = item.pos();
      auto ok = readObject(item, "an ACL rule", {"action", "src", "dst", "proto", "srcPosture"},
                           [&](const HuMember& m) -> core::Result<void> {
                             if (m.key == "action") return readString(m.value, "\"action\"", rule.action);
                             if (m.key == "src") return readSelectors(m.value, "src", rule.src);
                             if (m.key == "proto") return readString(m.value, "\"proto\"", rule.proto);
                             if (m.key == "srcPosture") return readStrings(m.value, "srcPosture", rule.srcPosture);
                             std::vector<PolicyString> dsts;
                             if (auto r = readStrings(m.value, "dst", dsts); !r) return r;
                             for (const auto& d : dsts) {
                               auto dst = parseDstSelector(d.text, d.pos);
                               if (!dst) return tl::unexpected(errorAt(d.pos, dst.error().message));
                               rule.dst.push_back(std::move(*dst));
                             }
                             return {};
                           });
      if (!ok) return ok;
      for (const char* key : {"action", "src", "dst"})
        if (auto r = requireField(item, key, "ACL rule"); !r) return r;
      if (rule.action != "accept")
        return tl::unexpected(errorAt(item.find("action")->pos(),
                                      "action=\"" + rule.action + "\" is not supported; use \"accept\""));
      auto proto = parseProtocol(rule.proto);
      if (!proto) return tl::unexpected(errorAt(item.find("proto")->pos(), proto.error().message));
      rule.ipProto = std::move(*proto);
      if (!protocolHasPorts(rule.ipProto))
        for (const auto& d : rule.dst)
          if (!(d.ports.size() == 1 && d.ports[0].isAll()))
            return tl::unexpected(errorAt(d.pos, "dst=\"" + d.text + "\": proto \"" + rule.proto +
                                                     "\" has no ports; use \":*\""));
      policy_.acls.push_back(std::move(rule));
    }
    return {};
  }

  core::Result<void> readGrants(const HuValue& v) {
    policy_.hasGrants = true;
    if (auto ok = expect(v, HuKind::kArray, "\"grants\" (a list of grants)"); !ok) return ok;
    for (const auto& item : v.items()) {
      Grant grant;
      grant.pos = item.pos();
      auto ok = readObject(item, "a grant", {"src", "dst", "ip", "app", "via", "srcPosture"},
                           [&](const HuMember& m) -> core::Result<void> {
                             if (m.key == "src") return readSelectors(m.value, "src", grant.src);
                             if (m.key == "dst") return readSelectors(m.value, "dst", grant.dst);
                             if (m.key == "via") return readSelectors(m.value, "via", grant.via);
                             if (m.key == "srcPosture") return readStrings(m.value, "srcPosture", grant.srcPosture);
                             if (m.key == "app") {
                               if (auto r = expect(m.value, HuKind::kObject, "\"app\""); !r) return r;
                               grant.app = toJson(m.value);
                               return {};
                             }
                             std::vector<PolicyString> ips;
                             if (auto r = readStrings(m.value, "ip", ips); !r) return r;
                             for (const auto& i : ips) {
                               auto parsed = parseGrantIp(i.text, i.pos);
                               if (!parsed) return tl::unexpected(errorAt(i.pos, parsed.error().message));
                               grant.ip.push_back(std::move(*parsed));
                             }
                             return {};
                           });
      if (!ok) return ok;
      for (const char* key : {"src", "dst"})
        if (auto r = requireField(item, key, "grant"); !r) return r;
      policy_.grants.push_back(std::move(grant));
    }
    return {};
  }

  core::Result<void> readTests(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kArray, "\"tests\" (a list of tests)"); !ok) return ok;
    for (const auto& item : v.items()) {
      PolicyTest test;
      test.pos = item.pos();
      auto ok = readObject(item, "a test", {"src", "srcPostureAttrs", "proto", "accept", "deny"},
                           [&](const HuMember& m) -> core::Result<void> {
                             if (m.key == "src") {
                               test.src.pos = m.value.pos();
                               return readString(m.value, "\"src\"", test.src.text);
                             }
                             if (m.key == "srcPostureAttrs") {
                               if (auto r = expect(m.value, HuKind::kObject, "\"srcPostureAttrs\""); !r) return r;
                               test.srcPostureAttrs = toJson(m.value);
                               return {};
                             }
                             if (m.key == "proto") return readString(m.value, "\"proto\"", test.proto);
                             return readStrings(m.value, m.key, m.key == "accept" ? test.accept : test.deny);
                           });
      if (!ok) return ok;
      if (auto r = requireField(item, "src", "test"); !r) return r;
      policy_.tests.push_back(std::move(test));
    }
    return {};
  }

  core::Result<void> readSshTests(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kArray, "\"sshTests\" (a list of tests)"); !ok) return ok;
    for (const auto& item : v.items()) {
      SshTest test;
      test.pos = item.pos();
      auto ok = readObject(item, "an SSH test", {"src", "dst", "accept", "check", "deny"},
                           [&](const HuMember& m) -> core::Result<void> {
                             if (m.key == "src") {
                               test.src.pos = m.value.pos();
                               return readString(m.value, "\"src\"", test.src.text);
                             }
                             auto& list = m.key == "dst"      ? test.dst
                                          : m.key == "accept" ? test.accept
                                          : m.key == "check"  ? test.check
                                                              : test.deny;
                             return readStrings(m.value, m.key, list);
                           });
      if (!ok) return ok;
      for (const char* key : {"src", "dst"})
        if (auto r = requireField(item, key, "SSH test"); !r) return r;
      policy_.sshTests.push_back(std::move(test));
    }
    return {};
  }

  core::Result<void> readSsh(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kArray, "\"ssh\" (a list of rules)"); !ok) return ok;
    for (const auto& item : v.items()) {
      SshRule rule;
      rule.pos = item.pos();
      auto ok = readObject(item, "an SSH rule", {"action", "src", "dst", "users", "checkPeriod", "acceptEnv", "srcPosture"},
                           [&](const HuMember& m) -> core::Result<void> {
                             if (m.key == "action") return readString(m.value, "\"action\"", rule.action);
                             if (m.key == "src") return readSelectors(m.value, "src", rule.src);
                             if (m.key == "dst") return readSelectors(m.value, "dst", rule.dst);
                             if (m.key == "users") return readStrings(m.value, "users", rule.users);
                             if (m.key == "checkPeriod") return readString(m.value, "\"checkPeriod\"", rule.checkPeriod);
                             if (m.key == "acceptEnv") return readStrings(m.value, "acceptEnv", rule.acceptEnv);
                             return readStrings(m.value, "srcPosture", rule.srcPosture);
                           });
      if (!ok) return ok;
      for (const char* key : {"action", "src", "dst", "users"})
        if (auto r = requireField(item, key, "SSH rule"); !r) return r;
      if (rule.action != "accept" && rule.action != "check")
        return tl::unexpected(errorAt(item.find("action")->pos(),
                                      "SSH action \"" + rule.action + "\" is not known; use \"accept\" or \"check\""));
      policy_.ssh.push_back(std::move(rule));
    }
    return {};
  }

  core::Result<void> readNodeAttrs(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kArray, "\"nodeAttrs\" (a list)"); !ok) return ok;
    for (const auto& item : v.items()) {
      NodeAttr attr;
      attr.pos = item.pos();
      auto ok = readObject(item, "a nodeAttrs entry", {"target", "attr", "app"},
                           [&](const HuMember& m) -> core::Result<void> {
                             if (m.key == "target") return readSelectors(m.value, "target", attr.target);
                             if (m.key == "attr") return readStrings(m.value, "attr", attr.attr);
                             if (auto r = expect(m.value, HuKind::kObject, "\"app\""); !r) return r;
                             attr.app = toJson(m.value);
                             return {};
                           });
      if (!ok) return ok;
      if (auto r = requireField(item, "target", "nodeAttrs entry"); !r) return r;
      policy_.nodeAttrs.push_back(std::move(attr));
    }
    return {};
  }

  core::Result<void> readAutoApprovers(const HuValue& v) {
    return readObject(v, "\"autoApprovers\"", {"routes", "exitNode"}, [&](const HuMember& m) -> core::Result<void> {
      if (m.key == "exitNode") return readStrings(m.value, "exitNode", policy_.autoApprovers.exitNode);
      if (auto r = expect(m.value, HuKind::kObject, "\"routes\""); !r) return r;
      for (const auto& route : m.value.members()) {
        auto prefix = IpPrefix::parse(route.key);
        if (!prefix || route.key.find('/') == std::string::npos)
          return tl::unexpected(errorAt(route.keyPos, "route \"" + route.key + "\" is not a CIDR prefix"));
        std::vector<PolicyString> approvers;
        if (auto r = readStrings(route.value, "\"" + route.key + "\"", approvers); !r) return r;
        policy_.autoApprovers.routes.emplace_back(*prefix, std::move(approvers));
      }
      return {};
    });
  }

  core::Result<void> readAttrConfig(const HuValue& v) {
    if (auto ok = expect(v, HuKind::kObject, "\"attrConfig\""); !ok) return ok;
    for (const auto& m : v.members()) {
      AttrConfig config;
      config.pos = m.keyPos;
      auto ok = readObject(m.value, "attrConfig \"" + m.key + "\"", {"type", "allowSetByNode", "broadcastToPeers"},
                           [&](const HuMember& f) -> core::Result<void> {
                             if (f.key == "type") return readString(f.value, "\"type\"", config.type);
                             if (f.key == "allowSetByNode")
                               return readBool(f.value, "\"allowSetByNode\"", config.allowSetByNode);
                             return readStrings(f.value, "broadcastToPeers", config.broadcastToPeers);
                           });
      if (!ok) return ok;
      if (config.type != "string" && config.type != "bool" && config.type != "number")
        return tl::unexpected(errorAt(m.keyPos, "attrConfig \"" + m.key +
                                                    "\": type must be \"string\", \"bool\" or \"number\""));
      policy_.attrConfig[m.key] = std::move(config);
    }
    return {};
  }

  std::string_view document_;  // for positions inside strings (posture conditions)
  Policy policy_;
};

}  // namespace

core::Result<Policy> parsePolicy(std::string_view text) {
  auto root = parseHuJson(text);
  if (!root) return tl::unexpected(root.error());
  auto policy = PolicyReader(text).read(*root);
  if (!policy) return policy;
  if (auto valid = validatePolicy(*policy); !valid) return tl::unexpected(valid.error());
  return policy;
}

}  // namespace postured::policy
