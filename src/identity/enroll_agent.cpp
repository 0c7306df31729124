#include "identity/enroll_agent.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "core/ip.h"
#include "core/secret_file.h"
#include "identity/device_identity.h"
#include "identity/enroll_client.h"
#include "identity/interface_addresses.h"

namespace postured::identity {

using core::ErrorKind;
using core::fail;

namespace {

std::string trimmed(std::string s) {
  const auto isSpace = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && isSpace(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && isSpace(s[start])) ++start;
  return s.substr(start);
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// "750ms", "1.5s", "10m", "1h30m"
std::string durationText(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms < 60'000) {
    const auto tenths = (ms + 50) / 100;
    return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + "s";
  }
  auto s = ms / 1000;
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

constexpr const char* kAuthKeyFlags =
    "pass an auth key with --auth-key-file FILE or --auth-key-env VAR (an admin creates one with `postured keys "
    "create-auth`)";

// Host name, OS, kernel release and version: what every report carries, even
// with --report-posture=false (which collects no identity).
void readHostFacts(ReportedFacts& facts, std::string& rawHostname) {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) == 0) rawHostname = host;
  struct utsname uts {};
  if (::uname(&uts) == 0) facts.osVersion = uts.release;
  facts.os = "linux";
  facts.clientVersion = POSTURED_VERSION;
}

class Agent {
 public:
  Agent(const AgentOptions& options, StopSignal& stop, const AgentOutput& out)
      : o_(options), stop_(stop), out_(out), random_(std::random_device{}()) {}

  int run();

 private:
  int setUp();
  ReportedFacts collect();
  std::string identityPhrase(const ReportedFacts& facts, const Exchange& ex) const;
  std::string deviceName(const Exchange& ex) const;
  bool save() {
    if (auto ok = saveEnrollState(o_.stateDir, state_); !ok) {
      out_.error(ok.error().message);
      return false;
    }
    return true;
  }
  void warn(const std::string& text) { out_.error("warning: " + text); }

  const AgentOptions& o_;
  StopSignal& stop_;
  const AgentOutput& out_;
  std::mt19937 random_;
  std::string server_;
  EnrollState state_;
  std::string authKey_;  // held only between reading it and the registration it is for
  std::optional<EnrollClient> client_;
  bool collectedOnce_ = false;
};

int Agent::setUp() {
  if (auto ok = checkAgentOptions(o_); !ok) {
    out_.error(ok.error().message);
    return kAgentUsage;
  }
  server_ = *normaliseServerUrl(o_.server);
  auto dirWarnings = prepareStateDir(o_.stateDir);
  if (!dirWarnings) {
    out_.error(dirWarnings.error().message);
    return kAgentFailed;
  }
  for (const auto& w : *dirWarnings) warn(w);
  auto loaded = loadEnrollState(o_.stateDir);
  if (!loaded) {
    out_.error(loaded.error().message);
    return kAgentFailed;
  }
  const bool fresh = !loaded->has_value();
  if (!fresh) {
    state_ = std::move(**loaded);
    if (state_.server != server_) {
      out_.error("the enrollment state in " + o_.stateDir.string() + " is for the server " + state_.server + ", not " +
                 server_ + ": pass --server " + state_.server + ", or a separate --state-dir to enroll " +
                 "this machine with " + server_ + " too");
      return kAgentFailed;
    }
  }
  if (fresh || state_.deviceId.empty()) {
    std::vector<std::string> warnings;
    auto key = readAuthKey(o_.authKey, warnings);
    for (const auto& w : warnings) warn(w);
    if (!key) {
      out_.error("this machine is not enrolled yet: " + key.error().message);
      return kAgentUsage;
    }
    authKey_ = std::move(*key);
  }
  if (fresh) {
    state_ = EnrollState{server_, "", core::generateDeviceKeyPair()};
    if (!save()) return kAgentFailed;
  }
  client_.emplace(server_, state_.keys, &stop_.flag());
  return kAgentOk;
}

ReportedFacts Agent::collect() {
  ReportedFacts facts;
  std::string rawHostname;
  std::vector<std::string> notes;
  if (o_.reportPosture) {
    auto id = collectIdentity(IdentityOptions{o_.sysfsRoot, true});
    rawHostname = id.hostname;
    facts.os = id.os;
    facts.osVersion = id.osVersion;
    facts.clientVersion = id.clientVersion;
    facts.serials = id.serialNumbers();
    facts.hardwareAddrs = id.ifaceHardwareAddrs.value_or(std::vector<std::string>{});
    notes = std::move(id.problems);
    if (const auto placeholders = id.placeholderSerials().size())
      notes.push_back("not sending " + plural(placeholders, "placeholder serial number") +
                      " (firmware defaults, never matched on)");
  } else {
    facts.postureDisabled = true;
    readHostFacts(facts, rawHostname);
  }
  facts.hostname = deviceHostname(rawHostname);
  facts.addresses = o_.addresses.empty() ? interfaceAddresses() : o_.addresses;
  for (auto& note : fitToServerLimits(facts)) notes.push_back(std::move(note));
  if (!collectedOnce_) {
    collectedOnce_ = true;
    if (facts.hostname != rawHostname)
      notes.push_back("the host name \"" + rawHostname + "\" is reported as \"" + facts.hostname +
                      "\" (a device name is a DNS label)");
    for (const auto& note : notes) out_.error("identity: " + note);
  }
  return facts;
}

std::string Agent::identityPhrase(const ReportedFacts& facts, const Exchange& ex) const {
  if (facts.postureDisabled) return "identity not reported (--report-posture=false)";
  if (!ex.collectionOn) return "identity collection off on the server (serial numbers discarded)";
  std::string s = "identity collection on, " + plural(facts.serials.size(), "serial number");
  if (!facts.hardwareAddrs.empty()) s += ", " + plural(facts.hardwareAddrs.size(), "MAC address");
  return s;
}

std::string Agent::deviceName(const Exchange& ex) const {
  return "device " + ex.deviceId + " (" + (ex.hostname.empty() ? std::string("?") : ex.hostname) + ")";
}

int Agent::run() {
  if (const int code = setUp(); code != kAgentOk) return code;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto started = std::chrono::steady_clock::now();
  int failures = 0;
  while (!stop_.requested()) {
    const bool registering = state_.deviceId.empty();
    const auto facts = collect();
    const auto ex =
        registering ? client_->registerDevice(authKey_, facts, o_.tags) : client_->report(state_.deviceId, facts);
    if (ex.outcome == Outcome::kCancelled) break;
    const std::string what = registering ? "enroll with " + server_ : "report to " + server_;

    if (ex.outcome == Outcome::kOk) {
      failures = 0;
      if (registering) {
        authKey_.clear();
        state_.deviceId = ex.deviceId;
        if (!save()) return kAgentFailed;
        std::string owner = ex.tags.empty() ? "owned by " + ex.user : "tagged " + joined(ex.tags);
        out_.info("enrolled with " + server_ + ": " + (ex.created ? "new " : "existing ") + deviceName(ex) + ", " +
                  owner + ", " + identityPhrase(facts, ex));
      } else {
        out_.info("reported to " + server_ + ": " + deviceName(ex) + ", " + identityPhrase(facts, ex));
      }
      if (o_.once) return kAgentOk;
      if (!stop_.sleepFor(o_.interval)) break;
      continue;
    }

    if (ex.retryable()) {
      ++failures;
      const auto delay = retryDelay(failures, o_.interval, unit(random_));
      const std::string why = ex.status ? "the server answered " + std::to_string(ex.status) + ": " + ex.message
                                        : "no answer: " + ex.message;
      if (o_.once && std::chrono::steady_clock::now() - started + delay > o_.retryFor) {
        out_.error("cannot " + what + " (" + why + "); gave up after " + plural(failures, "attempt") +
                   " (--retry-for " + durationText(o_.retryFor) + ")");
        return kAgentFailed;
      }
      out_.error("cannot " + what + " (" + why + "); retrying in " + durationText(delay));
      if (!stop_.sleepFor(delay)) break;
      continue;
    }
    failures = 0;

    if (ex.outcome == Outcome::kNotFound && !registering) {
      out_.error("device " + state_.deviceId + " was removed from " + server_ + " (" + ex.message + ")");
      std::vector<std::string> warnings;
      auto key = readAuthKey(o_.authKey, warnings);
      for (const auto& w : warnings) warn(w);
      if (!key) {
        out_.error("enroll this machine again: " + std::string(kAuthKeyFlags) + " (" + key.error().message + ")");
        return kAgentFailed;
      }
      authKey_ = std::move(*key);
      state_.deviceId.clear();
      if (!save()) return kAgentFailed;
      out_.info("registering again with " + server_ + " with the same device key");
      continue;
    }

    const std::string refused =
        "cannot " + what + ": the server answered " + std::to_string(ex.status) + ": " + ex.message;
    if (registering) {
      out_.error(refused);
      return kAgentFailed;
    }
    out_.error(refused + (o_.once ? "" : "; next report in " + durationText(o_.interval)));
    if (o_.once) return kAgentFailed;
    if (!stop_.sleepFor(o_.interval)) break;
  }
  if (o_.once) {
    out_.error("stopped before a report succeeded");
    return kAgentFailed;
  }
  out_.info("stopped");
  return kAgentOk;
}

}  // namespace

core::Result<void> checkAgentOptions(const AgentOptions& options) {
  if (options.server.empty())
    return fail(ErrorKind::kInvalidArgument, "--server URL is required: the postured server to enroll with", "server");
  if (auto url = normaliseServerUrl(options.server); !url)
    return fail(ErrorKind::kInvalidArgument, "--server " + options.server + " " + url.error().message, "server");
  if (!options.authKey.file.empty() && !options.authKey.envVar.empty())
    return fail(ErrorKind::kInvalidArgument, "pass either --auth-key-file or --auth-key-env, not both", "auth-key");
  if (options.interval < kMinReportInterval)
    return fail(ErrorKind::kInvalidArgument, "--interval must be at least 10s", "interval");
  if (options.retryFor.count() < 0)
    return fail(ErrorKind::kInvalidArgument, "--retry-for must not be negative", "retry-for");
  for (const auto& address : options.addresses)
    if (!core::parseIpv4(address) && !core::parseIpv6(address))
      return fail(ErrorKind::kInvalidArgument, "--address: \"" + address + "\" is not an IP address", "address");
  for (const auto& tag : options.tags)
    if (!tag.starts_with("tag:") || tag.size() == 4)
      return fail(ErrorKind::kInvalidArgument, "--tags: \"" + tag + "\" is not a tag such as tag:server", "tags");
  return {};
}

core::Result<std::string> readAuthKey(const AuthKeySource& source, std::vector<std::string>& warnings) {
  if (!source.file.empty())
    return core::readSecretFile(source.file, {"auth key", "--auth-key-file"}, warnings);
  if (!source.envVar.empty()) {
    const char* value = std::getenv(source.envVar.c_str());
    auto key = trimmed(value ? value : "");
    if (key.empty())
      return fail(ErrorKind::kInvalidArgument,
                  "the environment variable " + source.envVar + " (--auth-key-env) is not set or empty",
                  "auth-key-env");
    return key;
  }
  return fail(ErrorKind::kInvalidArgument, kAuthKeyFlags, "auth-key-file");
}

std::chrono::milliseconds retryDelay(int failures, std::chrono::milliseconds cap, double unitRandom) {
  const int doublings = std::clamp(failures - 1, 0, 30);
  auto base = std::min(std::chrono::milliseconds(kFirstRetryDelay.count() << doublings), cap);
  const auto half = base / 2;
  return half + std::chrono::milliseconds(
                    static_cast<std::int64_t>(static_cast<double>(half.count()) * std::clamp(unitRandom, 0.0, 1.0)));
}

void StopSignal::request() {
  {
    std::lock_guard lock(mutex_);
    flag_ = true;
  }
  wake_.notify_all();
}

bool StopSignal::sleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return flag_.load(); });
}

int runEnrollAgent(const AgentOptions& options, StopSignal& stop, const AgentOutput& out) {
  return Agent(options, stop, out).run();
}

}  // namespace postured::identity
