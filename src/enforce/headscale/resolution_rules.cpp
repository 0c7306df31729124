#include "enforce/headscale/resolution_rules.h"

#include <algorithm>
#include <map>

#include "enforce/headscale/resolution_ipsets.h"
#include "policy/access_rules.h"

namespace postured::enforce::headscale {
namespace {

using nlohmann::json;
using policy::Autogroup;
using policy::IpAddress;
using policy::IpSet;
using policy::PolicyNode;
using policy::PolicyString;
using policy::PortRange;

std::string portText(const PortRange& p) {
  if (p.isAll()) return "*";
  if (p.first == p.last) return std::to_string(p.first);
  return std::to_string(p.first) + "-" + std::to_string(p.last);
}

// One address stands for the whole node (the compiler adds the node's others).
std::string nodeDestination(const PolicyNode& n) { return addressText(n.addresses().front()); }

bool hasCompanionCapability(const json& app) {
  const auto& caps = policy::companionCaps();
  return std::any_of(caps.begin(), caps.end(), [&](const auto& c) { return app.contains(c.first); });
}

// autogroup:self for one user: the user's devices among the sources, and all the user's devices.
struct SelfSources {
  std::shared_ptr<const std::string> src;
  const std::vector<const PolicyNode*>* devices = nullptr;
};

std::vector<SelfSources> selfSources(ResolutionContext& context, const IpSet& sources, int line,
                                     std::vector<std::string>& warnings) {
  // The users among the sources, in users() order, with their devices there.
  std::map<int, std::vector<IpAddress>> byUser;
  for (auto i : context.nodesIn(sources)) {
    const int user = context.userOf(i);
    if (user < 0) continue;
    for (const auto& a : context.nodes()[i].addresses()) byUser[user].push_back(a);
  }
  std::vector<SelfSources> out;
  const auto& users = context.users();
  for (auto& [user, addresses] : byUser)
    out.push_back({context.sourceText(setOf(std::move(addresses)), line, warnings),
                   &users[static_cast<std::size_t>(user)]});
  return out;
}

// The compiler lists autogroup:self destinations port by port, each user's
// device with all its addresses; one ACL destination per (port, device) keeps that order.
RuleEntry selfAcl(const SelfSources& self, const std::string& proto, const std::vector<PortRange>& ports) {
  RuleEntry acl{{{"action", "accept"}}, self.src};
  if (!proto.empty()) acl.fields["proto"] = proto;
  json dst = json::array();
  for (const auto& p : ports)
    for (const auto* n : *self.devices)
      if (!n->addresses().empty()) dst.push_back(nodeDestination(*n) + ":" + portText(p));
  acl.fields["dst"] = std::move(dst);
  return acl;
}

RuleEntry selfGrant(const SelfSources& self, const json& app) {
  json dst = json::array();
  for (const auto* n : *self.devices)
    if (!n->addresses().empty()) dst.push_back(nodeDestination(*n));
  return {{{"dst", std::move(dst)}, {"app", app}}, self.src};
}

void finish(ResolvedRule& out) {
  out.dropped = out.entries.empty() && out.selfAcls.empty() && out.selfGrants.empty();
}

}  // namespace

const std::vector<PolicyString>& posturesOf(const policy::Policy& policy, const std::vector<PolicyString>& own) {
  return own.empty() ? policy.defaultSrcPosture : own;
}

json keepFields(const json& entry, const std::vector<std::string>& fields) {
  json out = json::object();
  for (const auto& f : fields)
    if (entry.contains(f)) out[f] = entry[f];
  return out;
}

ResolvedRule resolveAcl(ResolutionContext& context, const policy::AclRule& rule, const json& entry,
                        std::vector<std::string>& warnings) {
  ResolvedRule out;
  const int line = rule.pos.line;
  json base = keepFields(entry, {"action", "src", "dst", "proto"});
  const auto& postures = posturesOf(context.policy(), rule.srcPosture);
  out.constrained = !postures.empty();
  auto asWritten = [&] {
    base["src"] = expandIpsets(context, entry["src"], rule.src, ListRole::kSources, line, warnings);
    base["dst"] = expandIpsetDestinations(context, entry["dst"], rule.dst, line, warnings);
    if (!base["src"].empty() && !base["dst"].empty()) out.entries.push_back({base, nullptr});
    finish(out);
    return out;
  };
  if (!out.constrained) return asWritten();
  const RuleSources& src = context.sources(rule.src, postures);
  if (src.set.empty()) {  // nobody passes and no other address is named: the rule grants nothing
    finish(out);
    return out;
  }
  if ((src.wildcard || src.dangerAll) && !src.narrowed) return asWritten();

  json othersText = json::array();
  std::vector<policy::DstSelector> others;
  for (std::size_t i = 0; i < rule.dst.size(); ++i) {
    if (rule.dst[i].target.is(Autogroup::kSelf)) continue;
    others.push_back(rule.dst[i]);
    othersText.push_back(entry["dst"][i]);
  }
  if (!others.empty()) {
    RuleEntry acl{base, context.sourceText(src.ranges, line, warnings)};
    acl.fields.erase("src");
    acl.fields["dst"] = expandIpsetDestinations(context, othersText, others, line, warnings);
    if (!acl.fields["dst"].empty()) out.entries.push_back(std::move(acl));
  }
  const std::string proto = entry.value("proto", "");
  for (const auto& d : rule.dst)
    if (d.target.is(Autogroup::kSelf))
      for (const auto& self : selfSources(context, src.set, line, warnings))
        out.selfAcls.push_back(selfAcl(self, proto, d.ports));
  finish(out);
  return out;
}

ResolvedRule resolveGrant(ResolutionContext& context, const policy::Grant& grant, const json& entry,
                          std::vector<std::string>& warnings) {
  ResolvedRule out;
  const int line = grant.pos.line;
  json base = keepFields(entry, {"src", "dst", "ip", "app", "via"});
  const auto& postures = posturesOf(context.policy(), grant.srcPosture);
  out.constrained = !postures.empty();
  auto asWritten = [&] {
    base["src"] = expandIpsets(context, entry["src"], grant.src, ListRole::kSources, line, warnings);
    base["dst"] = expandIpsets(context, entry["dst"], grant.dst, ListRole::kDestinations, line, warnings);
    if (!base["src"].empty() && !base["dst"].empty()) out.entries.push_back({base, nullptr});
    finish(out);
    return out;
  };
  if (!out.constrained) return asWritten();
  const RuleSources& src = context.sources(grant.src, postures);
  if (src.set.empty()) {  // nobody passes and no other address is named: the rule grants nothing
    finish(out);
    return out;
  }
  if ((src.wildcard || src.dangerAll) && !src.narrowed) return asWritten();

  // autogroup:self in a via grant gives nothing (the compiler skips it); it
  // cannot stay next to address sources, so it goes.
  json othersText = json::array();
  std::vector<policy::Selector> others;
  for (std::size_t i = 0; i < grant.dst.size(); ++i) {
    if (grant.dst[i].is(Autogroup::kSelf)) continue;
    others.push_back(grant.dst[i]);
    othersText.push_back(entry["dst"][i]);
  }
  const bool via = !grant.via.empty();
  if (!others.empty()) {
    RuleEntry g{base, context.sourceText(src.ranges, line, warnings)};
    g.fields.erase("src");
    g.fields["dst"] = expandIpsets(context, othersText, others, ListRole::kDestinations, line, warnings);
    const bool split = !via && hasCompanionCapability(grant.app) && !(src.ranges == src.set);
    if (g.fields["dst"].empty()) {
      // every destination was an empty ipset: nothing to grant
    } else if (!split) {
      out.entries.push_back(std::move(g));
    } else {
      if (!grant.ip.empty()) {
        RuleEntry ip = g;
        ip.fields.erase("app");
        out.entries.push_back(std::move(ip));
      }
      RuleEntry app = g;
      app.fields.erase("ip");
      app.src = context.sourceText(src.set, line, warnings);
      out.entries.push_back(std::move(app));
    }
  }
  if (!via && policy::hasAutogroup(grant.dst, Autogroup::kSelf)) {
    for (const auto& self : selfSources(context, src.set, line, warnings)) {
      for (const auto& ip : grant.ip) out.selfAcls.push_back(selfAcl(self, ip.protoText, ip.ports));
      if (!grant.app.empty()) out.selfGrants.push_back(selfGrant(self, entry["app"]));
    }
  }
  finish(out);
  return out;
}

}  // namespace postured::enforce::headscale
