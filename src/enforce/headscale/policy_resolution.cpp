#include "enforce/headscale/policy_resolution.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "enforce/headscale/resolution_context.h"
#include "enforce/headscale/resolution_ipsets.h"
#include "enforce/headscale/resolution_rules.h"
#include "enforce/headscale/resolution_ssh.h"
#include "enforce/headscale/resolution_text.h"
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

const json kNoEntries = json::array();

int lineOf(const std::string& warning) {
  return warning.rfind("line ", 0) == 0 ? std::atoi(warning.c_str() + 5) : 0;
}

std::size_t entries(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_array() ? doc[key].size() : 0;
}

bool sameIdentity(const policy::PolicyNode& a, const policy::PolicyNode& b) {
  return a.id == b.id && a.name == b.name && a.hostname == b.hostname && a.userLogin == b.userLogin &&
         a.tags == b.tags && a.ipv4 == b.ipv4 && a.ipv6 == b.ipv6 && a.approvedRoutes == b.approvedRoutes;
}

// One ACL rule or grant resolved, as text, with what it was resolved from.
struct RuleOutput {
  bool known = false;
  policy::IpSet set;  // the RuleSources::set it was written for (constrained rules)
  std::vector<std::string> entries;
  std::vector<std::string> selfAcls;
  std::vector<std::string> selfGrants;
  std::vector<std::string> warnings;
  bool constrained = false;
  bool dropped = false;
};

std::vector<std::string> texts(const std::vector<RuleEntry>& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(ruleText(e));
  return out;
}

// The parsed text and everything computed from it and the nodes, kept from
// one run to the next. Refers to the policy and nodes, which must outlive it.
class Resolution {
 public:
  Resolution(const policy::Policy& policy, const std::vector<policy::PolicyNode>& nodes)
      : policy_(policy), context_(policy, nodes) {}

  core::Result<void> parse(std::string_view text) {
    auto root = policy::parseHuJson(text);
    if (!root)
      return core::fail(core::ErrorKind::kInvalidArgument, "the policy does not parse: " + root.error().message);
    if (!root->isObject()) return core::fail(core::ErrorKind::kInvalidArgument, "the policy is not a JSON object");
    doc_ = policy::toJson(*root);
    if (entries(doc_, "acls") != policy_.acls.size() || entries(doc_, "grants") != policy_.grants.size() ||
        entries(doc_, "ssh") != policy_.ssh.size() || entries(doc_, "nodeAttrs") != policy_.nodeAttrs.size())
      return core::fail(core::ErrorKind::kInternal,
                        "the policy text and its parsed model differ (rule counts); parse the text again");
    for (const auto& m : root->members()) members_.push_back({m.key, m.keyPos.line});
    acls_.resize(policy_.acls.size());
    grants_.resize(policy_.grants.size());
    return {};
  }

  void attributesChanged(const std::vector<std::size_t>& positions) { context_.attributesChanged(positions); }

  ResolvedPolicy run() {
    ResolvedPolicy out;
    context_.forgetWritten();  // the texts of this run's sets only: memory stays bounded
    std::vector<const std::string*> grants;
    std::vector<const std::string*> acls;
    std::vector<const std::string*> grantSelfGrants;
    std::vector<const std::string*> grantSelfAcls;
    std::vector<const std::string*> aclSelfAcls;
    const json& grantEntries = doc_.contains("grants") ? doc_["grants"] : kNoEntries;
    for (std::size_t i = 0; i < policy_.grants.size(); ++i) {
      const RuleOutput& r = rule(grants_[i], policy_.grants[i], grantEntries[i], &resolveGrant);
      collect(r, out, grants, grantSelfAcls, grantSelfGrants);
    }
    const json& aclEntries = doc_.contains("acls") ? doc_["acls"] : kNoEntries;
    for (std::size_t i = 0; i < policy_.acls.size(); ++i) {
      const RuleOutput& r = rule(acls_[i], policy_.acls[i], aclEntries[i], &resolveAcl);
      collect(r, out, acls, aclSelfAcls, grantSelfGrants);
    }
    // autogroup:self rules follow every other rule, grants' before ACLs', as the compiler orders them.
    grants.insert(grants.end(), grantSelfGrants.begin(), grantSelfGrants.end());
    acls.insert(acls.end(), grantSelfAcls.begin(), grantSelfAcls.end());
    acls.insert(acls.end(), aclSelfAcls.begin(), aclSelfAcls.end());

    // Member texts by key, sorted as json objects sort them; acls and grants are written in place.
    std::map<std::string, std::string> members;
    const bool hasAcls = doc_.contains("acls");
    const bool hasGrants = doc_.contains("grants");
    for (const auto& [key, line] : members_) {
      if (kResolved.count(key)) continue;
      if (!kKept.count(key)) {
        out.warnings.push_back("line " + std::to_string(line) + ": " + key +
                               " is not accepted by headscale and was left out");
        continue;
      }
      if (key == "acls" || key == "grants") continue;  // below
      if (key == "ssh") {
        std::string text;
        appendJson(text, ssh(out), 2);
        members[key] = std::move(text);
        continue;
      }
      // The others depend on the policy and the nodes' identities only: written once.
      auto [kept, first] = memberTexts_.try_emplace(key);
      if (first) {
        if (key == "nodeAttrs") {
          appendJson(kept->second.text, nodeAttrs(kept->second.warnings), 2);
        } else {
          appendJson(kept->second.text, doc_[key], 2);
        }
      }
      members[key] = kept->second.text;
      out.warnings.insert(out.warnings.end(), kept->second.warnings.begin(), kept->second.warnings.end());
    }
    // A policy of grants only may gain ACLs (autogroup:self port rules), and the reverse.
    if (hasAcls || !acls.empty()) members["acls"];
    if (hasGrants || !grants.empty()) members["grants"];

    std::size_t size = 4;
    for (const auto& [key, text] : members) size += key.size() + text.size() + 8;
    for (const auto* e : grants) size += e->size() + 2;
    for (const auto* e : acls) size += e->size() + 2;
    std::string& text = out.text;
    text.reserve(size + 16);
    if (members.empty()) {
      text = "{}";
    } else {
      text = "{\n";
      bool first = true;
      for (const auto& [key, value] : members) {
        if (!first) text += ",\n";
        first = false;
        text += "  ";
        appendJsonString(text, key);
        text += ": ";
        if (key == "acls") {
          appendArray(text, acls, 2);
        } else if (key == "grants") {
          appendArray(text, grants, 2);
        } else {
          text += value;
        }
      }
      text += "\n}";
    }
    std::stable_sort(out.warnings.begin(), out.warnings.end(),
                     [](const std::string& a, const std::string& b) { return lineOf(a) < lineOf(b); });
    return out;
  }

 private:
  // A rule's output, kept while its inputs stay: without postures it depends
  // on nothing that changes between runs, with them only on its sources' set.
  template <class Rule, class Resolve>
  const RuleOutput& rule(RuleOutput& cached, const Rule& model, const json& entry, Resolve resolve) {
    const auto& postures = posturesOf(policy_, model.srcPosture);
    const RuleSources* src = postures.empty() ? nullptr : &context_.sources(model.src, postures);
    if (cached.known && (!src || src->set == cached.set)) return cached;
    RuleOutput out;
    ResolvedRule r = resolve(context_, model, entry, out.warnings);
    out.known = true;
    if (src) out.set = src->set;
    out.entries = texts(r.entries);
    out.selfAcls = texts(r.selfAcls);
    out.selfGrants = texts(r.selfGrants);
    out.constrained = r.constrained;
    out.dropped = r.dropped;
    cached = std::move(out);
    return cached;
  }

  static void collect(const RuleOutput& r, ResolvedPolicy& out, std::vector<const std::string*>& entries,
                      std::vector<const std::string*>& selfAcls, std::vector<const std::string*>& selfGrants) {
    out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());
    if (r.constrained) ++(r.dropped ? out.rulesDropped : out.rulesResolved);
    for (const auto& e : r.entries) entries.push_back(&e);
    for (const auto& e : r.selfAcls) selfAcls.push_back(&e);
    for (const auto& e : r.selfGrants) selfGrants.push_back(&e);
  }

  json ssh(ResolvedPolicy& resolved) {
    const json& entries = doc_["ssh"];
    json out = json::array();
    for (std::size_t i = 0; i < policy_.ssh.size(); ++i) {
      ResolvedSsh r = resolveSsh(context_, policy_.ssh[i], entries[i], resolved.warnings);
      if (r.constrained) ++(r.entry.is_null() ? resolved.rulesDropped : resolved.rulesResolved);
      if (!r.entry.is_null()) out.push_back(std::move(r.entry));
    }
    return out;
  }

  json nodeAttrs(std::vector<std::string>& warnings) {
    const json& entries = doc_["nodeAttrs"];
    json out = json::array();
    for (std::size_t i = 0; i < policy_.nodeAttrs.size(); ++i) {
      const auto& model = policy_.nodeAttrs[i];
      json entry = entries[i];
      entry["target"] =
          expandIpsets(context_, entries[i]["target"], model.target, ListRole::kSources, model.pos.line, warnings);
      out.push_back(std::move(entry));
    }
    return out;
  }

  const policy::Policy& policy_;
  ResolutionContext context_;
  json doc_;
  std::vector<std::pair<std::string, int>> members_;  // the root's keys and their lines, in source order
  std::vector<RuleOutput> acls_;
  std::vector<RuleOutput> grants_;
  struct MemberText {
    std::string text;
    std::vector<std::string> warnings;
  };
  std::map<std::string, MemberText> memberTexts_;  // top-level members other than acls, grants and ssh
};

}  // namespace

core::Result<ResolvedPolicy> resolvePostures(std::string_view text, const policy::Policy& policy,
                                             const std::vector<policy::PolicyNode>& nodes) {
  Resolution resolution(policy, nodes);
  if (auto parsed = resolution.parse(text); !parsed) return tl::unexpected(parsed.error());
  return resolution.run();
}

struct PolicyResolver::State {
  State(std::string_view text, std::shared_ptr<const policy::Policy> p, std::vector<policy::PolicyNode> n)
      : text(text), policy(std::move(p)), nodes(std::move(n)), resolution(*policy, nodes) {
    for (std::size_t i = 0; i < nodes.size(); ++i) positionOf.emplace(nodes[i].id, i);
  }

  // Takes the attributes of the changed nodes; false when more than attributes changed.
  bool update(std::vector<policy::PolicyNode>& next, const std::vector<std::string>& changedIds) {
    if (next.size() != nodes.size()) return false;
    for (std::size_t i = 0; i < next.size(); ++i)
      if (next[i].id != nodes[i].id) return false;
    std::vector<std::size_t> positions;
    for (const auto& id : changedIds) {
      const auto it = positionOf.find(id);
      if (it == positionOf.end()) continue;  // not a node now, nor before (the ids are the same)
      if (!sameIdentity(next[it->second], nodes[it->second])) return false;
      positions.push_back(it->second);
    }
    for (auto i : positions) nodes[i].attributes = std::move(next[i].attributes);
    resolution.attributesChanged(positions);
    return true;
  }

  std::string text;
  std::shared_ptr<const policy::Policy> policy;
  std::vector<policy::PolicyNode> nodes;
  std::unordered_map<std::string, std::size_t> positionOf;  // by node id
  Resolution resolution;  // refers to *policy and nodes
};

PolicyResolver::PolicyResolver() = default;
PolicyResolver::~PolicyResolver() = default;

core::Result<ResolvedPolicy> PolicyResolver::resolve(std::string_view text,
                                                     std::shared_ptr<const policy::Policy> policy,
                                                     std::vector<policy::PolicyNode>&& nodes,
                                                     const std::vector<std::string>* changedIds) {
  if (!policy) return core::fail(core::ErrorKind::kInternal, "no policy to resolve");
  try {
    if (state_ && changedIds && text == state_->text && state_->update(nodes, *changedIds))
      return state_->resolution.run();
    state_.reset();
    auto state = std::make_unique<State>(text, std::move(policy), std::move(nodes));
    if (auto parsed = state->resolution.parse(text); !parsed) return tl::unexpected(parsed.error());
    auto out = state->resolution.run();
    state_ = std::move(state);
    return out;
  } catch (const std::exception& e) {  // json's dump refuses text that is not UTF-8
    state_.reset();
    return core::fail(core::ErrorKind::kInternal, std::string("cannot write the resolved policy: ") + e.what());
  }
}

}  // namespace postured::enforce::headscale
