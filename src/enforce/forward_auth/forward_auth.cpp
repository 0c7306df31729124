#include "enforce/forward_auth/forward_auth.h"

#include "policy/access_check.h"
#include "policy/destination.h"

namespace postured::enforce::forward_auth {

namespace {

constexpr int kTcp = 6;
constexpr std::size_t kMaxExplanations = 4096;

core::Error badQuery(std::string message, std::string field = {}) {
  return core::Error{core::ErrorKind::kInvalidArgument, std::move(message), std::move(field)};
}

core::Result<ForwardAuthQuery> complete(ForwardAuthQuery q) {
  if (!q.dst && !q.posture)
    return tl::unexpected(badQuery("say what is protected: dst=DEST:PORT (such as tag:wiki:443) or posture=posture:NAME"));
  if (q.dst && q.dst->empty()) return tl::unexpected(badQuery("dst is empty: give DEST:PORT, such as tag:wiki:443", "dst"));
  if (q.posture && q.posture->empty())
    return tl::unexpected(badQuery("posture is empty: give posture:NAME", "posture"));
  return q;
}

// One line for a header: no control characters, bounded.
std::string oneLine(std::string text) {
  for (auto& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (text.size() > 400) text = text.substr(0, 397) + "...";
  return text;
}

// "posture:healthy: custom:infected == false is false (custom:infected is true, not false)".
std::string postureFailure(const policy::PostureCheckResult& p) {
  for (const auto& c : p.conditions)
    if (!c.passed) return p.name + ": " + c.condition + " is false (" + c.reason + ")";
  return p.name + " is not met";
}

}  // namespace

core::Result<ForwardAuthQuery> queryFromTarget(std::string_view target) {
  ForwardAuthQuery q;
  const auto mark = target.find('?');
  std::string_view rest = mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = part.find('=');
    std::string name, value;
    if (!http::percentDecode(part.substr(0, eq), name, true) ||
        (eq != std::string_view::npos && !http::percentDecode(part.substr(eq + 1), value, true)))
      return tl::unexpected(badQuery("the query has a bad percent-escape: \"" + std::string(part.substr(0, 80)) + "\""));
    std::optional<std::string>* slot = name == "dst" ? &q.dst : name == "posture" ? &q.posture : nullptr;
    if (!slot) continue;  // proxies may add their own parameters
    if (*slot) return tl::unexpected(badQuery(name + " is given more than once", name));
    if (value.find('\0') != std::string::npos)
      return tl::unexpected(badQuery(name + " contains a NUL character", name));
    *slot = std::move(value);
  }
  return complete(std::move(q));
}

core::Result<ForwardAuthQuery> queryFromPath(std::string_view kind, std::string_view value) {
  ForwardAuthQuery q;
  if (kind == "dst")
    q.dst = std::string(value);
  else if (kind == "posture")
    q.posture = std::string(value);
  else
    return tl::unexpected(badQuery("/forward-auth/" + std::string(kind.substr(0, 40)) +
                                   "/...: expected /forward-auth/dst/DEST:PORT or /forward-auth/posture/posture:NAME"));
  return complete(std::move(q));
}

std::string_view verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllowed:
      return "allowed";
    case Verdict::kDenied:
      return "denied";
    case Verdict::kUnknownDevice:
      return "unknown_device";
    case Verdict::kBadRequest:
      return "bad_request";
    case Verdict::kError:
      return "error";
  }
  return "error";
}

ForwardAuth::ForwardAuth(LivePolicy& live, TrustedProxies trusted) : live_(live), trusted_(std::move(trusted)) {}

ForwardAuthAnswer ForwardAuth::decide(const http::Request& request, const ForwardAuthQuery& query) {
  ForwardAuthAnswer answer;
  auto fail = [&](Verdict verdict, std::string reason) {
    answer.verdict = verdict;
    answer.reason = oneLine(std::move(reason));
    return answer;
  };

  auto view = live_.view();
  if (!view) return fail(Verdict::kError, "postured cannot decide: " + view.error().message);
  const policy::Policy& policy = view->engine().policy();
  const policy::NodeDirectory& directory = view->directory();

  // The question first: a bad one is the proxy's configuration, whoever asks.
  std::optional<policy::DestinationText> dst;
  if (query.dst) {
    auto parsed = policy::parseDestination(*query.dst);
    if (!parsed) return fail(Verdict::kBadRequest, parsed.error().message);
    if (!parsed->port)
      return fail(Verdict::kBadRequest, "dst \"" + *query.dst + "\" has no port: give DEST:PORT, such as tag:wiki:443");
    dst = std::move(*parsed);
  }
  if (query.posture && !policy.postures.count(*query.posture)) {
    std::string defined;
    for (const auto& [name, _] : policy.postures) defined += (defined.empty() ? "" : ", ") + name;
    return fail(Verdict::kBadRequest, "posture \"" + *query.posture + "\" is not defined in the policy (defined: " +
                                          (defined.empty() ? "none" : defined) + ")");
  }

  auto client = clientAddress(request, trusted_);
  if (!client) return fail(Verdict::kUnknownDevice, "cannot tell the client's address: " + client.error().message);
  const auto index = directory.holding(client->ip);
  if (!index)
    return fail(Verdict::kUnknownDevice,
                "no device has the address " + client->ip.toString() + " (from " + client->from + ")");
  const policy::PolicyNode& device = directory.nodes()[*index];
  answer.deviceId = device.id;
  answer.hostname = device.hostname;
  answer.user = device.userLogin;
  answer.tags = device.tags;

  if (query.posture) {
    const auto check = policy::checkPosture(policy, device, *query.posture);
    if (!check.passed) return fail(Verdict::kDenied, postureFailure(check));
  }
  if (dst) {
    auto resolved = directory.resolve(policy, dst->host, &device);
    if (!resolved) return fail(Verdict::kBadRequest, resolved.error().message);
    if (resolved->candidates.empty()) return fail(Verdict::kDenied, resolved->unreachable);
    const auto& nodes = directory.nodes();
    for (const auto& c : resolved->candidates) {
      const auto& from = c.ip.v6 ? device.ipv6 : device.ipv4;
      if (from && view->engine().admits(nodes[c.node].id, *from, c.ip, kTcp, *dst->port)) {
        answer.verdict = Verdict::kAllowed;
        return answer;
      }
    }
    const auto& first = resolved->candidates.front();
    return fail(Verdict::kDenied, explainDenial(*view, *index, *query.dst, first.node, first.ip, *dst->port));
  }
  answer.verdict = Verdict::kAllowed;
  return answer;
}

std::string ForwardAuth::explainDenial(const LivePolicy::View& view, std::size_t device, const std::string& dst,
                                       std::size_t candidateNode, const policy::IpAddress& ip, std::uint16_t port) {
  const auto& nodes = view.directory().nodes();
  const std::string cacheKey = view.etag() + "/" + std::to_string(view.generation());
  const std::string question = nodes[device].id + " " + dst;
  {
    std::lock_guard lock(explanationsMutex_);
    if (explanationsKey_ != cacheKey) {
      explanations_.clear();
      explanationsKey_ = cacheKey;
    }
    if (auto it = explanations_.find(question); it != explanations_.end()) return it->second;
  }
  const auto decision = policy::decideAccess(view.engine().policy(), nodes, device, candidateNode, ip, port,
                                             policy::AccessProto::kTcp, dst);
  std::string reason;
  for (const auto& rule : decision.failedRules)
    for (const auto& p : rule.postures)
      if (!p.passed && reason.empty()) reason = postureFailure(p);
  if (reason.empty()) reason = decision.allowed ? "denied by the packet filter of " + nodes[candidateNode].hostname
                                                : decision.reason;
  if (reason.starts_with("denied: ")) reason.erase(0, 8);
  reason = oneLine(std::move(reason));
  std::lock_guard lock(explanationsMutex_);
  if (explanationsKey_ == cacheKey) {
    if (explanations_.size() >= kMaxExplanations) explanations_.clear();
    explanations_.emplace(question, reason);
  }
  return reason;
}

}  // namespace postured::enforce::forward_auth
