#include "policy/policy_validation.h"

#include <set>
#include <string>

namespace postured::policy {
namespace {

using core::ErrorKind;

// Capabilities in Tailscale's own domain that a policy may grant; the others
// (ingress, funnel, companions such as drive-sharer) are set by the server.
const std::set<std::string> kGrantableTailscaleCaps = {
    "tailscale.com/cap/drive",      "tailscale.com/cap/relay", "tailscale.com/cap/webui",
    "tailscale.com/cap/kubernetes", "tailscale.com/cap/tsidp", "tailscale.com/cap/secrets",
};

tl::unexpected<core::Error> failAt(SourcePos pos, const std::string& message) {
  return tl::unexpected(core::Error{ErrorKind::kInvalidArgument, describePos(pos) + ": " + message, {}});
}

class Validator {
 public:
  explicit Validator(const Policy& p) : p_(p) {}

  core::Result<void> run() {
    for (const auto& [group, members] : p_.groups)
      for (const auto& m : members) {
        if (m.text.rfind("group:", 0) == 0)
          return failAt(m.pos, "group \"" + group + "\" contains group \"" + m.text +
                                   "\"; groups cannot be nested, list the users instead");
        if (m.text.find('@') == std::string::npos)
          return failAt(m.pos, "group \"" + group + "\": member \"" + m.text +
                                   "\" is not a user login; write it as user@domain (or \"" + m.text + "@\")");
      }
    for (const auto& [tag, owners] : p_.tagOwners)
      for (const auto& o : owners)
        if (auto ok = checkOwner(o, "tagOwners \"" + tag + "\""); !ok) return ok;
    for (const auto& [route, approvers] : p_.autoApprovers.routes)
      for (const auto& a : approvers)
        if (auto ok = checkOwner(a, "autoApprovers route " + route.toString()); !ok) return ok;
    for (const auto& a : p_.autoApprovers.exitNode)
      if (auto ok = checkOwner(a, "autoApprovers exitNode"); !ok) return ok;
    for (const auto& [name, entries] : p_.ipsets)
      for (const auto& e : entries)
        if (auto ok = checkIpsetEntry(name, e); !ok) return ok;
    if (auto ok = checkPostureRefs(p_.defaultSrcPosture); !ok) return ok;
    for (const auto& acl : p_.acls)
      if (auto ok = checkAcl(acl); !ok) return ok;
    for (const auto& grant : p_.grants)
      if (auto ok = checkGrant(grant); !ok) return ok;
    for (const auto& rule : p_.ssh) {
      for (const auto& s : rule.src)
        if (auto ok = checkDefined(s, "src"); !ok) return ok;
      for (const auto& d : rule.dst)
        if (auto ok = checkDefined(d, "dst"); !ok) return ok;
      if (auto ok = checkPostureRefs(rule.srcPosture); !ok) return ok;
    }
    for (const auto& attr : p_.nodeAttrs)
      for (const auto& t : attr.target)
        if (auto ok = checkDefined(t, "target"); !ok) return ok;
    return {};
  }

 private:
  core::Result<void> checkOwner(const PolicyString& owner, const std::string& where) {
    const auto& t = owner.text;
    if (t.rfind("group:", 0) == 0 && !p_.groups.count(t))
      return failAt(owner.pos, where + ": group \"" + t + "\" is not defined; add it to \"groups\" or remove it");
    if (t.rfind("tag:", 0) == 0 && !p_.tagOwners.count(t))
      return failAt(owner.pos, where + ": tag \"" + t + "\" not found; add it to \"tagOwners\" or remove it");
    if (t.rfind("group:", 0) != 0 && t.rfind("tag:", 0) != 0 && t.find('@') == std::string::npos &&
        t != "autogroup:admin" && t != "autogroup:member" && t != "autogroup:owner")
      return failAt(owner.pos, where + ": \"" + t + "\" is not a user, group or tag");
    return {};
  }

  core::Result<void> checkIpsetEntry(const std::string& name, const PolicyString& entry) {
    std::string_view text = entry.text;
    for (std::string_view op : {"add ", "remove "})
      if (text.substr(0, op.size()) == op) text.remove_prefix(op.size());
    auto sel = parseSelector(text, entry.pos);
    if (!sel) return failAt(entry.pos, "ipset \"" + name + "\": " + sel.error().message);
    if (sel->kind != SelectorKind::kPrefix && sel->kind != SelectorKind::kHost && sel->kind != SelectorKind::kIpSet)
      return failAt(entry.pos, "ipset \"" + name + "\": \"" + entry.text +
                                   "\" must be an IP address, a CIDR prefix, a host or another ipset");
    return checkDefined(*sel, "ipset");
  }

  // Groups, tags, hosts and ipsets a selector names must exist. Tailscale's
  // wording differs by field, which the `field` prefix reproduces.
  core::Result<void> checkDefined(const Selector& s, const std::string& field) {
    switch (s.kind) {
      case SelectorKind::kTag:
        if (!p_.tagOwners.count(s.name)) {
          const std::string ts = field == "src" ? "src=tag not found: \"" + s.name + "\""
                                                : field + "=\"" + s.name + "\": tag not found: \"" + s.name + "\"";
          return failAt(s.pos, ts + "; define it in \"tagOwners\" or remove the reference");
        }
        return {};
      case SelectorKind::kGroup:
        if (!p_.groups.count(s.name))
          return failAt(s.pos, field + "=\"" + s.name + "\": group not found: \"" + s.name +
                                   "\"; define it in \"groups\" or remove the reference");
        return {};
      case SelectorKind::kHost:
        if (!p_.hosts.count(s.name))
          return failAt(s.pos, field + "=\"" + s.name + "\": host not found: \"" + s.name +
                                   "\"; define it in \"hosts\" or remove the reference");
        return {};
      case SelectorKind::kIpSet:
        if (!p_.ipsets.count(s.name))
          return failAt(s.pos, field + "=\"" + s.name + "\": ipset not found: \"" + s.name +
                                   "\"; define it in \"ipsets\" or remove the reference");
        return {};
      default:
        return {};
    }
  }

  core::Result<void> checkPostureRefs(const std::vector<PolicyString>& refs) {
    for (const auto& r : refs) {
      if (r.text.rfind("posture:", 0) != 0)
        return failAt(r.pos, "\"" + r.text + "\" is not a posture name; posture names start with \"posture:\"");
      if (!p_.postures.count(r.text))
        return failAt(r.pos, "posture \"" + r.text + "\" is not defined; define it in \"postures\" or remove the reference");
    }
    return {};
  }

  core::Result<void> checkSource(const Selector& s) {
    if (s.is(Autogroup::kSelf) || s.is(Autogroup::kInternet))
      return failAt(s.pos, "src=\"" + s.text + "\": " + s.text + " can only be used in destinations");
    if (s.kind == SelectorKind::kAutogroup && !s.is(Autogroup::kMember) && !s.is(Autogroup::kTagged) &&
        !s.is(Autogroup::kDangerAll) && !s.is(Autogroup::kShared))
      return failAt(s.pos, "src=\"" + s.text + "\": " + s.text +
                               " cannot be used as a source; use autogroup:member, autogroup:tagged or autogroup:danger-all");
    return checkDefined(s, "src");
  }

  core::Result<void> checkDestination(const Selector& s, bool isGrant) {
    if (s.is(Autogroup::kDangerAll))
      return failAt(s.pos, "cannot use autogroup:danger-all as a dst; use \"*\" for every tailnet address");
    if (s.kind == SelectorKind::kAutogroup && !s.is(Autogroup::kMember) && !s.is(Autogroup::kTagged) &&
        !s.is(Autogroup::kSelf) && !s.is(Autogroup::kInternet))
      return failAt(s.pos, "dst=\"" + s.text + "\": " + s.text +
                               " cannot be used as a destination; use autogroup:member, autogroup:tagged, "
                               "autogroup:self or autogroup:internet");
    if (isGrant && s.kind == SelectorKind::kPrefix && s.prefix.bits == 0)
      return failAt(s.pos, "dst \"" + s.text + "\": to allow all IP addresses, use \"*\" or \"autogroup:internet\"");
    return checkDefined(s, "dst");
  }

  // autogroup:self narrows the sources to the destination's own user, so they
  // must be users: ACLs also allow "*", grants do not.
  core::Result<void> checkSelfSources(const std::vector<Selector>& src, bool allowWildcard, SourcePos dstPos) {
    for (const auto& s : src) {
      const bool ok = s.kind == SelectorKind::kUser || s.kind == SelectorKind::kUserDomain ||
                      s.kind == SelectorKind::kGroup || s.is(Autogroup::kMember) ||
                      (allowWildcard && s.kind == SelectorKind::kWildcard);
      if (!ok)
        return failAt(dstPos, "autogroup:self can only be used with users, groups, or supported autogroups; \"" +
                                  s.text + "\" in src is not one of them");
    }
    return {};
  }

  core::Result<void> checkAcl(const AclRule& acl) {
    for (const auto& s : acl.src)
      if (auto ok = checkSource(s); !ok) return ok;
    for (const auto& d : acl.dst) {
      if (d.target.is(Autogroup::kDangerAll))
        return failAt(d.pos, "cannot use autogroup:danger-all as a dst; use \"*\" for every tailnet address");
      if (auto ok = checkDestination(d.target, false); !ok) return ok;
      if (d.target.is(Autogroup::kSelf))
        if (auto ok = checkSelfSources(acl.src, true, d.pos); !ok) return ok;
    }
    return checkPostureRefs(acl.srcPosture);
  }

  core::Result<void> checkGrant(const Grant& g) {
    for (const auto& s : g.src)
      if (auto ok = checkSource(s); !ok) return ok;
    for (const auto& d : g.dst) {
      if (auto ok = checkDestination(d, true); !ok) return ok;
      if (d.is(Autogroup::kSelf))
        if (auto ok = checkSelfSources(g.src, false, d.pos); !ok) return ok;
      if (d.is(Autogroup::kInternet) && !g.app.empty())
        return failAt(d.pos, "cannot use app grants with autogroup:internet; grant \"ip\" access instead");
    }
    if (g.ip.empty() && g.app.empty())
      return failAt(g.pos, "ip and app can not both be empty; add \"ip\": [\"*\"] or an \"app\" capability");
    for (auto it = g.app.begin(); it != g.app.end(); ++it) {
      const std::string& name = it.key();
      if (name.find("://") != std::string::npos || name.find('/') == std::string::npos ||
          name.front() == '/' || name.back() == '/')
        return failAt(g.pos, "capability name must have the form {domain}/{path}: \"" + name +
                                 "\" (write it without a URL scheme, e.g. example.com/cap/name)");
      if (name.rfind("tailscale.com/", 0) == 0 && !kGrantableTailscaleCaps.count(name))
        return failAt(g.pos, "capability name must not be in the tailscale.com domain: \"" + name +
                                 "\" is set by the control server, use your own domain");
      if (!it.value().is_array())
        return failAt(g.pos, "app \"" + name + "\" must be a list of capability values, e.g. [{}]");
    }
    for (const auto& v : g.via) {
      if (v.kind != SelectorKind::kTag)
        return failAt(v.pos, "via=\"" + v.text + "\": via must name tags of subnet routers or exit nodes");
      if (!p_.tagOwners.count(v.name))
        return failAt(v.pos, "tag \"" + v.name + "\" not found; define it in \"tagOwners\" or remove it from via");
    }
    return checkPostureRefs(g.srcPosture);
  }

  const Policy& p_;
};

}  // namespace

core::Result<void> validatePolicy(const Policy& policy) { return Validator(policy).run(); }

}  // namespace postured::policy
