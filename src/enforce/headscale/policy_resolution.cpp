#include "enforce/headscale/policy_resolution.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "enforce/headscale/resolution_context.h"
#include "enforce/headscale/resolution_ipsets.h"
#include "enforce/headscale/resolution_rules.h"
#include "enforce/headscale/resolution_ssh.h"
#include "policy/hujson.h"

namespace postured::enforce::headscale {
namespace {

using nlohmann::json;

// Top-level fields of headscale's Policy (hscontrol/policy/v2/types.go) that postured writes.
const std::set<std::string> kKept = {"groups", "hosts",         "tagOwners", "acls",
                                     "grants", "nodeAttrs",     "autoApprovers", "ssh",
                                     "randomizeClientPort"};
// Resolved away (postures, ipsets) or meaningless without them (tests carry posture attributes).
const std::set<std::string> kResolved = {"postures", "defaultSrcPosture", "tests", "sshTests", "ipsets"};

int lineOf(const std::string& warning) {
  return warning.rfind("line ", 0) == 0 ? std::atoi(warning.c_str() + 5) : 0;
}

class Resolution {
 public:
  Resolution(const policy::Policy& policy, const std::vector<policy::PolicyNode>& nodes)
      : policy_(policy), context_(policy, nodes) {}

  ResolvedPolicy run(const policy::HuValue& root, const json& doc) {
    json grants = rules(doc, "grants", policy_.grants, &resolveGrant);
    json acls = rules(doc, "acls", policy_.acls, &resolveAcl);
    // autogroup:self rules follow every other rule, grants' before ACLs', as the compiler orders them.
    for (auto& r : grantSelfGrants_) grants.push_back(std::move(r));
    for (auto& r : grantSelfAcls_) acls.push_back(std::move(r));
    for (auto& r : aclSelfAcls_) acls.push_back(std::move(r));

    json out = json::object();
    const bool hasAcls = doc.contains("acls");
    const bool hasGrants = doc.contains("grants");
    for (const auto& m : root.members()) {
      if (kResolved.count(m.key)) continue;
      if (!kKept.count(m.key)) {
        out_.warnings.push_back("line " + std::to_string(m.keyPos.line) + ": " + m.key +
                                " is not accepted by headscale and was left out");
        continue;
      }
      if (m.key == "acls" || m.key == "grants") {
        continue;  // below
      } else if (m.key == "ssh") {
        out["ssh"] = ssh(doc["ssh"]);
      } else if (m.key == "nodeAttrs") {
        out["nodeAttrs"] = nodeAttrs(doc["nodeAttrs"]);
      } else {
        out[m.key] = doc[m.key];
      }
    }
    // A policy of grants only may gain ACLs (autogroup:self port rules), and the reverse.
    if (hasAcls || !acls.empty()) out["acls"] = std::move(acls);
    if (hasGrants || !grants.empty()) out["grants"] = std::move(grants);
    out_.text = out.dump(2);
    std::stable_sort(out_.warnings.begin(), out_.warnings.end(),
                     [](const std::string& a, const std::string& b) { return lineOf(a) < lineOf(b); });
    return std::move(out_);
  }

 private:
  template <class Rule, class Resolve>
  json rules(const json& doc, const char* key, const std::vector<Rule>& model, Resolve resolve) {
    json out = json::array();
    if (!doc.contains(key)) return out;
    const json& entries = doc[key];
    const bool isGrant = std::string(key) == "grants";
    for (std::size_t i = 0; i < model.size(); ++i) {
      ResolvedRule r = resolve(context_, model[i], entries[i], out_.warnings);
      count(r.constrained, r.dropped);
      for (auto& e : r.entries) out.push_back(std::move(e));
      auto& selfAcls = isGrant ? grantSelfAcls_ : aclSelfAcls_;
      for (auto& e : r.selfAcls) selfAcls.push_back(std::move(e));
      for (auto& e : r.selfGrants) grantSelfGrants_.push_back(std::move(e));
    }
    return out;
  }

  json ssh(const json& entries) {
    json out = json::array();
    for (std::size_t i = 0; i < policy_.ssh.size(); ++i) {
      ResolvedSsh r = resolveSsh(context_, policy_.ssh[i], entries[i], out_.warnings);
      count(r.constrained, r.entry.is_null());
      if (!r.entry.is_null()) out.push_back(std::move(r.entry));
    }
    return out;
  }

  json nodeAttrs(const json& entries) {
    json out = json::array();
    for (std::size_t i = 0; i < policy_.nodeAttrs.size(); ++i) {
      const auto& model = policy_.nodeAttrs[i];
      json entry = entries[i];
      entry["target"] = expandIpsets(context_, entries[i]["target"], model.target, ListRole::kSources,
                                     model.pos.line, out_.warnings);
      out.push_back(std::move(entry));
    }
    return out;
  }

  void count(bool constrained, bool dropped) {
    if (!constrained) return;
    ++(dropped ? out_.rulesDropped : out_.rulesResolved);
  }

  const policy::Policy& policy_;
  ResolutionContext context_;
  ResolvedPolicy out_;
  json grantSelfGrants_ = json::array();
  json grantSelfAcls_ = json::array();
  json aclSelfAcls_ = json::array();
};

std::size_t entries(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_array() ? doc[key].size() : 0;
}

}  // namespace

core::Result<ResolvedPolicy> resolvePostures(std::string_view text, const policy::Policy& policy,
                                             const std::vector<policy::PolicyNode>& nodes) {
  auto root = policy::parseHuJson(text);
  if (!root) return core::fail(core::ErrorKind::kInvalidArgument, "the policy does not parse: " + root.error().message);
  if (!root->isObject()) return core::fail(core::ErrorKind::kInvalidArgument, "the policy is not a JSON object");
  const json doc = policy::toJson(*root);
  if (entries(doc, "acls") != policy.acls.size() || entries(doc, "grants") != policy.grants.size() ||
      entries(doc, "ssh") != policy.ssh.size() || entries(doc, "nodeAttrs") != policy.nodeAttrs.size())
    return core::fail(core::ErrorKind::kInternal,
                      "the policy text and its parsed model differ (rule counts); parse the text again");
  return Resolution(policy, nodes).run(*root, doc);
}

}  // namespace postured::enforce::headscale
