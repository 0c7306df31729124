#include "policy/access_plan.h"

namespace postured::policy {

std::vector<PlannedAccess> planAccesses(const Policy& policy) {
  const auto postures = [&](const std::vector<PolicyString>& own) {
    return own.empty() ? &policy.defaultSrcPosture : &own;
  };
  std::vector<PlannedAccess> out;
  for (const auto& g : policy.grants) {
    PlannedAccess a;
    a.src = &g.src;
    a.dst = g.dst;
    for (const auto& ip : g.ip) a.ip.push_back({ip.ipProto, ip.ports});
    a.app = g.app;
    a.via = &g.via;
    a.postures = postures(g.srcPosture);
    out.push_back(std::move(a));
  }
  static const std::vector<Selector> kNoVia;
  for (const auto& acl : policy.acls) {
    // Tailscale emits an ACL's other destinations before its autogroup:self ones.
    std::vector<const DstSelector*> ordered;
    for (const auto& d : acl.dst)
      if (!d.target.is(Autogroup::kSelf)) ordered.push_back(&d);
    for (const auto& d : acl.dst)
      if (d.target.is(Autogroup::kSelf)) ordered.push_back(&d);
    for (const auto* d : ordered) {
      PlannedAccess a;
      a.src = &acl.src;
      a.dst = {d->target};
      a.ip.push_back({acl.ipProto, d->ports});
      a.via = &kNoVia;
      a.postures = postures(acl.srcPosture);
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace postured::policy
