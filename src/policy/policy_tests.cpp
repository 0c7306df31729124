#include "policy/policy_tests.h"

#include <algorithm>
#include <charconv>
#include <variant>

#include "policy/access_check.h"
#include "policy/devices_file.h"
#include "policy/posture_evaluator.h"
#include "policy/selector_resolver.h"

namespace postured::policy {

namespace {

// The nodes a test runs on: the real ones plus stand-ins for the test's identities.
class TestTailnet {
 public:
  explicit TestTailnet(const Policy& policy, const std::vector<PolicyNode>& nodes) : policy_(policy), nodes_(nodes) {}

  // Index of the node standing for `who`, or an error text.
  std::variant<std::size_t, std::string> endpoint(const std::string& who, bool source) {
    if (who.empty()) return std::string("empty name");
    std::optional<IpAddress> ip = IpAddress::parse(who);
    if (!ip) {
      if (auto host = policy_.hosts.find(who); host != policy_.hosts.end() && host->second.isSingleIp())
        ip = host->second.addr;
    }
    if (ip) {
      for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (nodes_[i].ipv4 == *ip || nodes_[i].ipv6 == *ip) return i;
      PolicyNode n;
      n.name = n.hostname = who;
      (ip->v6 ? n.ipv6 : n.ipv4) = *ip;
      return add(std::move(n), false);
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].name == who && !standIn_[i]) return i;
    PolicyNode n;
    n.name = n.hostname = (source ? "test-src:" : "test-dst:") + who;
    if (who.rfind("tag:", 0) == 0) {
      n.tags = {who};
    } else if (who.rfind("group:", 0) == 0) {
      auto group = policy_.groups.find(who);
      if (group == policy_.groups.end() || group->second.empty()) return "group " + who + " has no members";
      n.userLogin = group->second.front().text;
    } else if (who.find('@') != std::string::npos) {
      n.userLogin = who;
    } else {
      return "\"" + who + "\" is not a user, group, tag, host, IP address or node";
    }
    return add(std::move(n), true);
  }

  const std::vector<PolicyNode>& nodes() const { return nodes_; }
  PolicyNode& node(std::size_t i) { return nodes_[i]; }

 private:
  std::size_t add(PolicyNode n, bool allocate) {
    if (allocate) {
      n.ipv4 = freeAddress(false);
      n.ipv6 = freeAddress(true);
    }
    n.id = n.name;
    nodes_.push_back(std::move(n));
    standIn_.resize(nodes_.size(), false);
    standIn_.back() = true;
    return nodes_.size() - 1;
  }

  // Counts down from the top of the tailnet ranges, skipping addresses in use.
  IpAddress freeAddress(bool v6) {
    const IpPrefix range = v6 ? tailnetIpv6Range() : tailnetIpv4Range();
    IpAddress a = range.last();
    a.value -= 1 + (v6 ? next6_++ : next4_++);
    while (std::any_of(nodes_.begin(), nodes_.end(), [&](const PolicyNode& n) { return n.ipv4 == a || n.ipv6 == a; }))
      a.value -= 1, (v6 ? next6_ : next4_)++;
    return a;
  }

  const Policy& policy_;
  std::vector<PolicyNode> nodes_;
  std::vector<bool> standIn_ = std::vector<bool>(nodes_.size(), false);
  Uint128 next4_ = 0, next6_ = 0;
};

// "host:port", "[v6]:port", "tag:web:443".
bool splitHostPort(const std::string& text, std::string& host, std::uint16_t& port, std::string& problem) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    problem = "expected host:port";
    return false;
  }
  host = text.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string p = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || ptr != p.data() + p.size() || value > 65535) {
    problem = "\"" + p + "\" is not a port";
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

std::string verdict(bool accept) { return accept ? "Accept" : "Drop"; }

void runTest(const Policy& policy, const std::vector<PolicyNode>& nodes, const PolicyTest& test, TestReport& report) {
  TestFailure failure{test.src.text, test.pos.line, false, {}};
  TestTailnet tailnet(policy, nodes);
  auto src = tailnet.endpoint(test.src.text, true);
  auto proto = parseAccessProto(test.proto);
  if (auto* problem = std::get_if<std::string>(&src)) {
    failure.errors.push_back("src \"" + test.src.text + "\": " + *problem);
  } else if (!proto) {
    failure.errors.push_back("proto \"" + test.proto + "\": expected tcp, udp or icmp");
  } else {
    const std::size_t srcIndex = std::get<std::size_t>(src);
    AttributeSet attrs;
    for (auto it = test.srcPostureAttrs.begin(); it != test.srcPostureAttrs.end(); ++it)
      if (auto value = attributeFromJson(it.value())) attrs.set(it.key(), *value);
    tailnet.node(srcIndex).attributes = attrs;

    struct Want {
      const PolicyString* address;
      bool accept;
    };
    std::vector<Want> wants;
    for (const auto& a : test.accept) wants.push_back({&a, true});
    for (const auto& d : test.deny) wants.push_back({&d, false});
    // Resolve every destination first: stand-ins must exist before any decision.
    std::vector<std::optional<std::pair<std::size_t, std::uint16_t>>> targets;
    std::vector<std::string> problems;
    for (const auto& w : wants) {
      std::string host, problem;
      std::uint16_t port = 0;
      std::optional<std::pair<std::size_t, std::uint16_t>> target;
      if (splitHostPort(w.address->text, host, port, problem)) {
        auto dst = tailnet.endpoint(host, false);
        if (auto* p = std::get_if<std::string>(&dst))
          problem = *p;
        else
          target = std::pair{std::get<std::size_t>(dst), port};
      }
      targets.push_back(target);
      problems.push_back(problem);
    }
    for (std::size_t i = 0; i < wants.size(); ++i) {
      ++report.checks;
      const std::string& address = wants[i].address->text;
      if (!targets[i]) {
        failure.errors.push_back("address \"" + address + "\": " + problems[i]);
        continue;
      }
      const PolicyNode& dst = tailnet.nodes()[targets[i]->first];
      const IpAddress dstIp = dst.ipv4 ? *dst.ipv4 : *dst.ipv6;
      const bool got =
          decideAccess(policy, tailnet.nodes(), srcIndex, targets[i]->first, dstIp, targets[i]->second, *proto).allowed;
      if (got != wants[i].accept)
        failure.errors.push_back("address \"" + address + "\": want: " + verdict(wants[i].accept) +
                                 ", got: " + verdict(got));
    }
  }
  if (!failure.errors.empty()) report.failures.push_back(std::move(failure));
}

bool sshUserMatches(const SshRule& rule, const std::string& user, const PolicyNode& src) {
  for (const auto& u : rule.users) {
    if (u.text == "*" || u.text == user) return true;
    if (u.text == "autogroup:nonroot" && user != "root") return true;
    if (u.text.rfind("localpart:*@", 0) == 0 && !src.userLogin.empty()) {
      const std::string domain = u.text.substr(std::string("localpart:*@").size());
      const auto at = src.userLogin.find('@');
      if (at != std::string::npos && src.userLogin.substr(at + 1) == domain && src.userLogin.substr(0, at) == user)
        return true;
    }
  }
  return false;
}

// "accept", "check" or "" (no rule: dropped).
std::string sshAction(const Policy& policy, const std::vector<PolicyNode>& nodes, const PolicyNode& src,
                      const PolicyNode& dst, const std::string& user) {
  SelectorResolver resolver(policy, nodes);
  for (const auto& rule : policy.ssh) {
    const IpSet sources = resolver.resolveAll(rule.src);
    if (!src.hasAddressIn(sources)) continue;
    bool dstOk = dst.hasAddressIn(resolver.resolveAll(rule.dst));
    const bool self =
        std::any_of(rule.dst.begin(), rule.dst.end(), [](const Selector& s) { return s.is(Autogroup::kSelf); });
    if (self && !src.isTagged() && !dst.isTagged() && !src.userLogin.empty() && src.userLogin == dst.userLogin)
      dstOk = true;
    if (!dstOk || !sshUserMatches(rule, user, src)) continue;
    const auto& postures = rule.srcPosture.empty() ? policy.defaultSrcPosture : rule.srcPosture;
    if (!postures.empty() && std::none_of(postures.begin(), postures.end(),
                                          [&](const PolicyString& p) { return meetsPosture(policy, src, p.text); }))
      continue;
    return rule.action;
  }
  return "";
}

std::string sshVerdict(const std::string& action) {
  return action == "accept" ? "Accept" : action == "check" ? "Check" : "Drop";
}

void runSshTest(const Policy& policy, const std::vector<PolicyNode>& nodes, const SshTest& test, TestReport& report) {
  TestFailure failure{test.src.text, test.pos.line, true, {}};
  TestTailnet tailnet(policy, nodes);
  auto src = tailnet.endpoint(test.src.text, true);
  if (auto* problem = std::get_if<std::string>(&src)) {
    failure.errors.push_back("src \"" + test.src.text + "\": " + *problem);
    report.failures.push_back(std::move(failure));
    return;
  }
  const std::size_t srcIndex = std::get<std::size_t>(src);
  tailnet.node(srcIndex).attributes = AttributeSet();  // sshTests carry no attributes
  std::vector<std::pair<const PolicyString*, std::optional<std::size_t>>> dsts;
  std::vector<std::string> problems;
  for (const auto& d : test.dst) {
    auto dst = tailnet.endpoint(d.text, false);
    if (auto* p = std::get_if<std::string>(&dst)) {
      dsts.push_back({&d, std::nullopt});
      problems.push_back(*p);
    } else {
      dsts.push_back({&d, std::get<std::size_t>(dst)});
      problems.push_back("");
    }
  }
  for (std::size_t i = 0; i < dsts.size(); ++i) {
    // Plain names rather than a structured binding: the lambda below uses
    // them, and clang 14 (the fuzz build) cannot capture bindings.
    const auto* dstText = dsts[i].first;
    const auto dstIndex = dsts[i].second;
    if (!dstIndex) {
      failure.errors.push_back("dst \"" + dstText->text + "\": " + problems[i]);
      continue;
    }
    auto check = [&](const std::vector<PolicyString>& users, const std::string& want) {
      for (const auto& u : users) {
        ++report.checks;
        const std::string got = sshVerdict(
            sshAction(policy, tailnet.nodes(), tailnet.nodes()[srcIndex], tailnet.nodes()[*dstIndex], u.text));
        if (got != want)
          failure.errors.push_back("ssh \"" + u.text + "@" + dstText->text + "\": want: " + want + ", got: " + got);
      }
    };
    check(test.accept, "Accept");
    check(test.check, "Check");
    check(test.deny, "Drop");
  }
  if (!failure.errors.empty()) report.failures.push_back(std::move(failure));
}

}  // namespace

TestReport runPolicyTests(const Policy& policy, const std::vector<PolicyNode>& nodes) {
  TestReport report;
  for (const auto& test : policy.tests) {
    ++report.tests;
    runTest(policy, nodes, test, report);
  }
  for (const auto& test : policy.sshTests) {
    ++report.tests;
    runSshTest(policy, nodes, test, report);
  }
  return report;
}

nlohmann::json testFailureJson(const TestReport& report) {
  if (report.passed()) return nlohmann::json::object();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& f : report.failures) data.push_back({{"user", f.user}, {"errors", f.errors}});
  return {{"message", "test(s) failed"}, {"data", std::move(data)}};
}

}  // namespace postured::policy
