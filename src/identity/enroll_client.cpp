#include "identity/enroll_client.h"

#include <chrono>

namespace postured::identity {

namespace {

constexpr std::size_t kMaxHostnameLength = 63;

bool isLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::int64_t nowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

http::ClientOptions clientOptions(const std::atomic<bool>* cancel) {
  http::ClientOptions options;
  options.connectTimeout = std::chrono::seconds(10);
  options.totalTimeout = std::chrono::seconds(30);
  options.maxResponseBytes = 1 << 20;  // a device, never more
  options.cancel = cancel;
  return options;
}

std::string transportMessage(const http::HttpClient& http, const core::Error& error) {
  const auto& reason = http.lastFailureReason();
  return reason.empty() ? error.message : reason;
}

}  // namespace

std::string deviceHostname(std::string_view hostname) {
  std::string label(hostname.substr(0, hostname.find('.')));
  for (auto& c : label)
    if (!isLabelChar(c)) c = '-';
  const auto trim = [](std::string& s) {
    s.erase(0, s.find_first_not_of('-'));
    s.erase(s.find_last_not_of('-') + 1);
  };
  trim(label);
  if (label.size() > kMaxHostnameLength) label.resize(kMaxHostnameLength);
  trim(label);
  return label.empty() ? "device" : label;
}

std::vector<std::string> fitToServerLimits(ReportedFacts& facts) {
  std::vector<std::string> notes;
  const auto serialsBefore = facts.serials.size();
  std::erase_if(facts.serials, [](const std::string& s) { return s.size() > kMaxSerialLength; });
  if (facts.serials.size() > kMaxReportedSerials) facts.serials.resize(kMaxReportedSerials);
  if (const auto dropped = serialsBefore - facts.serials.size())
    notes.push_back("not sending " + std::to_string(dropped) +
                    " serial number(s): the server takes at most 16, of at most 128 characters");
  const auto addrsBefore = facts.hardwareAddrs.size();
  std::erase_if(facts.hardwareAddrs, [](const std::string& a) { return a.size() != 17; });  // "aa:bb:cc:dd:ee:ff"
  if (facts.hardwareAddrs.size() > kMaxReportedHardwareAddrs) facts.hardwareAddrs.resize(kMaxReportedHardwareAddrs);
  if (const auto dropped = addrsBefore - facts.hardwareAddrs.size())
    notes.push_back("not sending " + std::to_string(dropped) +
                    " hardware address(es): the server takes at most 64, each a 6-byte MAC address");
  return notes;
}

nlohmann::json factsJson(const ReportedFacts& facts) {
  nlohmann::json j = {{"hostname", facts.hostname},
                      {"os", facts.os},
                      {"osVersion", facts.osVersion},
                      {"clientVersion", facts.clientVersion}};
  if (facts.postureDisabled)
    j["identity"] = {{"PostureDisabled", true}};
  else
    j["identity"] = {{"SerialNumbers", facts.serials}, {"IfaceHardwareAddrs", facts.hardwareAddrs}};
  if (!facts.addresses.empty()) j["addresses"] = facts.addresses;
  return j;
}

nlohmann::json registrationJson(const std::string& nodeKey, const ReportedFacts& facts,
                                const std::vector<std::string>& tags) {
  auto j = factsJson(facts);
  j["nodeKey"] = nodeKey;
  if (!tags.empty()) j["tags"] = tags;
  return j;
}

std::string reportPath(const std::string& deviceId) { return "/api/v2/machine/" + deviceId + "/report"; }

Exchange classifyAnswer(int status, std::string_view body) {
  Exchange ex;
  ex.status = status;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (status >= 200 && status < 300) {
    if (!j.is_object() || !j.contains("deviceId") || !j["deviceId"].is_string() ||
        j["deviceId"].get<std::string>().empty()) {
      ex.outcome = Outcome::kRejected;
      ex.message = "the server answered " + std::to_string(status) +
                   " without a device; is --server the URL of a postured server?";
      return ex;
    }
    ex.outcome = Outcome::kOk;
    ex.deviceId = j["deviceId"].get<std::string>();
    ex.hostname = j.value("hostname", "");
    ex.user = j.contains("user") && j["user"].is_string() ? j["user"].get<std::string>() : "";
    if (j.contains("tags") && j["tags"].is_array())
      for (const auto& t : j["tags"])
        if (t.is_string()) ex.tags.push_back(t.get<std::string>());
    ex.created = j.value("created", false);
    ex.collectionOn = j.value("postureIdentityCollectionOn", false);
    return ex;
  }
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    ex.message = j["message"].get<std::string>();
  } else {
    // Not ours (a proxy's page): a little of it, on one line.
    ex.message = std::string(body.substr(0, 200));
    for (auto& c : ex.message)
      if (c == '\n' || c == '\r') c = ' ';
    if (ex.message.empty()) ex.message = "no message";
  }
  if (status >= 500 || status == 429 || status == 408)
    ex.outcome = Outcome::kServerError;
  else if (status == 404)
    ex.outcome = Outcome::kNotFound;
  else if (status == 401)
    ex.outcome = Outcome::kUnauthenticated;
  else
    ex.outcome = Outcome::kRejected;
  return ex;
}

EnrollClient::EnrollClient(std::string server, core::DeviceKeyPair keys, const std::atomic<bool>* cancel)
    : server_(std::move(server)), keys_(std::move(keys)), http_(clientOptions(cancel)) {}

Exchange EnrollClient::registerDevice(const std::string& authKey, const ReportedFacts& facts,
                                      const std::vector<std::string>& tags) {
  return post(std::string(kRegisterPath), registrationJson(keys_.publicKey, facts, tags), authKey);
}

Exchange EnrollClient::report(const std::string& deviceId, const ReportedFacts& facts) {
  return post(reportPath(deviceId), factsJson(facts), "");
}

Exchange EnrollClient::post(const std::string& path, const nlohmann::json& body, const std::string& authKey) {
  http::ClientRequest req;
  req.method = "POST";
  req.url = server_ + path;
  req.body = body.dump();
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", "application/json");
  if (!authKey.empty()) req.headers.emplace_back("Authorization", "Bearer " + authKey);
  req.headers.emplace_back(std::string(core::kSignatureHeader),
                           core::signDeviceRequest(keys_, req.method, path, req.body, nowUnixSeconds()));
  auto res = http_.send(req);
  if (!res) {
    Exchange ex;
    ex.outcome =
        http_.lastFailure() == http::TransportFailure::kCancelled ? Outcome::kCancelled : Outcome::kUnreachable;
    ex.message = transportMessage(http_, res.error());
    return ex;
  }
  return classifyAnswer(res->status, res->body);
}

}  // namespace postured::identity
