#include "app/policy_commands.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "policy/access_check.h"
#include "policy/devices_file.h"
#include "policy/filter_compiler.h"
#include "policy/policy_model.h"
#include "policy/policy_tests.h"

namespace postured::app {

namespace {

constexpr int kInvalidInput = 1;

struct PolicyOptions {
  std::string file;
  std::string devices;
  std::string node;
  std::string src;
  std::string dst;
  std::string proto = "tcp";
  bool json = false;
};

core::Result<policy::Policy> loadPolicy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorKind::kInvalidArgument, path + ": cannot read the policy file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto policy = policy::parsePolicy(ss.str());
  if (!policy) return core::fail(policy.error().kind, path + ": " + policy.error().message);
  return policy;
}

core::Result<std::vector<policy::PolicyNode>> loadDevices(const std::string& path) {
  if (path.empty()) return std::vector<policy::PolicyNode>{};
  return policy::readDevicesFile(path);
}

int failWith(const core::Error& error) {
  std::cerr << "postured: " << error.message << "\n";
  return kInvalidInput;
}

// Posture conditions that can never match, or name unknown keys: worth a look, not an error.
void printWarnings(const std::string& path, const policy::Policy& p) {
  for (const auto& [name, posture] : p.postures)
    for (std::size_t i = 0; i < posture.parsed.size(); ++i)
      for (const auto& w : policy::conditionWarnings(posture.parsed[i]))
        std::cerr << path << ": warning: " << policy::describePos(posture.conditions[i].pos) << ": " << name << ": \""
                  << posture.conditions[i].text << "\": " << w << "\n";
}

int runValidate(const PolicyOptions& o) {
  auto p = loadPolicy(o.file);
  if (!p) return failWith(p.error());
  printWarnings(o.file, *p);
  std::cout << o.file << ": OK (" << p->acls.size() << " acls, " << p->grants.size() << " grants, "
            << p->postures.size() << " postures, " << p->tests.size() + p->sshTests.size() << " tests)\n";
  return 0;
}

int runTest(const PolicyOptions& o) {
  auto p = loadPolicy(o.file);
  if (!p) return failWith(p.error());
  auto nodes = loadDevices(o.devices);
  if (!nodes) return failWith(nodes.error());
  const auto report = policy::runPolicyTests(*p, *nodes);
  if (report.passed()) {
    std::cout << o.file << ": " << report.tests << " tests passed (" << report.checks << " checks)\n";
    return 0;
  }
  std::cout << policy::testFailureJson(report).dump(2) << "\n";
  std::cerr << o.file << ": " << report.failures.size() << " of " << report.tests << " tests failed\n";
  for (const auto& f : report.failures)
    for (const auto& e : f.errors)
      std::cerr << "  line " << f.line << ": " << (f.ssh ? "sshTests" : "tests") << " src \"" << f.user << "\": " << e
                << "\n";
  return kInvalidInput;
}

int runFilters(const PolicyOptions& o) {
  auto p = loadPolicy(o.file);
  if (!p) return failWith(p.error());
  auto nodes = loadDevices(o.devices);
  if (!nodes) return failWith(nodes.error());
  if (!o.node.empty() &&
      std::none_of(nodes->begin(), nodes->end(), [&](const policy::PolicyNode& n) { return n.name == o.node; }))
    return failWith(
        {core::ErrorKind::kInvalidArgument, "--node \"" + o.node + "\" is not a node of " + o.devices, "node"});
  policy::FilterCompiler compiler(*p, *nodes);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& n : compiler.nodes())
    if (o.node.empty() || n.name == o.node) out[n.name] = policy::toJson(compiler.filterFor(n.name));
  std::cout << out.dump(2) << "\n";
  return 0;
}

int runCheck(const PolicyOptions& o, bool json) {
  auto p = loadPolicy(o.file);
  if (!p) return failWith(p.error());
  auto nodes = loadDevices(o.devices);
  if (!nodes) return failWith(nodes.error());
  auto decision = policy::checkAccess(*p, *nodes, {o.src, o.dst, o.proto});
  if (!decision) return failWith(decision.error());
  if (json) {
    std::cout << policy::toJson(*decision).dump(2) << "\n";
  } else {
    std::cout << policy::formatDecision(*decision);
  }
  return 0;
}

}  // namespace

void addPolicyCommands(CLI::App& app, OfflineCommand& chosen) {
  auto* group = app.add_subcommand("policy", "Offline policy commands: validate, test, filters, check (no server)");
  group->require_subcommand(1);
  auto options = std::make_shared<PolicyOptions>();

  auto* validate = group->add_subcommand("validate", "Check a policy file; errors with line:column");
  validate->add_option("file", options->file, "policy file (HuJSON)")->required();
  validate->callback([&chosen, options] { chosen = [options] { return runValidate(*options); }; });

  auto* test = group->add_subcommand("test", "Run the policy's tests and sshTests");
  test->add_option("file", options->file, "policy file (HuJSON)")->required();
  test->add_option("--devices", options->devices, "DEVICES.json: users, nodes and their attributes");
  test->callback([&chosen, options] { chosen = [options] { return runTest(*options); }; });

  auto* filters = group->add_subcommand("filters", "Print every node's packet filter as JSON");
  filters->add_option("file", options->file, "policy file (HuJSON)")->required();
  filters->add_option("--devices", options->devices, "DEVICES.json: users, nodes and their attributes")->required();
  filters->add_option("--node", options->node, "only this node");
  filters->callback([&chosen, options] { chosen = [options] { return runFilters(*options); }; });

  auto* check = group->add_subcommand("check", "May SRC reach DST? With the rule, postures and conditions");
  check->add_option("file", options->file, "policy file (HuJSON)")->required();
  check->add_option("--devices", options->devices, "DEVICES.json: users, nodes and their attributes")->required();
  check->add_option("--src", options->src, "source node")->required();
  check->add_option("--dst", options->dst, "destination: NODE, NODE:PORT, IP:PORT or [IPv6]:PORT")->required();
  check->add_option("--proto", options->proto, "tcp (default), udp or icmp")
      ->check(CLI::IsMember({"tcp", "udp", "icmp"}, CLI::ignore_case));
  check->add_flag("--json", options->json, "print the decision as JSON");
  // The global --json (before the subcommand) counts too.
  check->callback([&app, &chosen, options] {
    chosen = [&app, options] { return runCheck(*options, options->json || app.get_option("--json")->count() > 0); };
  });
}

}  // namespace postured::app
