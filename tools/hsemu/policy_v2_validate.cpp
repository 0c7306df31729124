// Policy.validate: the checks headscale runs on a decoded policy, in its
// order, collecting every error.
#include <algorithm>

#include "go_duration.h"
#include "go_text.h"
#include "policy_v2_model.h"

namespace postured::hsemu::policy {

namespace {

constexpr std::int64_t kHourNanos = 3'600'000'000'000LL;
constexpr std::int64_t kSshCheckPeriodMax = 7 * 24 * kHourNanos;
const char* const kSelfSourceError = "autogroup:self can only be used with users, groups, or supported autogroups";

class Validator {
 public:
  explicit Validator(const PolicyV2& policy) : p_(policy) {}

  std::vector<std::string> run() {
    for (const auto& acl : p_.acls) acl_(acl);
    for (const auto& ssh : p_.ssh) ssh_(ssh);
    for (const auto& grant : p_.grants) grant_(grant);
    for (const auto& attr : p_.nodeAttrs) nodeAttr_(attr);
    for (const auto& [tag, owners] : p_.tagOwners)
      for (const auto& owner : owners) groupOrTagDefined_(owner, "");
    for (const auto& approvers : p_.routeApprovers)
      for (const auto& approver : approvers) groupOrTagDefined_(approver, "");
    for (const auto& approver : p_.exitNodeApprovers) groupOrTagDefined_(approver, "");
    return std::move(errs_);
  }

 private:
  void add(std::string error) { errs_.push_back(std::move(error)); }

  void hostDefined_(const Alias& a) {
    if (!p_.hasHost(a.text)) add("host not defined in policy: " + goQuote(a.text));
  }

  // Group and tag references; `tagPrefix` is how the position words a missing tag.
  void groupOrTagDefined_(const Alias& a, std::string_view tagPrefix) {
    if (a.kind == AliasKind::kGroup && !p_.hasGroup(a.text)) add("group not defined in policy: " + goQuote(a.text));
    if (a.kind == AliasKind::kTag && !p_.hasTag(a.text))
      add(std::string(tagPrefix) + "tag not found: " + goQuote(a.text));
  }

  void ruleSource_(const Alias& a, std::string_view tagPrefix) {
    if (a.kind == AliasKind::kHost) hostDefined_(a);
    if (a.kind == AliasKind::kAutoGroup) {
      if (auto error = validateAutogroupForSrc(a.text)) add(*error);
    }
    groupOrTagDefined_(a, tagPrefix);
  }

  void ruleDestination_(const Alias& a, std::string_view tagPrefix) {
    if (a.kind == AliasKind::kHost) hostDefined_(a);
    if (a.kind == AliasKind::kAutoGroup) {
      if (auto error = validateAutogroupForDst(a.text)) add(*error);
    }
    groupOrTagDefined_(a, tagPrefix);
  }

  static bool isSelf(const Alias& a) { return a.kind == AliasKind::kAutoGroup && a.text == "autogroup:self"; }

  void acl_(const AclRule& acl) {
    for (const auto& src : acl.sources) ruleSource_(src, "src=");
    for (const auto& dst : acl.destinations)
      ruleDestination_(dst.alias, dst.alias.kind == AliasKind::kTag ? "dst=" + goQuote(dst.alias.text) + ": " : "");
    if (!protocolSupportsPorts(acl.protocol)) {
      for (const auto& dst : acl.destinations) {
        const bool specific = std::any_of(dst.ports.begin(), dst.ports.end(),
                                          [](const PortRange& r) { return r.first != 0 || r.last != 65535; });
        if (specific) {
          add("protocol does not support specific ports: " + goQuote(acl.protocol) + ", only \"*\" is allowed");
          break;
        }
      }
    }
    const bool toSelf = std::any_of(acl.destinations.begin(), acl.destinations.end(),
                                    [](const Destination& d) { return isSelf(d.alias); });
    if (toSelf) {
      for (const auto& src : acl.sources) {
        const bool ok = src.kind == AliasKind::kUser || src.kind == AliasKind::kGroup ||
                        src.kind == AliasKind::kWildcard ||
                        (src.kind == AliasKind::kAutoGroup && src.text == "autogroup:member");
        if (!ok) {
          add(kSelfSourceError);
          break;
        }
      }
    }
  }

  void ssh_(const SshRule& ssh) {
    if (ssh.action.empty()) add("action must be specified");
    if (ssh.users.empty()) add("users must be specified");
    for (const auto& user : ssh.users)
      if (user.empty() || user == "*") add("user " + goQuote(user) + " is not valid");
    for (const auto& env : ssh.acceptEnv)
      if (env.empty()) add("acceptEnv values cannot be empty");
    for (const auto& src : ssh.sources) {
      if (src.kind == AliasKind::kAutoGroup) {
        if (auto error = validateAutogroupForSshSrc(src.text)) add(*error);
      }
      groupOrTagDefined_(src, "");
    }
    for (const auto& dst : ssh.destinations) {
      if (dst.kind == AliasKind::kAutoGroup) {
        if (auto error = validateAutogroupForSshDst(dst.text)) add(*error);
      }
      if (dst.kind == AliasKind::kTag) groupOrTagDefined_(dst, "");
      if (dst.kind == AliasKind::kHost) add("invalid dst " + goQuote(dst.text));
    }
    if (auto error = sshCombination_(ssh)) add(*error);
    if (ssh.hasCheckPeriod) {
      if (ssh.action != "check") {
        add("checkPeriod is only valid with action \"check\"");
      } else if (!ssh.checkAlways && ssh.checkPeriodNanos < 0) {
        add("checkPeriod " + formatGoDuration(ssh.checkPeriodNanos) + " must be a positive duration");
      } else if (!ssh.checkAlways && ssh.checkPeriodNanos > kSshCheckPeriodMax) {
        add("checkPeriod " + formatGoDuration(ssh.checkPeriodNanos) + " is above the max (168h)");
      }
    }
  }

  static std::optional<std::string> sshCombination_(const SshRule& ssh) {
    bool tagged = false;
    bool groups = false;
    std::vector<std::string> users;
    for (const auto& src : ssh.sources) {
      if (src.kind == AliasKind::kTag || (src.kind == AliasKind::kAutoGroup && src.text == "autogroup:tagged"))
        tagged = true;
      if (src.kind == AliasKind::kGroup || (src.kind == AliasKind::kAutoGroup && src.text == "autogroup:member"))
        groups = true;
      if (src.kind == AliasKind::kUser && std::find(users.begin(), users.end(), src.text) == users.end())
        users.push_back(src.text);
    }
    for (const auto& dst : ssh.destinations) {
      if (dst.kind == AliasKind::kUser) {
        if (tagged)
          return "tags in SSH source cannot access user-owned devices (" + dst.text +
                 "); use autogroup:tagged or specific tags as destinations instead";
        if (groups || users.size() != 1 || users[0] != dst.text)
          return "user destination requires source to contain only that same user " + goQuote(dst.text) +
                 "; use autogroup:self instead for same-user SSH access";
      }
      if (dst.kind == AliasKind::kAutoGroup && dst.text == "autogroup:self" && tagged)
        return std::string(
            "autogroup:self destination requires source to contain only users or groups, not tags or "
            "autogroup:tagged");
      if (dst.kind == AliasKind::kAutoGroup && dst.text == "autogroup:member" && tagged)
        return std::string("tags in SSH source cannot access autogroup:member (user-owned devices)");
    }
    return std::nullopt;
  }

  void grant_(const GrantRule& grant) {
    if (!grant.hasIp && grant.appCapabilities.empty()) add("ip and app can not both be empty");
    for (const auto& cap : grant.appCapabilities) {
      if (cap.find("://") != std::string::npos) {
        add("capability name must have the form {domain}/{path}");
      } else if (cap.rfind("tailscale.com/", 0) == 0 && !allowedTailscaleCap(cap)) {
        add("capability name must not be in the tailscale.com domain");
      }
    }
    if (!grant.appCapabilities.empty()) {
      for (const auto& dst : grant.destinations)
        if (dst.kind == AliasKind::kAutoGroup && dst.text == "autogroup:internet") {
          add("cannot use app grants with autogroup:internet");
          break;
        }
    }
    for (const auto& dst : grant.destinations)
      if (dst.kind == AliasKind::kPrefix && dst.prefixBits == 0) {
        add("dst " + goQuote(dst.text) + ": to allow all IP addresses, use \"*\" or \"autogroup:internet\"");
        break;
      }
    for (const auto& src : grant.sources) ruleSource_(src, "src=");
    for (const auto& dst : grant.destinations) ruleDestination_(dst, "");
    for (const auto& via : grant.via)
      if (!p_.hasTag(via)) add("tag " + goQuote(via) + " not found");
    const bool toSelf = std::any_of(grant.destinations.begin(), grant.destinations.end(), isSelf);
    if (toSelf) {
      for (const auto& src : grant.sources) {
        const bool ok = src.kind == AliasKind::kUser || src.kind == AliasKind::kGroup ||
                        (src.kind == AliasKind::kAutoGroup && src.text == "autogroup:member");
        if (!ok) {
          add(kSelfSourceError);
          break;
        }
      }
    }
  }

  static bool allowedTailscaleCap(const std::string& cap) {
    static const char* const kAllowed[] = {"tailscale.com/cap/drive", "tailscale.com/cap/relay",
                                           "tailscale.com/cap/webui", "tailscale.com/cap/kubernetes",
                                           "tailscale.com/cap/tsidp", "tailscale.com/cap/secrets"};
    return std::any_of(std::begin(kAllowed), std::end(kAllowed), [&](const char* c) { return cap == c; });
  }

  void nodeAttr_(const NodeAttrRule& attr) {
    for (const auto& target : attr.targets) {
      switch (target.kind) {
        case AliasKind::kHost:
          hostDefined_(target);
          break;
        case AliasKind::kAutoGroup:
          if (auto error = validateAutogroupForNodeAttrs(target.text)) add(*error);
          break;
        case AliasKind::kGroup:
        case AliasKind::kTag:
          groupOrTagDefined_(target, "");
          break;
        default:
          break;
      }
    }
    for (const auto& name : attr.attributes)
      if (name == "funnel")
        add("nodeAttrs uses a feature headscale does not yet support: \"funnel\" tracked in "
            "https://github.com/juanfont/headscale/issues/2527");
    if (!attr.ipPool.empty())
      add("nodeAttrs ipPool requires the IP allocator (https://github.com/juanfont/headscale/issues/2912)");
  }

  const PolicyV2& p_;
  std::vector<std::string> errs_;
};

}  // namespace

std::vector<std::string> validatePolicyV2(const PolicyV2& policy) { return Validator(policy).run(); }

}  // namespace postured::hsemu::policy
