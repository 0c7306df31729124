// The server process itself: first start, health, metrics, limits, errors.
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sodium.h>

#include "server_fixture.h"

namespace postured::testing {
namespace {

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST_F(ServerTest, FirstStartCreatesStoreSecretAndAdminKeyShownOnce) {
  const auto& dir = server().dataDir();
  EXPECT_TRUE(std::filesystem::exists(dir + "/postured.db"));
  EXPECT_EQ(modeOf(dir + "/secret.key"), 0600);
  EXPECT_EQ(modeOf(dir + "/admin.key"), 0600);
  const auto key = server().adminKey();
  EXPECT_EQ(key.rfind("postured-api-", 0), 0u);
  EXPECT_NE(server().stderrText().find(key), std::string::npos) << "the key is printed at first start";

  // The admin key has scope "all".
  auto keys = get("/api/v2/tailnet/-/keys");
  ASSERT_EQ(keys["keys"].size(), 1u);
  EXPECT_EQ(keys["keys"][0]["scopes"], Json::array({"all"}));
  EXPECT_FALSE(keys["keys"][0].contains("key")) << "secrets are never listed";

  // A restart keeps the key and does not print it again.
  ASSERT_EQ(server().stop(SIGTERM), 0);
  ServerProcess again(dir, {});
  ASSERT_TRUE(again.start()) << again.stderrText();
  EXPECT_EQ(again.adminKey(), key);
  EXPECT_EQ(again.stderrText().find(key), std::string::npos);
  EXPECT_EQ(again.request("GET", "/api/v2/tailnet/-/devices").status, 200);
}

TEST_F(ServerTest, HealthAndMetrics) {
  auto health = server().request("GET", "/healthz", "", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Json::parse(health.body)["status"], "ok");

  server().request("GET", "/api/v2/tailnet/-/devices");
  server().request("GET", "/api/v2/device/nope/attributes");
  auto metrics = server().request("GET", "/metrics", "", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.header("content-type").find("text/plain"), std::string::npos);
  const auto& m = metrics.body;
  EXPECT_NE(m.find("postured_build_info{version=\""), std::string::npos) << m;
  EXPECT_NE(m.find("route=\"/api/v2/tailnet/{tailnet}/devices\""), std::string::npos) << m;
  EXPECT_NE(m.find("status=\"404\""), std::string::npos) << m;
  EXPECT_NE(m.find("http_request_duration_seconds_bucket"), std::string::npos) << m;
  EXPECT_NE(m.find("store_operations_total"), std::string::npos) << m;
}

TEST_F(ServerTest, AuthenticationAndScopes) {
  auto none = server().request("GET", "/api/v2/tailnet/-/devices", "", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Json::parse(none.body)["status"], 401);
  EXPECT_NE(Json::parse(none.body)["message"].get<std::string>().find("Authorization"), std::string::npos);

  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/devices", "", "postured-api-kfake-secret").status, 401);
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/devices", "", "garbage").status, 401);

  const auto reader = createKey({"devices:core:read"});
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/devices", "", reader).status, 200);
  auto denied = server().request("POST", "/api/v2/tailnet/-/devices", R"({"devices":[]})", reader);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("devices:core"), std::string::npos) << denied.body;
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/logging/configuration", "", reader).status, 403);

  // HTTP Basic with the key as user name, as Tailscale accepts.
  const std::string basic = reader + ":";
  std::string enc(sodium_base64_ENCODED_LEN(basic.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(enc.data(), enc.size(), reinterpret_cast<const unsigned char*>(basic.data()), basic.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  enc.resize(std::strlen(enc.c_str()));
  auto res = server().request("GET", "/api/v2/tailnet/-/devices", "", "", {{"Authorization", "Basic " + enc}});
  EXPECT_EQ(res.status, 200) << res.body;
}

TEST_F(ServerTest, TailnetNameOrDashElse404) {
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/example.com/devices").status, 200);
  EXPECT_EQ(server().request("GET", "/api/v2/tailnet/-/devices").status, 200);
  auto other = server().request("GET", "/api/v2/tailnet/other.org/devices");
  EXPECT_EQ(other.status, 404);
  EXPECT_NE(other.body.find("other.org"), std::string::npos);
}

TEST_F(ServerTest, MalformedJsonNamesTheProblem) {
  auto res = server().request("POST", "/api/v2/tailnet/-/devices", R"({"devices": [ {"hostname": )");
  EXPECT_EQ(res.status, 400);
  const auto message = Json::parse(res.body)["message"].get<std::string>();
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1, column"), std::string::npos) << message;
}

TEST_F(ServerTest, OversizedBodyIs413) {
  const std::string big(1'100'000, 'x');
  auto res = server().request("POST", "/api/v2/device/x/attributes/custom:a", "{\"value\":\"" + big + "\"}");
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(Json::parse(res.body, nullptr, false)["status"], 413);
}

TEST_F(ServerTest, BodiesAreNotReadBeforeTheKeyIsChecked) {
  const std::string big(20 << 20, 'x');  // within the import's 32 MiB limit
  EXPECT_EQ(server().request("POST", "/api/v2/tailnet/-/devices", big, "").status, 401);
  EXPECT_EQ(server().request("POST", "/api/v2/tailnet/-/devices", big, "postured-api-kbogus-x").status, 401);
  ASSERT_EQ(server().stop(SIGTERM), 0);
  std::istringstream lines(server().stderrText());
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    auto j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || j.value("msg", "") != "request" || j.value("status", 0) != 401) continue;
    EXPECT_LT(j["bytes_in"].get<std::size_t>(), 1u << 20) << "the 20 MiB body was buffered: " << line;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(ServerConfig, MaxBodyBytesSetsTheLimitOfOrdinaryRoutes) {
  ServerProcess server({"--max-body-bytes", "2048"});
  ASSERT_TRUE(server.start()) << server.stderrText();
  const std::string body = "{\"keyType\":\"api\",\"scopes\":[\"all\"],\"description\":\"" + std::string(4000, 'd') + "\"}";
  EXPECT_EQ(server.request("POST", "/api/v2/tailnet/-/keys", body).status, 413);
  EXPECT_EQ(server.request("POST", "/api/v2/tailnet/-/keys", R"({"keyType":"api","scopes":["all"]})").status, 200);
}

TEST_F(ServerTest, UnknownEndpointAndMethod) {
  EXPECT_EQ(server().request("GET", "/api/v2/nothing").status, 404);
  EXPECT_EQ(server().request("PUT", "/api/v2/tailnet/-/devices").status, 405);
}

TEST_F(ServerTest, AccessLogIsJsonAndNeverContainsKeys) {
  const auto key = createKey({"devices:core:read"});
  server().request("GET", "/api/v2/tailnet/-/devices?fields=all", "", key);
  server().request("GET", "/api/v2/tailnet/-/devices", "", "postured-api-kbogus-notarealsecret");
  ASSERT_EQ(server().stop(SIGTERM), 0);
  const auto log = server().stderrText();
  const auto admin = server().adminKey();
  // Drop the one-time banner that shows the admin key at first start.
  const auto banner = log.find(admin);
  std::string rest = log;
  rest.erase(banner, admin.size());
  EXPECT_EQ(rest.find(admin), std::string::npos);
  EXPECT_EQ(rest.find(key), std::string::npos);
  EXPECT_EQ(rest.find("notarealsecret"), std::string::npos);
  int requests = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;
    auto j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    if (j["msg"] == "request") {
      ++requests;
      EXPECT_TRUE(j.contains("status") && j.contains("route") && j.contains("duration_ms")) << line;
      EXPECT_EQ(j["path"].get<std::string>().find('?'), std::string::npos) << "no query strings in the log";
    }
  }
  EXPECT_GE(requests, 3);
}

TEST(ServerConfig, BadValuesAreUsageErrorsNamingTheKey) {
  TempDir dir;
  auto r = runProcess({POSTURED_BINARY, "serve", "--data-dir", dir.path().string(), "--listen", "nonsense"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("listen"), std::string::npos) << r.err;

  auto env = runProcess({POSTURED_BINARY, "serve", "--data-dir", dir.path().string()},
                        {{"POSTURED_READ_TIMEOUT", "soon"}});
  EXPECT_EQ(env.exitCode, 2);
  EXPECT_NE(env.err.find("POSTURED_READ_TIMEOUT"), std::string::npos) << env.err;

  std::ofstream(dir.file("bad.toml")) << "listen = \"127.0.0.1:0\"\nunknown_key = 1\n";
  auto file = runProcess({POSTURED_BINARY, "serve", "--config", dir.file("bad.toml")});
  EXPECT_EQ(file.exitCode, 2);
  EXPECT_NE(file.err.find("unknown_key"), std::string::npos) << file.err;
}

TEST(ServerConfig, TomlFileEnvAndFlagPrecedence) {
  TempDir dir;
  const auto data = dir.file("data");
  std::ofstream(dir.file("postured.toml")) << "tailnet = \"from-file.example\"\ndata_dir = \"" << data << "\"\n";
  // The file sets the tailnet; the environment overrides the file; the flag overrides both.
  ServerProcess fromFile(data, {"--config", dir.file("postured.toml")});
  ASSERT_TRUE(fromFile.start()) << fromFile.stderrText();
  EXPECT_EQ(fromFile.request("GET", "/api/v2/tailnet/from-file.example/devices").status, 200);
  fromFile.stop();

  ServerProcess fromEnv(data, {"--config", dir.file("postured.toml")}, {{"POSTURED_TAILNET", "from-env.example"}});
  ASSERT_TRUE(fromEnv.start()) << fromEnv.stderrText();
  EXPECT_EQ(fromEnv.request("GET", "/api/v2/tailnet/from-env.example/devices").status, 200);
  EXPECT_EQ(fromEnv.request("GET", "/api/v2/tailnet/from-file.example/devices").status, 404);
  fromEnv.stop();

  ServerProcess fromFlag(data, {"--config", dir.file("postured.toml"), "--tailnet", "from-flag.example"},
                         {{"POSTURED_TAILNET", "from-env.example"}});
  ASSERT_TRUE(fromFlag.start()) << fromFlag.stderrText();
  EXPECT_EQ(fromFlag.request("GET", "/api/v2/tailnet/from-flag.example/devices").status, 200);
}

TEST(ServerConfig, PortInUseIsAClearError) {
  ServerProcess first;
  ASSERT_TRUE(first.start());
  const auto address = first.baseUrl().substr(std::string("http://").size());
  TempDir dir;
  auto r = runProcess({POSTURED_BINARY, "serve", "--data-dir", dir.path().string(), "--listen", address});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(address), std::string::npos) << r.err;
}

}  // namespace
}  // namespace postured::testing
