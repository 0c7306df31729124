#include "policy/access_check.h"

#include <algorithm>

#include "policy/destination.h"
#include "policy/devices_file.h"
#include "policy/filter_compiler.h"
#include "policy/posture_evaluator.h"
#include "policy/selector_resolver.h"

namespace postured::policy {

namespace {

constexpr int kIcmpV4 = 1;
constexpr int kTcp = 6;
constexpr int kUdp = 17;
constexpr int kIcmpV6 = 58;

int ipProtoNumber(AccessProto proto, bool v6) {
  switch (proto) {
    case AccessProto::kTcp:
      return kTcp;
    case AccessProto::kUdp:
      return kUdp;
    case AccessProto::kIcmp:
      return v6 ? kIcmpV6 : kIcmpV4;
  }
  return kTcp;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool entryContains(const std::string& entry, const IpAddress& a) {
  auto set = IpSet::parseFilterEntry(entry);
  return set && set->contains(a);
}

// Everything of a policy but its rules and tests, which may be thousands:
// what compiling one rule at a time needs beside that rule.
Policy withoutRules(const Policy& p) {
  Policy out;
  out.groups = p.groups;
  out.tagOwners = p.tagOwners;
  out.hosts = p.hosts;
  out.ipsets = p.ipsets;
  out.postures = p.postures;
  out.defaultSrcPosture = p.defaultSrcPosture;
  out.nodeAttrs = p.nodeAttrs;
  out.autoApprovers = p.autoApprovers;
  out.attrConfig = p.attrConfig;
  out.derpMap = p.derpMap;
  out.randomizeClientPort = p.randomizeClientPort;
  out.disableIpv4 = p.disableIpv4;
  out.oneCgnatRoute = p.oneCgnatRoute;
  out.hasAcls = p.hasAcls;
  out.hasGrants = p.hasGrants;
  return out;
}

std::string ruleName(const RuleMatch& rule) {
  return std::string(rule.kind == RuleKind::kAcl ? "acl" : "grant") + " on line " + std::to_string(rule.line);
}

std::string describeTarget(const AccessDecision& d, std::optional<std::uint16_t> port) {
  std::string out = d.dst + " (" + std::string(accessProtoName(d.proto));
  if (d.proto != AccessProto::kIcmp) out += port ? " port " + std::to_string(*port) : ", any port";
  return out + ")";
}

std::string joinLines(const std::vector<RuleMatch>& rules) {
  std::string out;
  for (std::size_t i = 0; i < rules.size(); ++i)
    out += (i == 0 ? "" : i + 1 == rules.size() ? " and " : ", ") + ruleName(rules[i]);
  return out;
}

}  // namespace

PostureCheckResult checkPosture(const Policy& policy, const PolicyNode& node, const std::string& name) {
  PostureCheckResult out;
  out.name = name;
  auto posture = policy.postures.find(name);
  if (posture == policy.postures.end()) return out;  // undefined: never met (validation rejects it anyway)
  const auto lookup = node.attributes.lookup();
  out.passed = true;
  for (std::size_t i = 0; i < posture->second.parsed.size(); ++i) {
    ConditionResult r = explain(posture->second.parsed[i], lookup);
    out.passed = out.passed && r.passed;
    out.conditions.push_back(ConditionCheck{posture->second.conditions[i].text, r.passed, r.actual, r.reason});
  }
  return out;
}

core::Result<AccessProto> parseAccessProto(std::string_view text) {
  const std::string p = lower(text);
  if (p.empty() || p == "tcp") return AccessProto::kTcp;
  if (p == "udp") return AccessProto::kUdp;
  if (p == "icmp") return AccessProto::kIcmp;
  return core::fail(core::ErrorKind::kInvalidArgument, "proto \"" + std::string(text) + "\": expected tcp, udp or icmp",
                    "proto");
}

std::string_view accessProtoName(AccessProto proto) {
  switch (proto) {
    case AccessProto::kTcp:
      return "tcp";
    case AccessProto::kUdp:
      return "udp";
    case AccessProto::kIcmp:
      return "icmp";
  }
  return "tcp";
}

bool filterAdmits(const std::vector<FilterRule>& filter, const IpAddress& src, const IpAddress& dst, int ipProto,
                  std::optional<std::uint16_t> port) {
  const bool icmp = ipProto == kIcmpV4 || ipProto == kIcmpV6;
  for (const auto& rule : filter) {
    if (rule.dstPorts.empty()) continue;  // capability grants carry no packets
    if (rule.ipProto.empty()) {
      if (ipProto != kTcp && ipProto != kUdp && !icmp) continue;
    } else if (std::find(rule.ipProto.begin(), rule.ipProto.end(), ipProto) == rule.ipProto.end()) {
      continue;
    }
    if (std::none_of(rule.srcIps.begin(), rule.srcIps.end(),
                     [&](const std::string& s) { return entryContains(s, src); }))
      continue;
    for (const auto& d : rule.dstPorts) {
      if (!entryContains(d.ip, dst)) continue;
      if (icmp || !port || (d.ports.first <= *port && *port <= d.ports.last)) return true;
    }
  }
  return false;
}

AccessDecision decideAccess(const Policy& policy, const std::vector<PolicyNode>& nodes, std::size_t srcIndex,
                            std::size_t dstIndex, const IpAddress& dstIp, std::optional<std::uint16_t> port,
                            AccessProto proto, const std::string& dstLabel) {
  AccessDecision d;
  d.proto = proto;
  const PolicyNode& src = nodes[srcIndex];
  d.src = src.name;
  d.dst = !dstLabel.empty() ? dstLabel : dstIp.toString() + (port ? ":" + std::to_string(*port) : "");
  const std::optional<IpAddress> srcIp = dstIp.v6 ? src.ipv6 : src.ipv4;
  if (!srcIp) {
    d.reason = src.name + " has no " + (dstIp.v6 ? "IPv6" : "IPv4") + " address to reach " + dstIp.toString() + " from";
    return d;
  }
  const int ipProto = ipProtoNumber(proto, dstIp.v6);
  const std::string target = describeTarget(d, port);

  if (policy.allowAll()) {
    d.allowed = true;
    d.reason = "the policy has neither acls nor grants, so everything is allowed (Tailscale's default)";
    return d;
  }

  // Whether the destination's filter admits the source depends only on these
  // two nodes and on the subnet routers (a wildcard source also covers their
  // routes): compiling for them alone keeps a check cheap on a large tailnet.
  std::vector<PolicyNode> relevant{src};
  if (dstIndex != srcIndex) relevant.push_back(nodes[dstIndex]);
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (i != srcIndex && i != dstIndex && !nodes[i].approvedRoutes.empty()) relevant.push_back(nodes[i]);
  const PolicyNode& dstNode = nodes[dstIndex];

  // Most rules are about other destinations. A rule none of whose
  // destinations holds dstIp on that port cannot admit the packet, so it is
  // not compiled at all; wildcards and autogroups are always compiled.
  const SelectorResolver resolver(policy, relevant);
  auto mayHold = [&](const Selector& target) {
    return target.kind == SelectorKind::kWildcard || target.kind == SelectorKind::kAutogroup ||
           resolver.resolve(target).contains(dstIp);
  };
  const bool portMatters = port && proto != AccessProto::kIcmp;  // ICMP has no ports
  auto coversPort = [&](const std::vector<PortRange>& ports) {
    return !portMatters || ports.empty() ||
           std::any_of(ports.begin(), ports.end(), [&](const PortRange& r) { return r.first <= *port && *port <= r.last; });
  };
  auto aclMayAdmit = [&](const AclRule& a) {
    return std::any_of(a.dst.begin(), a.dst.end(),
                       [&](const DstSelector& d) { return mayHold(d.target) && coversPort(d.ports); });
  };
  auto grantMayAdmit = [&](const Grant& g) {
    return std::any_of(g.dst.begin(), g.dst.end(), mayHold) &&
           (g.ip.empty() ||
            std::any_of(g.ip.begin(), g.ip.end(), [&](const ProtoPorts& p) { return coversPort(p.ports); }));
  };

  const PostureCheck ignorePostures = [](const PolicyNode&, const std::string&) { return true; };
  Policy single = withoutRules(policy);  // one rule at a time; the flags keep allowAll() false
  single.acls.clear();
  single.grants.clear();

  auto evaluateRule = [&](RuleKind kind, int line, const std::vector<PolicyString>& own) -> std::optional<RuleMatch> {
    {
      FilterCompiler compiler(single, relevant, ignorePostures);
      if (!filterAdmits(compiler.filterFor(dstNode.name), *srcIp, dstIp, ipProto, port)) return std::nullopt;
    }
    RuleMatch match;
    match.kind = kind;
    match.line = line;
    const auto& postures = own.empty() ? policy.defaultSrcPosture : own;
    match.defaultPosture = own.empty() && !postures.empty();
    if (postures.empty()) return match;
    for (const auto& p : postures) match.postures.push_back(checkPosture(policy, src, p.text));
    // The compiler decides with the real postures; the explanation above says why.
    FilterCompiler compiler(single, relevant);
    match.postureOk = filterAdmits(compiler.filterFor(dstNode.name), *srcIp, dstIp, ipProto, port);
    return match;
  };

  for (const auto& g : policy.grants) {
    if (!grantMayAdmit(g)) continue;
    single.grants = {g};
    auto m = evaluateRule(RuleKind::kGrant, g.pos.line, g.srcPosture);
    single.grants.clear();
    if (!m) continue;
    if (m->postureOk) {
      d.rule = std::move(*m);
      break;
    }
    d.failedRules.push_back(std::move(*m));
  }
  if (!d.rule) {
    for (const auto& a : policy.acls) {
      if (!aclMayAdmit(a)) continue;
      single.acls = {a};
      auto m = evaluateRule(RuleKind::kAcl, a.pos.line, a.srcPosture);
      single.acls.clear();
      if (!m) continue;
      if (m->postureOk) {
        d.rule = std::move(*m);
        break;
      }
      d.failedRules.push_back(std::move(*m));
    }
  }

  if (d.rule) {
    d.allowed = true;
    d.failedRules.clear();
    d.reason = "allowed by the " + ruleName(*d.rule);
    if (!d.rule->postures.empty()) {
      std::string met;
      for (const auto& p : d.rule->postures)
        if (p.passed) met += (met.empty() ? "" : ", ") + p.name;
      d.reason += "; " + src.name + " meets " + met;
      if (d.rule->defaultPosture) d.reason += " (defaultSrcPosture)";
    }
  } else if (!d.failedRules.empty()) {
    d.reason = "denied: the " + joinLines(d.failedRules) + " would allow " + src.name + " to reach " + target +
               ", but " + src.name + " meets none of " + (d.failedRules.size() == 1 ? "its" : "their") + " postures";
  } else {
    d.reason = "denied: no acl or grant allows " + src.name + " to reach " + target;
  }
  return d;
}

core::Result<AccessDecision> checkAccess(const Policy& policy, const std::vector<PolicyNode>& nodes,
                                         const AccessRequest& request) {
  auto proto = parseAccessProto(request.proto);
  if (!proto) return tl::unexpected(proto.error());
  const NodeDirectory directory(nodes);
  auto srcIndex = directory.find(request.src);
  if (!srcIndex)
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "src \"" + request.src + "\" is not a known node (known: " + directory.someNames() + ")", "src");
  auto dst = parseDestination(request.dst);
  if (!dst) return tl::unexpected(dst.error());
  auto resolved = directory.resolve(policy, dst->host, &nodes[*srcIndex]);
  if (!resolved) return tl::unexpected(resolved.error());
  if (resolved->candidates.empty()) {
    AccessDecision d;
    d.src = request.src;
    d.dst = request.dst;
    d.proto = *proto;
    d.reason = "denied: " + resolved->unreachable;
    return d;
  }
  std::optional<AccessDecision> first;
  for (const auto& [index, ip] : resolved->candidates) {
    AccessDecision d = decideAccess(policy, nodes, *srcIndex, index, ip, dst->port, *proto, request.dst);
    d.src = request.src;
    if (d.allowed) return d;
    if (!first) first = std::move(d);
  }
  return *first;
}

namespace {

nlohmann::json posturesJson(const std::vector<PostureCheckResult>& postures) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : postures) {
    nlohmann::json conditions = nlohmann::json::array();
    for (const auto& c : p.conditions)
      conditions.push_back({{"condition", c.condition},
                            {"passed", c.passed},
                            {"actual", c.actual ? attributeToJson(*c.actual) : nlohmann::json(nullptr)},
                            {"reason", c.reason}});
    out.push_back({{"name", p.name}, {"passed", p.passed}, {"conditions", std::move(conditions)}});
  }
  return out;
}

nlohmann::json ruleJson(const RuleMatch& rule) {
  return {{"line", rule.line}, {"kind", rule.kind == RuleKind::kAcl ? "acl" : "grant"}};
}

void appendPostures(std::string& out, const std::vector<PostureCheckResult>& postures, const std::string& indent) {
  for (const auto& p : postures) {
    out += indent + p.name + ": " + (p.passed ? "met" : "not met") + "\n";
    for (const auto& c : p.conditions) {
      out += indent + "  [" + (c.passed ? "pass" : "FAIL") + "] " + c.condition +
             " (actual: " + (c.actual ? formatValue(*c.actual) : std::string("not set")) + ")";
      if (!c.passed) out += ": " + c.reason;
      out += "\n";
    }
  }
}

}  // namespace

nlohmann::json toJson(const AccessDecision& decision) {
  nlohmann::json out = {{"allowed", decision.allowed},
                        {"src", decision.src},
                        {"dst", decision.dst},
                        {"proto", std::string(accessProtoName(decision.proto))}};
  std::vector<PostureCheckResult> postures;
  if (decision.rule) {
    out["rule"] = ruleJson(*decision.rule);
    postures = decision.rule->postures;
  }
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& r : decision.failedRules) {
    nlohmann::json f = ruleJson(r);
    nlohmann::json names = nlohmann::json::array();
    for (const auto& p : r.postures) {
      names.push_back(p.name);
      if (std::none_of(postures.begin(), postures.end(), [&](const PostureCheckResult& q) { return q.name == p.name; }))
        postures.push_back(p);
    }
    f["postures"] = std::move(names);
    failed.push_back(std::move(f));
  }
  out["postures"] = posturesJson(postures);
  if (!decision.allowed) out["failedRules"] = std::move(failed);
  out["reason"] = decision.reason;
  return out;
}

std::string formatDecision(const AccessDecision& decision) {
  std::string out = std::string(decision.allowed ? "allowed" : "denied") + ": " + decision.src + " -> " + decision.dst +
                    " (" + std::string(accessProtoName(decision.proto)) + ")\n";
  out += "  " + decision.reason + "\n";
  if (decision.rule) appendPostures(out, decision.rule->postures, "  ");
  for (const auto& r : decision.failedRules) {
    out += "  " + ruleName(r) + (r.defaultPosture ? " (defaultSrcPosture)" : "") + ":\n";
    appendPostures(out, r.postures, "    ");
  }
  return out;
}

}  // namespace postured::policy
