#include "api/policy_api.h"

#include <algorithm>
#include <charconv>

#include "api/json_shapes.h"
#include "core/api_key.h"
#include "core/change_context.h"
#include "policy/access_check.h"
#include "policy/filter_rule.h"
#include "policy/hujson.h"
#include "policy/policy_tests.h"
#include "policy/selector_resolver.h"

namespace postured::api {

using core::ErrorKind;
using core::fail;
using Json = nlohmann::json;

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

PolicyApi::PolicyApi(store::CachedStore& store, const core::Clock& clock, enforce::LivePolicy& live,
                     std::string tailnet)
    : store_(store), clock_(clock), live_(live), tailnet_(std::move(tailnet)) {}

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
  if (auto failed = runTests(*candidate, live_.nodes())) return testFailure(std::move(*failed));

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
  return policyResponse(req, saved);
}

core::Result<http::Response> PolicyApi::history(const http::Request& req) {
  constexpr int kDefaultLimit = 20, kMaxLimit = 100;
  int limit = kDefaultLimit;
  if (const auto text = req.queryParam("limit"); !text.empty()) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size() || limit < 1 || limit > kMaxLimit)
      return fail(ErrorKind::kInvalidArgument, "must be a whole number from 1 to " + std::to_string(kMaxLimit),
                  "limit");
  }
  auto tx = store_.read();
  if (!tx) return tl::unexpected(tx.error());
  auto versions = (*tx)->policyHistory(static_cast<std::size_t>(limit));
  if (!versions) return tl::unexpected(versions.error());
  Json out = Json::array();
  for (const auto& v : *versions)
    out.push_back(Json{{"version", v.sequence},
                       {"etag", v.etag},
                       {"created", core::formatRfc3339(v.created)},
                       {"actor", Json{{"id", v.actorId}, {"loginName", v.actorLoginName}}},
                       {"policy", v.text}});
  return jsonResponse(200, Json{{"versions", std::move(out)}});
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
    failed = runTests(*withTests, live_.nodes());
  } else if (body->isObject() || body->isString()) {
    auto candidate = policy::parsePolicy(body->isString() ? body->asString() : req.body);
    if (!candidate) return tl::unexpected(candidate.error());
    failed = runTests(*candidate, live_.nodes());
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

  auto all = live_.nodes();
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
  auto hasPreviewUser = [&](const std::vector<policy::Selector>& sources) {
    for (const auto& s : sources)
      for (const auto* n : resolver.matchingNodes(s))
        if (n->name == all.back().name) return true;
    return false;
  };
  auto reachesPreviewPort = [&](const policy::Selector& target, const std::vector<policy::PortRange>& ports) {
    if (!resolver.resolve(target).contains(*ip)) return false;
    return std::any_of(ports.begin(), ports.end(), [&](const auto& r) { return port >= r.first && port <= r.last; });
  };
  auto postures = [&](const std::vector<policy::PolicyString>& own) {
    Json out = Json::array();
    for (const auto& p : own.empty() ? candidate->defaultSrcPosture : own) out.push_back(p.text);
    return out;
  };
  auto texts = [](const auto& items) {
    Json out = Json::array();
    for (const auto& i : items) out.push_back(i.text);
    return out;
  };
  Json matches = Json::array();
  for (const auto& rule : candidate->acls) {
    const bool applies =
        type == "user" ? hasPreviewUser(rule.src) : std::any_of(rule.dst.begin(), rule.dst.end(), [&](const auto& d) {
          return reachesPreviewPort(d.target, d.ports);
        });
    if (!applies) continue;
    matches.push_back(Json{{"users", texts(rule.src)},
                           {"ports", texts(rule.dst)},
                           {"lineNumber", rule.pos.line},
                           {"postures", postures(rule.srcPosture)}});
  }
  // Grants in the same shape; "ip", "app" and "via" say what they grant.
  for (const auto& grant : candidate->grants) {
    bool applies = type == "user" && hasPreviewUser(grant.src);
    if (type == "ipport")
      for (const auto& d : grant.dst)
        for (const auto& p : grant.ip) applies = applies || reachesPreviewPort(d, p.ports);
    if (!applies) continue;
    Json match{{"users", texts(grant.src)},
               {"ports", texts(grant.dst)},
               {"ip", texts(grant.ip)},
               {"lineNumber", grant.pos.line},
               {"postures", postures(grant.srcPosture)}};
    if (!grant.app.empty()) match["app"] = grant.app;
    if (!grant.via.empty()) match["via"] = texts(grant.via);
    matches.push_back(std::move(match));
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

core::Result<http::Response> PolicyApi::packetFilter(const std::string& deviceId) {
  if (!store_.deviceState(deviceId)) return fail(ErrorKind::kNotFound, "no device with id \"" + deviceId + "\"");
  auto view = live_.view();
  if (!view) return tl::unexpected(view.error());
  // Ordered, so fields keep Go's order (SrcIPs, DstPorts, IPProto, CapGrant).
  nlohmann::ordered_json rules = policy::toJson(view->engine().filterForId(deviceId));
  if (!rules.is_array()) rules = nlohmann::ordered_json::array();
  auto res = http::Response::json(200, nlohmann::ordered_json{{"rules", std::move(rules)}}.dump());
  res.headers.emplace_back("ETag", "\"" + view->etag() + "\"");
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
  auto view = live_.view();
  if (!view) return tl::unexpected(view.error());
  auto decision = policy::checkAccess(view->engine().policy(), view->engine().nodes(), request);
  if (!decision) return tl::unexpected(decision.error());
  return jsonResponse(200, policy::toJson(*decision));
}

}  // namespace postured::api
