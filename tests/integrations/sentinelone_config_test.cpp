// The console URL (cloudId) and the token (clientSecret) as operators give
// them, and what SentinelOneProvider::validateConfig makes of them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/service_url.h"
#include "integrations/sentinelone/agents_request.h"
#include "integrations/sentinelone/console_url.h"
#include "integrations/sentinelone/sentinelone_provider.h"

namespace postured::integrations::sentinelone {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Accepted {
  const char* input;
  bool allowInsecure;
  const char* normalised;
};

TEST(SentinelOneConsoleUrl, AcceptsAndNormalises) {
  const Accepted cases[] = {
      {"https://acme.sentinelone.net", false, "https://acme.sentinelone.net"},
      {"https://acme.sentinelone.net/", false, "https://acme.sentinelone.net"},
      {"https://acme.sentinelone.net///", false, "https://acme.sentinelone.net"},
      {"  https://acme.sentinelone.net  ", false, "https://acme.sentinelone.net"},
      {"HTTPS://Usea1-Partners.SentinelOne.NET/", false, "https://usea1-partners.sentinelone.net"},
      {"acme.sentinelone.net", false, "https://acme.sentinelone.net"},
      {"acme.sentinelone.net/", false, "https://acme.sentinelone.net"},
      {"cns.eu1.sentinelone.net:8443", false, "https://cns.eu1.sentinelone.net:8443"},
      {"https://acme.sentinelone.net:443/", false, "https://acme.sentinelone.net:443"},
      {"https://10.1.2.3:9443", false, "https://10.1.2.3:9443"},
      {"https://[2001:DB8::1]:8443/", false, "https://[2001:db8::1]:8443"},
      {"http://127.0.0.1:18080", true, "http://127.0.0.1:18080"},
      {"http://127.9.8.7:18080/", true, "http://127.9.8.7:18080"},
      {"http://localhost:18080", true, "http://localhost:18080"},
      {"http://LOCALHOST", true, "http://localhost"},
      {"http://[::1]:18080", true, "http://[::1]:18080"},
      {"https://127.0.0.1:18080", false, "https://127.0.0.1:18080"},
  };
  for (const auto& c : cases) {
    const auto r = normaliseConsoleUrl(c.input, c.allowInsecure);
    ASSERT_TRUE(r) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.normalised) << c.input;
  }
}

struct Rejected {
  const char* input;
  bool allowInsecure;
  const char* reason;
};

TEST(SentinelOneConsoleUrl, RejectsWithTheFieldAndAReason) {
  const Rejected cases[] = {
      {"", false, "cloudId is required"},
      {"   ", false, "cloudId is required"},
      {"http://acme.sentinelone.net", false, "allow_insecure_provider_urls = true"},
      {"http://acme.sentinelone.net", true, "https is required"},  // not loopback: never
      {"http://10.0.0.1:8080", true, "loopback"},
      {"http://127.0.0.1:18080", false, "allow_insecure_provider_urls = true"},
      {"http://[::1]:18080", false, "allow_insecure_provider_urls = true"},
      {"ftp://acme.sentinelone.net", false, "scheme must be https"},
      {"https://user:pass@acme.sentinelone.net", false, "user name or password"},
      {"https://acme.sentinelone.net/?x=1", false, "query"},
      {"https://acme.sentinelone.net#frag", false, "fragment"},
      {"https://acme.sentinelone.net/web/api/v2.1", false, "must not contain a path"},
      {"https://", false, "no host name"},
      {"https://acme sentinelone.net", false, "space"},
      {"https://acme_corp.sentinelone.net", false, "not a valid host name"},
      {"https://-acme.sentinelone.net", false, "not a valid host name"},
      {"https://acme..sentinelone.net", false, "not a valid host name"},
      {"https://999.1.2.3", false, "not a valid host name"},
      {"https://acme.sentinelone.net:", false, "port after ':' is empty"},
      {"https://acme.sentinelone.net:0", false, "port must be a number from 1 to 65535"},
      {"https://acme.sentinelone.net:70000", false, "port must be a number from 1 to 65535"},
      {"https://acme.sentinelone.net:https", false, "port must be a number"},
      {"https://[::1", false, "closing ']'"},
      {"https://[zz::1]", false, "not a valid IPv6 address"},
      {"https://acme.sentinelone.net\r\nX: y", false, "control character"},
      {"https://ac\xc3\xa9me.sentinelone.net", false, "non-ASCII"},
  };
  for (const auto& c : cases) {
    const auto r = normaliseConsoleUrl(c.input, c.allowInsecure);
    ASSERT_FALSE(r) << c.input << " was accepted as " << *r;
    EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument) << c.input;
    EXPECT_EQ(r.error().field, "cloudId") << c.input;
    EXPECT_THAT(r.error().message, HasSubstr(c.reason)) << c.input;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << c.input;
  }
  const auto tooLong = normaliseConsoleUrl("https://" + std::string(3000, 'a') + ".net", false);
  ASSERT_FALSE(tooLong);
  EXPECT_THAT(tooLong.error().message, HasSubstr("longer than 2048"));
  EXPECT_LT(tooLong.error().message.size(), 300u);
  EXPECT_THAT(normaliseConsoleUrl("https://a.net\r\nX: y", false).error().message, HasSubstr("a.net\\x0d\\x0aX: y"));
}

TEST(SentinelOneConsoleUrl, Loopback) {
  for (const auto* host : {"localhost", "127.0.0.1", "127.255.0.9", "[::1]", "[0:0:0:0:0:0:0:1]"})
    EXPECT_TRUE(http::isLoopbackHost(host)) << host;
  for (const auto* host : {"128.0.0.1", "10.0.0.1", "[::2]", "localhost.example.com", "::1", "acme.sentinelone.net"})
    EXPECT_FALSE(http::isLoopbackHost(host)) << host;
}

TEST(SentinelOneAgentsRequest, BuildsPageUrls) {
  EXPECT_EQ(agentsPageUrl("https://acme.sentinelone.net", std::nullopt),
            "https://acme.sentinelone.net/web/api/v2.1/agents?limit=1000&isDecommissioned=false");
  EXPECT_EQ(agentsPageUrl("https://acme.sentinelone.net", "YWdlbnRfaWQ6NTgwMjkzODE="),
            "https://acme.sentinelone.net/web/api/v2.1/agents?limit=1000&isDecommissioned=false"
            "&cursor=YWdlbnRfaWQ6NTgwMjkzODE%3D");
  EXPECT_EQ(percentEncode("a+b/c d&e=f~_.-"), "a%2Bb%2Fc%20d%26e%3Df~_.-");
}

ProviderConfig config(std::string url, std::string token = "0123456789abcdefABCDEF0123456789abcdefABCDEF") {
  ProviderConfig c;
  c.cloudId = std::move(url);
  c.clientSecret = std::move(token);
  return c;
}

TEST(SentinelOneValidateConfig, NormalisesTheUrlAndKeepsTheToken) {
  const SentinelOneProvider provider;
  const auto r = provider.validateConfig(config("acme.sentinelone.net/"), {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->cloudId, "https://acme.sentinelone.net");
  EXPECT_EQ(r->clientSecret, "0123456789abcdefABCDEF0123456789abcdefABCDEF");

  // A JWT-style token is fine too.
  EXPECT_TRUE(provider.validateConfig(config("https://a.sentinelone.net", "eyJraWQiOi.eyJzdWIiOi-_.sig+/="), {}));

  ValidationContext insecure;
  insecure.allowInsecureUrls = true;
  const auto local = provider.validateConfig(config("http://127.0.0.1:18080/"), insecure);
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->cloudId, "http://127.0.0.1:18080");
  const auto refused = provider.validateConfig(config("http://127.0.0.1:18080/"), {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "cloudId");
}

TEST(SentinelOneValidateConfig, RejectsBadTokensWithoutQuotingThem) {
  const SentinelOneProvider provider;
  const std::pair<std::string, std::string> cases[] = {
      {"", "clientSecret is required"},
      {"secret-token with-space", "space"},
      {"secret-token\n", "line break"},
      {"secret-token\t", "control"},
      {"secret-t\xc3\xb6ken", "non-ASCII"},
      {std::string(9000, 'a'), "longer than"},
  };
  for (const auto& [token, reason] : cases) {
    const auto r = provider.validateConfig(config("https://acme.sentinelone.net", token), {});
    ASSERT_FALSE(r) << reason;
    EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.error().field, "clientSecret");
    EXPECT_THAT(r.error().message, HasSubstr(reason));
    EXPECT_THAT(r.error().message, Not(HasSubstr("secret-t")));
  }
}

TEST(SentinelOneValidateConfig, ClientIdAndTenantIdMustBeEmpty) {
  const SentinelOneProvider provider;
  auto c = config("https://acme.sentinelone.net");
  c.clientId = "abc";
  auto r = provider.validateConfig(c, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "clientId");
  EXPECT_THAT(r.error().message, HasSubstr("leave it empty"));

  c.clientId.clear();
  c.tenantId = "t";
  r = provider.validateConfig(c, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "tenantId");
}

TEST(SentinelOneProvider, DescribesItself) {
  const SentinelOneProvider provider;
  EXPECT_EQ(provider.id(), "sentinelone");
  EXPECT_EQ(provider.displayName(), "SentinelOne");
  EXPECT_EQ(provider.attributeNamespace(), "sentinelOne");
  std::vector<std::pair<std::string, core::AttributeType>> specs;
  for (const auto& s : provider.attributeSpecs()) specs.emplace_back(s.key, s.type);
  using core::AttributeType;
  EXPECT_THAT(specs, ::testing::ElementsAre(
                         std::pair{std::string("sentinelOne:isActive"), AttributeType::kBool},
                         std::pair{std::string("sentinelOne:agentVersion"), AttributeType::kString},
                         std::pair{std::string("sentinelOne:activeThreats"), AttributeType::kNumber},
                         std::pair{std::string("sentinelOne:infected"), AttributeType::kBool},
                         std::pair{std::string("sentinelOne:firewallEnabled"), AttributeType::kBool},
                         std::pair{std::string("sentinelOne:encryptedApplications"), AttributeType::kBool},
                         std::pair{std::string("sentinelOne:operationalState"), AttributeType::kString}));
}

}  // namespace
}  // namespace postured::integrations::sentinelone
