// How long one forward-auth decision takes inside postured, without HTTP:
// ForwardAuth::decide over a LivePolicy on a real SQLite store with 10,000
// devices (a fifth failing the posture) and 1,001 posture rules, as
// bench/forward_auth/run.sh sets up. Allowed, denied with the reason already
// explained once for that device, denied for a device asked for the first
// time (the reason is worked out then), and a posture question.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "enforce/forward_auth/forward_auth.h"
#include "enforce/live_policy.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace postured;

constexpr int kDevices = 10'000;

class Clock final : public core::Clock {
 public:
  core::Timestamp now() const override { return core::fromUnixMillis(1'790'000'000'000); }
};

std::string policyText() {
  std::string owners = "\"tag:wiki\": [\"user0@example.com\"]";
  for (int t = 0; t < 100; ++t) owners += ", \"tag:t" + std::to_string(t) + "\": [\"user0@example.com\"]";
  std::string acls = R"({"action": "accept", "src": ["autogroup:member"], "dst": ["tag:wiki:443"], "srcPosture": ["posture:healthy"]})";
  for (int r = 0; r < 1000; ++r)
    acls += ", {\"action\": \"accept\", \"src\": [\"user" + std::to_string(r) + "@example.com\"], \"dst\": [\"tag:t" +
            std::to_string(r % 100) + ":" + std::to_string(8000 + r) + "\"], \"srcPosture\": [\"posture:healthy\"]}";
  return "{\"tagOwners\": {" + owners + "}, \"postures\": {\"posture:healthy\": [\"custom:infected == false\"]}, " +
         "\"acls\": [" + acls + "]}";
}

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("forward-auth-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(*store::CachedStore::wrap(std::move(*store::openSqliteStore({(dir / "postured.db").string()}))));
    auto tx = std::move(*store->write());
    for (int i = 0; i <= kDevices; ++i) {
      core::Device d;
      d.id = "d" + std::to_string(i);
      d.hostname = i == kDevices ? "wiki" : "laptop" + std::to_string(i);
      if (i == kDevices)
        d.tags = {"tag:wiki"};
      else
        d.user = "user" + std::to_string(i % 2000) + "@example.com";
      d.ipv4 = "100.64." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
      d.os = "linux";
      (void)tx->insertDevice(d);
      if (i < kDevices)
        (void)tx->putAttribute(d.id, core::DeviceAttribute{"custom:infected", core::AttributeValue(i % 5 == 0),
                                                           std::nullopt, clock.now()});
    }
    store::PolicyVersion v;
    v.text = policyText();
    v.etag = enforce::policyETag(v.text);
    v.created = clock.now();
    (void)tx->appendPolicyVersion(v);
    (void)tx->commit();
    live = std::make_unique<enforce::LivePolicy>(*store, clock, metrics);
    auth = std::make_unique<enforce::forward_auth::ForwardAuth>(*live,
                                                                 enforce::forward_auth::TrustedProxies::loopback());
  }
  ~Fixture() {
    auth.reset();
    live.reset();
    store->close();
    std::filesystem::remove_all(dir);
  }
  static http::Request from(int device) {
    http::Request r;
    r.remoteAddress = "127.0.0.1:4000";
    r.headers = {{"x-forwarded-for", "100.64." + std::to_string(device / 250) + "." + std::to_string(device % 250 + 1)}};
    return r;
  }

  std::filesystem::path dir;
  Clock clock;
  core::Metrics metrics;
  std::unique_ptr<store::CachedStore> store;
  std::unique_ptr<enforce::LivePolicy> live;
  std::unique_ptr<enforce::forward_auth::ForwardAuth> auth;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void run(benchmark::State& state, const std::vector<int>& devices, enforce::forward_auth::ForwardAuthQuery query,
         enforce::forward_auth::Verdict expected) {
  auto& f = fixture();
  std::vector<http::Request> requests;
  for (int d : devices) requests.push_back(Fixture::from(d));
  std::size_t i = 0, wrong = 0;
  for (auto _ : state) {
    auto answer = f.auth->decide(requests[i++ % requests.size()], query);
    wrong += answer.verdict != expected;
    benchmark::DoNotOptimize(answer);
  }
  if (wrong) state.SkipWithError("an answer was not the expected one");
}

std::vector<int> healthy() {
  std::vector<int> out;
  for (int i = 0; i < kDevices; ++i)
    if (i % 5 != 0) out.push_back(i);
  return out;
}
std::vector<int> infected() {
  std::vector<int> out;
  for (int i = 0; i < kDevices; i += 5) out.push_back(i);
  return out;
}

const enforce::forward_auth::ForwardAuthQuery kWiki{"tag:wiki:443", std::nullopt};
const enforce::forward_auth::ForwardAuthQuery kHealthy{std::nullopt, "posture:healthy"};

void BM_DstAllowed(benchmark::State& s) { run(s, healthy(), kWiki, enforce::forward_auth::Verdict::kAllowed); }
void BM_DstDeniedExplainedBefore(benchmark::State& s) {
  run(s, {0}, kWiki, enforce::forward_auth::Verdict::kDenied);
}
// Each iteration a device not asked about before: the reason is worked out.
void BM_DstDeniedFirstTime(benchmark::State& s) {
  static std::size_t next = 0;
  auto& f = fixture();
  const auto all = infected();
  std::size_t wrong = 0;
  for (auto _ : s) {
    auto answer = f.auth->decide(Fixture::from(all[next++ % all.size()] ), kWiki);
    wrong += answer.verdict != enforce::forward_auth::Verdict::kDenied;
  }
  if (wrong) s.SkipWithError("an answer was not a denial");
}
void BM_PostureAllowed(benchmark::State& s) { run(s, healthy(), kHealthy, enforce::forward_auth::Verdict::kAllowed); }

BENCHMARK(BM_DstAllowed);
BENCHMARK(BM_DstDeniedExplainedBefore);
BENCHMARK(BM_DstDeniedFirstTime)->Iterations(1000);
BENCHMARK(BM_PostureAllowed);

}  // namespace

BENCHMARK_MAIN();
