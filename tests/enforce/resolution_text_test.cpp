// The resolved policy's text writer: strings JSON reads back as they were,
// and rules laid out as json::dump(2) lays them out at their depth.
#include "enforce/headscale/resolution_text.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace postured::enforce::headscale {
namespace {

using nlohmann::json;

TEST(ResolutionText, StringsReadBackAsTheyWere) {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "é — 漢字 \xF0\x9F\x98\x80";
  for (const std::string& s : {std::string(), std::string("plain"), std::string("\"quoted\"\n\\"), all}) {
    std::string out = "x";
    appendJsonString(out, s);
    ASSERT_EQ(out[0], 'x');
    EXPECT_EQ(json::parse(out.substr(1)).get<std::string>(), s);
    EXPECT_EQ(out.substr(1), json(s).dump());  // the bytes json writes too
  }
}

TEST(ResolutionText, RulesAreLaidOutAsJsonLaysThemOutAtTheirDepth) {
  const json fields = {{"action", "accept"}, {"dst", {"tag:web:22", "tag:db:5432"}}, {"proto", "tcp"}};
  json withSrc = fields;
  withSrc["src"] = {"100.64.0.1", "fd7a:115c:a1e0::1"};
  const json whole = {{"acls", json::array({withSrc})}};
  const std::string expected = whole.dump(2);

  RuleEntry entry{fields, std::make_shared<const std::string>(
                              "[\n        \"100.64.0.1\",\n        \"fd7a:115c:a1e0::1\"\n      ]")};
  std::string text = "{\n  \"acls\": ";
  const std::string rule = ruleText(entry);
  appendArray(text, {&rule}, 2);
  text += "\n}";
  EXPECT_EQ(text, expected);

  // The same rule given whole as JSON.
  const std::string asJson = ruleText(whole["acls"][0]);
  EXPECT_EQ(asJson, rule);
}

}  // namespace
}  // namespace postured::enforce::headscale
