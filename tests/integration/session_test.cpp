// Console sessions against a running server: an API key exchanged for an
// HttpOnly cookie, CSRF tokens on state-changing requests, sign-out, and a
// session that ends with its key.
#include <gmock/gmock.h>

#include "server_fixture.h"

namespace postured::testing {
namespace {

using ::testing::HasSubstr;

class SessionTest : public ServerTest {
 protected:
  struct SignedIn {
    std::string cookie;  // "postured_session=..."
    std::string csrf;
    std::string setCookie;
  };

  SignedIn signIn(const std::string& apiKey) {
    auto res = server().request("POST", "/api/v2/session", Json{{"apiKey", apiKey}}.dump(), "");
    EXPECT_EQ(res.status, 200) << res.body;
    SignedIn s;
    s.setCookie = std::string(res.header("set-cookie"));
    s.cookie = s.setCookie.substr(0, s.setCookie.find(';'));
    s.csrf = Json::parse(res.body).value("csrfToken", "");
    return s;
  }

  http::ClientResponse withCookie(const SignedIn& s, const std::string& method, const std::string& path,
                                  const std::string& body = {}, bool csrf = true) {
    std::vector<std::pair<std::string, std::string>> headers{{"Cookie", s.cookie}};
    if (csrf) headers.emplace_back("X-CSRF-Token", s.csrf);
    return server().request(method, path, body, "", headers);
  }
};

TEST_F(SessionTest, AKeyBecomesAnHttpOnlyStrictCookieThatActsWithTheKeysScopes) {
  const auto s = signIn(server().adminKey());
  EXPECT_THAT(s.setCookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(s.setCookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(s.setCookie, HasSubstr("Max-Age="));
  EXPECT_FALSE(s.csrf.empty());
  EXPECT_EQ(withCookie(s, "GET", "/api/v2/tailnet/-/devices", {}, false).status, 200);
  auto session = withCookie(s, "GET", "/api/v2/session", {}, false);
  ASSERT_EQ(session.status, 200);
  EXPECT_EQ(Json::parse(session.body)["csrfToken"], s.csrf);

  const auto readOnly = createKey({"devices:core:read"});
  const auto reader = signIn(readOnly);
  auto denied = withCookie(reader, "POST", "/api/v2/tailnet/-/devices",
                           R"({"devices":[{"hostname":"x","user":"a@example.com"}]})");
  EXPECT_EQ(denied.status, 403) << "the session has its key's scopes";
}

TEST_F(SessionTest, StateChangingRequestsNeedTheSessionsCsrfToken) {
  const auto s = signIn(server().adminKey());
  const std::string body = R"({"devices":[{"hostname":"laptop","user":"a@example.com"}]})";
  auto forged = withCookie(s, "POST", "/api/v2/tailnet/-/devices", body, false);
  EXPECT_EQ(forged.status, 403);
  EXPECT_THAT(forged.body, HasSubstr("X-CSRF-Token"));
  auto wrong = server().request("POST", "/api/v2/tailnet/-/devices", body, "",
                                {{"Cookie", s.cookie}, {"X-CSRF-Token", "guess"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(get("/api/v2/tailnet/-/devices")["devices"].size(), 0u) << "nothing was written";
  EXPECT_EQ(withCookie(s, "POST", "/api/v2/tailnet/-/devices", body).status, 200);
}

TEST_F(SessionTest, SignOutAndRevocationEndTheSession) {
  const auto s = signIn(server().adminKey());
  EXPECT_EQ(withCookie(s, "DELETE", "/api/v2/session", {}, false).status, 403) << "sign-out needs the token too";
  auto out = withCookie(s, "DELETE", "/api/v2/session");
  EXPECT_EQ(out.status, 200);
  auto after = withCookie(s, "GET", "/api/v2/tailnet/-/devices", {}, false);
  EXPECT_EQ(after.status, 401);
  EXPECT_THAT(after.body, HasSubstr("sign in again"));

  auto created =
      call("POST", "/api/v2/tailnet/-/keys", Json{{"keyType", "api"}, {"scopes", {"devices:core:read"}}}, 200);
  const auto s2 = signIn(created["key"].get<std::string>());
  EXPECT_EQ(withCookie(s2, "GET", "/api/v2/tailnet/-/devices", {}, false).status, 200);
  call("DELETE", "/api/v2/tailnet/-/keys/" + created["id"].get<std::string>(), nullptr, 200);
  auto revoked = withCookie(s2, "GET", "/api/v2/tailnet/-/devices", {}, false);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_THAT(revoked.body, HasSubstr("revoked"));
}

TEST_F(SessionTest, ABadKeyGetsNoSession) {
  auto res = server().request("POST", "/api/v2/session", R"({"apiKey":"postured-api-knope-x"})", "");
  EXPECT_EQ(res.status, 401);
  EXPECT_TRUE(res.header("set-cookie").empty());
  auto missing = server().request("POST", "/api/v2/session", R"({})", "");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("apiKey"));
  auto noCookie = server().request("GET", "/api/v2/tailnet/-/devices", "", "");
  EXPECT_EQ(noCookie.status, 401);
}

}  // namespace
}  // namespace postured::testing
