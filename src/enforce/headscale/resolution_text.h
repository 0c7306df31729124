// The resolved policy written as text directly, in the layout of
// nlohmann::json::dump(2) (members sorted, two spaces a level), so that a
// rule's text can be made once, kept while its inputs stay, and joined with
// the others: a push of a large tailnet writes about a hundred thousand
// addresses, and going through a json tree costs more than resolving them.
//
// A rule of `acls` or `grants` is an object two levels deep (indent 4, its
// fields at 6); its `src` may be given as text already written for that depth
// (AddressIndex::sourceText), the rest of its fields as JSON.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace postured::enforce::headscale {

// Indentation of a rule in acls/grants, and of its fields.
inline constexpr int kRuleIndent = 4;
inline constexpr int kFieldIndent = 6;

// One rule of the output.
struct RuleEntry {
  nlohmann::json fields = nlohmann::json::object();  // without "src" when `src` is set
  std::shared_ptr<const std::string> src;            // the `src` array, written at kFieldIndent
};

// `value` as dump(2) writes it when it sits `indent` spaces deep (its first line not indented).
void appendJson(std::string& out, const nlohmann::json& value, int indent);
// A rule as an element of acls/grants, its first line indented.
std::string ruleText(const RuleEntry& entry);
std::string ruleText(const nlohmann::json& entry);
// A JSON array of already written elements (each with its indentation), closing at `indent`.
void appendArray(std::string& out, const std::vector<const std::string*>& elements, int indent);
// `s` as a JSON string literal (quotes added; UTF-8 passed through, controls escaped).
void appendJsonString(std::string& out, std::string_view s);

}  // namespace postured::enforce::headscale
