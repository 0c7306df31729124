// `postured policy validate|test|filters|check`, run as the real binary on files
// in a temporary directory.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "policy/devices_file.h"
#include "policy/filter_compiler.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace postured::testing {
namespace {

using nlohmann::json;

const char* kPolicy = R"({
  // comments and trailing commas are fine
  "tagOwners": {"tag:web": ["alice@example.com"], "tag:db": ["alice@example.com"]},
  "postures": {
    "posture:latest": ["node:tsVersion >= '1.60'", "node:os IN ['macos', 'linux']"],
  },
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "srcPosture": ["posture:latest"], "dst": ["tag:web:443"]},
    {"action": "accept", "src": ["tag:web"], "dst": ["tag:db:5432"]},
  ],
  "tests": [
    {"src": "alice@example.com", "srcPostureAttrs": {"node:tsVersion": "1.62.0", "node:os": "linux"},
     "accept": ["tag:web:443"], "deny": ["tag:db:5432"]},
  ],
})";

const char* kDevices = R"({
  "users": [{"name": "alice", "email": "alice@example.com"}, {"name": "bob", "email": "bob@example.com"}],
  "nodes": {
    "alice-laptop": {"user": "alice", "ipv4": "100.64.0.1", "ipv6": "fd7a:115c:a1e0::1",
                     "attributes": {"node:tsVersion": "1.62.0", "node:os": "macos"}},
    "bob-laptop": {"user": "bob", "ipv4": "100.64.0.2", "ipv6": "fd7a:115c:a1e0::2",
                   "attributes": {"node:tsVersion": "1.58.2", "node:os": "windows"}},
    "web1": {"tags": ["tag:web"], "ipv4": "100.64.0.10", "ipv6": "fd7a:115c:a1e0::10"},
    "db1": {"tags": ["tag:db"], "ipv4": "100.64.0.20", "ipv6": "fd7a:115c:a1e0::20"}
  }
})";

class PolicyCommands : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.file(name)) << text;
    return dir_.file(name);
  }
  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {POSTURED_BINARY, "policy"});
    // No server and no API key: the policy commands must not need them.
    return runProcess(args, {{"POSTURED_SERVER", "http://127.0.0.1:1"}, {"POSTURED_API_KEY", ""}});
  }
  std::string policy() { return write("policy.hujson", kPolicy); }
  std::string devices() { return write("devices.json", kDevices); }

  TempDir dir_;
};

TEST_F(PolicyCommands, ValidateOk) {
  auto r = run({"validate", policy()});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST_F(PolicyCommands, ValidateReportsLineAndColumn) {
  auto r = run(
      {"validate",
       write(
           "bad.hujson",
           "{\n  \"acls\": [\n    {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}\n    {}\n  ]\n}\n")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("line 4, column 5"), std::string::npos) << r.err;

  auto undefined = run({"validate", write("undef.hujson", R"({
  "acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:nope"], "dst": ["*:*"]}]
})")});
  EXPECT_EQ(undefined.exitCode, 1);
  EXPECT_NE(undefined.err.find("line 2, column"), std::string::npos) << undefined.err;
  EXPECT_NE(undefined.err.find("posture:nope"), std::string::npos) << undefined.err;
}

TEST_F(PolicyCommands, ValidateWarnsWithoutFailing) {
  auto r = run({"validate", write("warn.hujson", R"({
  "postures": {"posture:mac": ["node:os == 'macOS'"]},
  "acls": [{"action": "accept", "src": ["*"], "srcPosture": ["posture:mac"], "dst": ["*:*"]}]
})")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("warning: line 2, column"), std::string::npos) << r.err;
}

TEST_F(PolicyCommands, TestPassesAndFailsInTailscaleShape) {
  auto ok = run({"test", policy(), "--devices", devices()});
  EXPECT_EQ(ok.exitCode, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("1 tests passed"), std::string::npos) << ok.out;

  std::string failing = kPolicy;
  failing.replace(failing.find("\"node:os\": \"linux\""), 18, "\"node:os\": \"windows\"");
  auto bad = run({"test", write("failing.hujson", failing), "--devices", devices()});
  EXPECT_EQ(bad.exitCode, 1);
  const json out = json::parse(bad.out, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << bad.out;
  EXPECT_EQ(out, json::parse(R"({"message":"test(s) failed","data":[{"user":"alice@example.com",
      "errors":["address \"tag:web:443\": want: Accept, got: Drop"]}]})"));
}

TEST_F(PolicyCommands, FiltersForOneNodeEqualTheCompilers) {
  auto r = run({"filters", policy(), "--devices", devices(), "--node", "web1"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out.size(), 1u);

  auto parsed = policy::parsePolicy(kPolicy);
  ASSERT_TRUE(parsed);
  auto nodes = policy::nodesFromDevicesJson(json::parse(kDevices));
  ASSERT_TRUE(nodes);
  policy::FilterCompiler compiler(*parsed, *nodes);
  EXPECT_EQ(out["web1"], json::parse(policy::toJson(compiler.filterFor("web1")).dump()));
  EXPECT_EQ(out["web1"][0]["SrcIPs"], json::array({"100.64.0.1", "fd7a:115c:a1e0::1"}));  // bob fails the posture

  auto all = run({"filters", policy(), "--devices", devices()});
  ASSERT_EQ(all.exitCode, 0);
  EXPECT_EQ(json::parse(all.out).size(), 4u);
  EXPECT_EQ(run({"filters", policy(), "--devices", devices(), "--node", "nope"}).exitCode, 1);
}

TEST_F(PolicyCommands, CheckAllowedAndDeniedAsText) {
  auto allowed = run({"check", policy(), "--devices", devices(), "--src", "alice-laptop", "--dst", "web1:443"});
  EXPECT_EQ(allowed.exitCode, 0) << allowed.err;
  EXPECT_EQ(allowed.out.rfind("allowed", 0), 0u) << allowed.out;
  EXPECT_NE(allowed.out.find("line 8"), std::string::npos) << allowed.out;
  EXPECT_NE(allowed.out.find("[pass] node:tsVersion >= '1.60' (actual: '1.62.0')"), std::string::npos) << allowed.out;

  auto denied = run({"check", policy(), "--devices", devices(), "--src", "bob-laptop", "--dst", "web1:443"});
  EXPECT_EQ(denied.exitCode, 0) << denied.err;
  EXPECT_EQ(denied.out.rfind("denied", 0), 0u) << denied.out;
  EXPECT_NE(denied.out.find("[FAIL] node:os IN ['macos', 'linux'] (actual: 'windows')"), std::string::npos)
      << denied.out;
}

TEST_F(PolicyCommands, CheckJsonWithPostureConditions) {
  auto r = run({"check", policy(), "--devices", devices(), "--src", "bob-laptop", "--dst", "100.64.0.10:443", "--proto",
                "tcp", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const json d = json::parse(r.out);
  EXPECT_EQ(d["allowed"], false);
  EXPECT_EQ(d["proto"], "tcp");
  EXPECT_EQ(d["failedRules"][0]["line"], 8);
  const json& conditions = d["postures"][0]["conditions"];
  EXPECT_EQ(conditions[0]["condition"], "node:tsVersion >= '1.60'");
  EXPECT_EQ(conditions[0]["actual"], "1.58.2");
  EXPECT_EQ(conditions[0]["passed"], false);
  EXPECT_EQ(conditions[1]["actual"], "windows");

  auto ok = run({"check", policy(), "--devices", devices(), "--src", "web1", "--dst", "db1:5432", "--json"});
  ASSERT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out)["allowed"], true);
  EXPECT_EQ(json::parse(ok.out)["rule"], (json{{"line", 9}, {"kind", "acl"}}));
}

TEST_F(PolicyCommands, UsageAndInputErrors) {
  EXPECT_EQ(run({"check", policy(), "--devices", devices(), "--src", "alice-laptop"}).exitCode, 2);  // no --dst
  EXPECT_EQ(run({"check", policy(), "--devices", devices(), "--src", "a", "--dst", "b", "--proto", "sctp"}).exitCode,
            2);
  auto unknown = run({"check", policy(), "--devices", devices(), "--src", "nobody", "--dst", "web1:443"});
  EXPECT_EQ(unknown.exitCode, 1);
  EXPECT_NE(unknown.err.find("nobody"), std::string::npos);
  auto badDevices =
      run({"filters", policy(), "--devices", write("bad.json", R"({"nodes": {"web1": {"ipv4": "300.1.1.1"}}})")});
  EXPECT_EQ(badDevices.exitCode, 1);
  EXPECT_NE(badDevices.err.find("nodes.web1.ipv4: \"300.1.1.1\" is not an IPv4 address"), std::string::npos)
      << badDevices.err;
  EXPECT_EQ(run({"validate", dir_.file("missing.hujson")}).exitCode, 1);
}

}  // namespace
}  // namespace postured::testing
