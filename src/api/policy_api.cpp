#include "api/policy_api.h"

#include <algorithm>

#include "api/json_shapes.h"
#include "api/policy_nodes.h"
#include "core/api_key.h"
#include "core/change_context.h"
#include "policy/access_check.h"
#include "policy/filter_compiler.h"
#include "policy/filter_rule.h"
#include "policy/hujson.h"
#include "policy/policy_tests.h"
#include "policy/selector_resolver.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;
using Json = nlohmann::json;

const char* const kDefaultPolicyText =
    "// The default policy: every device may reach every other device on every port.\n"
    "{\n"
    "  \"acls\": [\n"
    "    {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]},\n"
    "  ],\n"
    "}\n";

std::string policyETag(std::string_view text) { return core::hashKeySecret(text); }

namespace {

constexpr std::string_view kHuJsonType = "application/hujson";

bool mentions(std::string_view header, std::string_view what) {
  std::string lower(header);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find(what) != std::string::npos;
}

std::string unquote(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// The policy in the format the Accept header asks for, with its ETag.
core::Result<http::Response> policyResponse(const http::Request& req, const CurrentPolicy& p) {
  http::Response res;
  res.status = 200;
  if (mentions(req.header("accept"), kHuJsonType)) {
    res.contentType = std::string(kHuJsonType);
    res.body = p.text;
  } else {
    auto value = policy::parseHuJson(p.text);
    if (!value) return tl::unexpected(value.error());
    res.body = policy::toJson(*value).dump();
  }
  res.headers.emplace_back("ETag", "\"" + p.etag + "\"");
  return res;
}

http::Response testFailure(Json body) { return http::Response::json(400, body.dump()); }

}  // namespace

PolicyApi::PolicyApi(store::CachedStore& store, const core::Clock& clock, std::string tailnet)
    : store_(store), clock_(clock), tailnet_(std::move(tailnet)) {}

std::vector<policy::PolicyNode> PolicyApi::nodes() { return policyNodesFrom(store_.allDeviceStates(), clock_.now()); }

core::Result<std::shared_ptr<const policy::Policy>> PolicyApi::parsed(const std::string& text, const std::string& etag) {
  {
    std::lock_guard lock(mutex_);
    if (cachedPolicy_ && cachedEtag_ == etag) return cachedPolicy_;
  }
  auto p = policy::parsePolicy(text);
  if (!p) return tl::unexpected(p.error());
  auto shared = std::make_shared<const policy::Policy>(std::move(*p));
  std::lock_guard lock(mutex_);
  cachedEtag_ = etag;
  cachedPolicy_ = shared;
  return shared;
}

core::Result<CurrentPolicy> PolicyApi::current() {
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  auto stored = (*tx)->currentPolicy();
  if (!stored) return tl::unexpected(stored.error());
  CurrentPolicy c;
  if (*stored) {
    c.text = (*stored)->text;
    c.etag = (*stored)->etag;
  } else {
    c.text = kDefaultPolicyText;
    c.etag = policyETag(c.text);
    c.isDefault = true;
  }
  auto p = parsed(c.text, c.etag);
  if (!p) return fail(ErrorKind::kInternal, "the stored policy no longer parses: " + p.error().message);
  c.policy = *p;
  return c;
}

core::Result<http::Response> PolicyApi::get(const http::Request& req) {
  auto c = current();
  if (!c) return tl::unexpected(c.error());
  return policyResponse(req, *c);
}

std::optional<Json> PolicyApi::runTests(const policy::Policy& policy, const std::vector<policy::PolicyNode>& nodes) {
  auto report = policy::runPolicyTests(policy, nodes);
  if (report.passed()) return std::nullopt;
  return policy::testFailureJson(report);
}

core::Result<http::Response> PolicyApi::set(const http::Request& req, const Caller& caller) {
  const std::string& text = req.body;
  // JSON is HuJSON: one parser for both content types, and the text is kept as sent.
  auto candidate = policy::parsePolicy(text);
  if (!candidate) return tl::unexpected(candidate.error());
  if (auto failed = runTests(*candidate, nodes())) return testFailure(std::move(*failed));

  const std::string ifMatch = unquote(req.header("if-match"));
  const std::string newEtag = policyETag(text);
  auto tx = store_.write();
  if (!tx) return tl::unexpected(tx.error());
  auto stored = (*tx)->currentPolicy();
  if (!stored) return tl::unexpected(stored.error());
  const std::string oldEtag = *stored ? (*stored)->etag : policyETag(kDefaultPolicyText);
  if (!ifMatch.empty()) {
    const bool matches = ifMatch == kDefaultPolicyETag ? !*stored : ifMatch == oldEtag;
    if (!matches) return http::Response::json(412, R"({"message":"precondition failed, invalid old hash"})");
  }
  CurrentPolicy saved{text, newEtag, false, std::make_shared<const policy::Policy>(std::move(*candidate))};
  if (*stored && (*stored)->text == text) return policyResponse(req, saved);  // unchanged: no new version

  core::ChangeContext context(caller.actor(), "CONFIG_API", clock_.now());
  store::PolicyVersion version;
  version.text = text;
  version.etag = newEtag;
  version.created = context.now;
  version.actorId = context.actor.id;
  version.actorLoginName = context.actor.loginName;
  auto sequence = (*tx)->appendPolicyVersion(version);
  if (!sequence) return tl::unexpected(sequence.error());
  auto event = context.event(core::AuditTarget{tailnet_, tailnet_, "TAILNET", "ACL"}, "UPDATE");
  event.oldJson = Json{{"etag", oldEtag}, {"default", !*stored}}.dump();
  event.newJson = Json{{"etag", newEtag}, {"version", *sequence}}.dump();
  if (auto ok = (*tx)->appendAudit(event); !ok) return tl::unexpected(ok.error());
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  {
    std::lock_guard lock(mutex_);
    cachedEtag_ = newEtag;
    cachedPolicy_ = saved.policy;
  }
  return policyResponse(req, saved);
}

core::Result<http::Response> PolicyApi::validate(const http::Request& req) {
  auto body = policy::parseHuJson(req.body);
  if (!body) return tl::unexpected(body.error());
  std::optional<Json> failed;
  if (body->isArray()) {
    // Tests against the current policy: the policy parser validates them, as
    // the `tests` section of the current policy's JSON form.
    auto c = current();
    if (!c) return tl::unexpected(c.error());
    auto currentValue = policy::parseHuJson(c->text);
    if (!currentValue) return tl::unexpected(currentValue.error());
    Json combined = policy::toJson(*currentValue);
    combined["tests"] = policy::toJson(*body);
    auto withTests = policy::parsePolicy(combined.dump(2));
    if (!withTests) return fail(ErrorKind::kInvalidArgument, "tests: " + withTests.error().message);
    failed = runTests(*withTests, nodes());
  } else if (body->isObject() || body->isString()) {
    auto candidate = policy::parsePolicy(body->isString() ? body->asString() : req.body);
    if (!candidate) return tl::unexpected(candidate.error());
    failed = runTests(*candidate, nodes());
  } else {
    return fail(ErrorKind::kInvalidArgument,
                "request body must be a policy (object or HuJSON text) or an array of tests");
  }
  if (failed) return testFailure(std::move(*failed));
  return http::Response::json(200, "{}");
}

core::Result<http::Response> PolicyApi::preview(const http::Request& req) {
  const std::string type(req.queryParam("type"));
  const std::string previewFor(req.queryParam("previewFor"));
  if (type != "user" && type != "ipport")
    return fail(ErrorKind::kInvalidArgument, "must be \"user\" or \"ipport\"", "type");
  if (previewFor.empty()) return fail(ErrorKind::kInvalidArgument, "is required", "previewFor");
  auto candidate = policy::parsePolicy(req.body);
  if (!candidate) return tl::unexpected(candidate.error());

  auto all = nodes();
  std::optional<policy::IpAddress> ip;
  int port = -1;
  if (type == "user") {
    // A stand-in node owned by the user, so that groups and autogroups resolve as for its devices.
    policy::PolicyNode probe;
    probe.id = probe.name = "\x01preview";
    probe.userLogin = previewFor;
    all.push_back(std::move(probe));
  } else {
    const auto colon = previewFor.rfind(':');
    if (colon == std::string::npos)
      return fail(ErrorKind::kInvalidArgument, "must be ip:port, such as 100.64.0.1:22", "previewFor");
    std::string host = previewFor.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    ip = policy::IpAddress::parse(host);
    try {
      port = std::stoi(previewFor.substr(colon + 1));
    } catch (...) {
      port = -1;
    }
    if (!ip || port < 0 || port > 65535)
      return fail(ErrorKind::kInvalidArgument, "must be ip:port, such as 100.64.0.1:22", "previewFor");
  }
  policy::SelectorResolver resolver(*candidate, all);
  Json matches = Json::array();
  for (const auto& rule : candidate->acls) {
    bool applies = false;
    if (type == "user") {
      for (const auto& s : rule.src) {
        for (const auto* n : resolver.matchingNodes(s))
          if (n->name == all.back().name) applies = true;
      }
    } else {
      for (const auto& d : rule.dst) {
        if (!resolver.resolve(d.target).contains(*ip)) continue;
        for (const auto& r : d.ports)
          if (port >= r.first && port <= r.last) applies = true;
      }
    }
    if (!applies) continue;
    Json users = Json::array(), ports = Json::array(), postures = Json::array();
    for (const auto& s : rule.src) users.push_back(s.text);
    for (const auto& d : rule.dst) ports.push_back(d.text);
    for (const auto& p : rule.srcPosture.empty() ? candidate->defaultSrcPosture : rule.srcPosture)
      postures.push_back(p.text);
    matches.push_back(Json{{"users", std::move(users)},
                           {"ports", std::move(ports)},
                           {"lineNumber", rule.pos.line},
                           {"postures", std::move(postures)}});
  }
  Json postureDefs = Json::object();
  for (const auto& [name, posture] : candidate->postures) {
    Json conditions = Json::array();
    for (const auto& c : posture.conditions) conditions.push_back(c.text);
    postureDefs[name] = std::move(conditions);
  }
  return jsonResponse(200, Json{{"matches", std::move(matches)},
                                {"type", type},
                                {"previewFor", previewFor},
                                {"postures", std::move(postureDefs)}});
}

core::Result<std::shared_ptr<const PolicyApi::Compiled>> PolicyApi::compiled() {
  const auto generation = store_.stateGeneration();  // before the states it describes
  auto c = current();
  if (!c) return tl::unexpected(c.error());
  const auto now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    if (compiled_ && compiled_->etag == c->etag && compiled_->generation == generation &&
        (!compiled_->validUntil || now < *compiled_->validUntil))
      return compiled_;
  }
  auto states = store_.allDeviceStates();
  auto built = std::make_shared<Compiled>();
  built->etag = c->etag;
  built->generation = generation;
  built->validUntil = nextExpiry(states, now);
  built->policy = c->policy;
  built->compiler = std::make_unique<policy::FilterCompiler>(*built->policy, policyNodesFrom(states, now));
  std::shared_ptr<const Compiled> result = std::move(built);
  std::lock_guard lock(mutex_);
  compiled_ = result;
  return result;
}

core::Result<http::Response> PolicyApi::packetFilter(const std::string& deviceId) {
  if (!store_.deviceState(deviceId)) return fail(ErrorKind::kNotFound, "no device with id \"" + deviceId + "\"");
  auto c = compiled();
  if (!c) return tl::unexpected(c.error());
  // Ordered, so fields keep Go's order (SrcIPs, DstPorts, IPProto, CapGrant).
  nlohmann::ordered_json rules = policy::toJson((*c)->compiler->filterFor(deviceId));
  if (!rules.is_array()) rules = nlohmann::ordered_json::array();
  auto res = http::Response::json(200, nlohmann::ordered_json{{"rules", std::move(rules)}}.dump());
  res.headers.emplace_back("ETag", "\"" + (*c)->etag + "\"");
  return res;
}

core::Result<http::Response> PolicyApi::accessCheck(const http::Request& req) {
  auto body = parseJsonBody(req);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) return fail(ErrorKind::kInvalidArgument, "request body must be a JSON object");
  if (auto ok = rejectUnknownFields(*body, {"src", "dst", "proto"}, ""); !ok) return tl::unexpected(ok.error());
  policy::AccessRequest request;
  for (auto [name, out] : {std::pair<const char*, std::string*>{"src", &request.src}, {"dst", &request.dst}}) {
    if (!body->contains(name) || !(*body)[name].is_string())
      return fail(ErrorKind::kInvalidArgument, "is required: a device id, hostname or address", name);
    *out = (*body)[name].get<std::string>();
  }
  if (body->contains("proto")) {
    if (!(*body)["proto"].is_string())
      return fail(ErrorKind::kInvalidArgument, "must be \"tcp\", \"udp\" or \"icmp\"", "proto");
    request.proto = (*body)["proto"].get<std::string>();
  }
  auto c = compiled();
  if (!c) return tl::unexpected(c.error());
  auto decision = policy::checkAccess(*(*c)->policy, (*c)->compiler->nodes(), request);
  if (!decision) return tl::unexpected(decision.error());
  return jsonResponse(200, policy::toJson(*decision));
}

}  // namespace postured::api
