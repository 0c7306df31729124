#include "policy/posture_condition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

#include "core/text.h"
#include "policy/version_compare.h"

namespace postured::policy {

std::string_view conditionOpText(ConditionOp op) {
  switch (op) {
    case ConditionOp::kEq:
      return "==";
    case ConditionOp::kNe:
      return "!=";
    case ConditionOp::kLt:
      return "<";
    case ConditionOp::kLe:
      return "<=";
    case ConditionOp::kGt:
      return ">";
    case ConditionOp::kGe:
      return ">=";
    case ConditionOp::kIn:
      return "IN";
    case ConditionOp::kNotIn:
      return "NOT IN";
    case ConditionOp::kIsSet:
      return "IS SET";
    case ConditionOp::kNotSet:
      return "NOT SET";
  }
  return "?";
}

bool isOrderingOp(ConditionOp op) {
  return op == ConditionOp::kLt || op == ConditionOp::kLe || op == ConditionOp::kGt || op == ConditionOp::kGe;
}

namespace {

constexpr std::string_view kOperatorList = "use ==, !=, <, <=, >, >=, IN, NOT IN, IS SET or NOT SET";

bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// Characters of a key, and of an unquoted word we report as a whole.
bool isWordChar(char c) { return isLetter(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == ':'; }
using core::equalsIgnoreCase;

bool isOperatorChar(char c) { return std::string_view("=!<>~^$%&|*/+?@#;").find(c) != std::string_view::npos; }

std::string quoteForMessage(std::string_view s) {
  if (s.find('\'') != std::string_view::npos) return "\"" + std::string(s) + "\"";
  return "'" + std::string(s) + "'";
}

class ConditionParser {
 public:
  explicit ConditionParser(std::string_view text) : t_(text) {}

  tl::expected<PostureCondition, ConditionError> parse() {
    PostureCondition c;
    c.text = std::string(t_);
    skipSpace();
    if (atEnd()) return fail(i_, "empty condition; expected an attribute key such as node:os");
    if (!parseKey(c)) return error();
    skipSpace();
    c.opOffset = i_;
    if (atEnd()) {
      c.shorthand = true;
      c.op = ConditionOp::kEq;
      c.values.push_back(ConditionLiteral{core::AttributeValue(true), i_, 0});
      return c;
    }
    if (!parseOperator(c)) return error();
    if (!parseValues(c)) return error();
    skipSpace();
    if (!atEnd()) {
      return fail(i_, "unexpected " + describeHere() +
                          " after the condition; expected the end (a posture ANDs its "
                          "conditions: list them as separate strings)");
    }
    return c;
  }

 private:
  bool atEnd() const { return i_ >= t_.size(); }
  char peek() const { return atEnd() ? '\0' : t_[i_]; }
  void skipSpace() {
    while (!atEnd() && isSpace(t_[i_])) ++i_;
  }

  tl::unexpected<ConditionError> fail(std::size_t offset, std::string message) {
    error_ = ConditionError{offset, std::move(message)};
    return tl::unexpected<ConditionError>(error_);
  }
  tl::unexpected<ConditionError> error() const { return tl::unexpected<ConditionError>(error_); }
  bool setError(std::size_t offset, std::string message) {
    error_ = ConditionError{offset, std::move(message)};
    return false;
  }

  std::string describeHere() const {
    if (atEnd()) return "the end of the condition";
    const char c = t_[i_];
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", b);
      return std::string("control character ") + buf;
    }
    if (b >= 0x80) {
      std::size_t n = 1;
      while (i_ + n < t_.size() && (static_cast<unsigned char>(t_[i_ + n]) & 0xC0) == 0x80 && n < 4) ++n;
      return "'" + std::string(t_.substr(i_, n)) + "'";
    }
    return quoteForMessage(std::string_view(&t_[i_], 1));
  }

  std::string_view wordAt(std::size_t from) const {
    std::size_t end = from;
    while (end < t_.size() && isWordChar(t_[end])) ++end;
    return t_.substr(from, end - from);
  }

  bool parseKey(PostureCondition& c) {
    const std::size_t start = i_;
    if (!isLetter(peek())) {
      return setError(i_, "expected an attribute key (namespace:name, such as node:os), found " + describeHere());
    }
    const std::string_view key = wordAt(start);
    const std::size_t colon = key.find(':');
    if (colon == std::string_view::npos) {
      return setError(start,
                      "attribute key '" + std::string(key) +
                          "' has no namespace; keys are namespace:name, such as node:os or custom:" + std::string(key));
    }
    if (key.find(':', colon + 1) != std::string_view::npos) {
      return setError(start + key.find(':', colon + 1),
                      "attribute key '" + std::string(key) + "' has more than one ':'; keys are namespace:name");
    }
    const std::string_view ns = key.substr(0, colon);
    const std::string_view name = key.substr(colon + 1);
    for (std::size_t k = 0; k < ns.size(); ++k) {
      if (!isLetter(ns[k]) && !isDigit(ns[k]) && ns[k] != '_') {
        return setError(start + k, "invalid character '" + std::string(1, ns[k]) + "' in the namespace '" +
                                       std::string(ns) + "'; a namespace has letters, digits and '_'");
      }
    }
    if (name.empty()) {
      return setError(start + colon + 1, "attribute key '" + std::string(key) + "' has no name after ':'");
    }
    i_ = start + key.size();
    c.key = std::string(key);
    c.foldedKey = core::foldKey(key);
    return true;
  }

  bool unknownOperator(std::size_t at, std::string_view op, const PostureCondition& c) {
    std::string hint;
    if (op == "=") hint = " (equality is ==)";
    if (op == "=<" || op == "=>") hint = " (did you mean " + std::string{op[1], op[0]} + "?)";
    if (op == "<>") hint = " (inequality is !=)";
    return setError(at, "unknown operator " + quoteForMessage(op) + " after '" + c.key + "'" + hint + "; " +
                            std::string(kOperatorList));
  }

  std::string_view letters() {
    const std::size_t start = i_;
    while (!atEnd() && (isLetter(t_[i_]) || isDigit(t_[i_]) || t_[i_] == '_')) ++i_;
    return t_.substr(start, i_ - start);
  }

  bool parseOperator(PostureCondition& c) {
    const std::size_t start = i_;
    const char ch = peek();
    if (isOperatorChar(ch)) {
      while (!atEnd() && isOperatorChar(t_[i_])) ++i_;
      const std::string_view op = t_.substr(start, i_ - start);
      if (op == "==")
        c.op = ConditionOp::kEq;
      else if (op == "!=")
        c.op = ConditionOp::kNe;
      else if (op == "<")
        c.op = ConditionOp::kLt;
      else if (op == "<=")
        c.op = ConditionOp::kLe;
      else if (op == ">")
        c.op = ConditionOp::kGt;
      else if (op == ">=")
        c.op = ConditionOp::kGe;
      else
        return unknownOperator(start, op, c);
      return true;
    }
    if (isLetter(ch)) {
      const std::string_view word = letters();
      if (equalsIgnoreCase(word, "in")) {
        c.op = ConditionOp::kIn;
        return true;
      }
      if (equalsIgnoreCase(word, "not") || equalsIgnoreCase(word, "is")) {
        const bool isNot = equalsIgnoreCase(word, "not");
        skipSpace();
        const std::size_t nextAt = i_;
        const std::string_view next = isLetter(peek()) ? letters() : std::string_view();
        if (equalsIgnoreCase(next, "set")) {
          c.op = isNot ? ConditionOp::kNotSet : ConditionOp::kIsSet;
          return true;
        }
        if (isNot && equalsIgnoreCase(next, "in")) {
          c.op = ConditionOp::kNotIn;
          return true;
        }
        i_ = nextAt;
        return setError(nextAt, std::string("expected ") + (isNot ? "IN or SET" : "SET") + " after '" +
                                    std::string(word) + "', found " +
                                    (next.empty() ? describeHere() : quoteForMessage(next)));
      }
      return unknownOperator(start, word, c);
    }
    return setError(start, "expected an operator after '" + c.key + "', found " + describeHere() + "; " +
                               std::string(kOperatorList));
  }

  bool parseValues(PostureCondition& c) {
    if (c.op == ConditionOp::kIsSet || c.op == ConditionOp::kNotSet) return true;
    const std::string opText(conditionOpText(c.op));
    skipSpace();
    if (c.op == ConditionOp::kIn || c.op == ConditionOp::kNotIn) {
      if (peek() != '[') {
        return setError(i_, "expected '[' to start the list of values after " + opText + ", found " + describeHere() +
                                " (for example node:os " + opText + " ['macos', 'linux'])");
      }
      return parseList(c);
    }
    if (atEnd()) {
      return setError(i_, "missing value after '" + opText + "'; expected a quoted string, a number, true or false");
    }
    if (peek() == '[') {
      return setError(i_, "a list is only allowed after IN or NOT IN; " + opText + " compares with one value");
    }
    ConditionLiteral literal;
    if (!parseLiteral(literal, "a quoted string, a number, true or false")) return false;
    c.values.push_back(std::move(literal));
    return true;
  }

  bool parseList(PostureCondition& c) {
    const std::size_t open = i_;
    ++i_;  // '['
    skipSpace();
    if (peek() == ']')
      return setError(i_, "empty list after " + std::string(conditionOpText(c.op)) + "; list at least one value");
    for (;;) {
      if (atEnd())
        return setError(i_, "unterminated list: expected a value or ']' to close the '[' at offset " +
                                std::to_string(open) + ", found the end of the condition");
      ConditionLiteral literal;
      if (!parseLiteral(literal, "a quoted string or a number")) return false;
      if (literal.value.type() == core::AttributeType::kBool) {
        return setError(literal.offset, "lists hold strings or numbers, found " +
                                            std::string(c.text.substr(literal.offset, literal.length)));
      }
      if (!c.values.empty() && c.values.front().value.type() != literal.value.type()) {
        return setError(literal.offset, "the list mixes strings and numbers; use values of one type");
      }
      c.values.push_back(std::move(literal));
      skipSpace();
      if (peek() == ',') {
        ++i_;
        skipSpace();
        if (peek() == ']') break;  // trailing comma
        continue;
      }
      if (peek() == ']') break;
      if (atEnd()) {
        return setError(i_, "unterminated list: expected ',' or ']' to close the '[' at offset " +
                                std::to_string(open) + ", found the end of the condition");
      }
      return setError(i_, "expected ',' or ']' in the list, found " + describeHere());
    }
    ++i_;  // ']'
    return true;
  }

  bool parseLiteral(ConditionLiteral& out, const std::string& expected) {
    const std::size_t start = i_;
    const char ch = peek();
    out.offset = start;
    if (ch == '\'' || ch == '"') {
      std::string value;
      ++i_;
      for (;;) {
        if (atEnd()) {
          return setError(start, std::string("unterminated string: no closing ") + (ch == '\'' ? "\"'\"" : "'\"'") +
                                     " for the quote at offset " + std::to_string(start));
        }
        const char c = t_[i_];
        if (c == ch) {
          ++i_;
          break;
        }
        if (c == '\\') {
          const char e = i_ + 1 < t_.size() ? t_[i_ + 1] : '\0';
          if (e != '\'' && e != '"' && e != '\\') {
            return setError(
                i_, "invalid escape in a string: " +
                        (i_ + 1 < t_.size() ? "'\\" + std::string(1, e) + "'" : std::string("'\\' at the end")) +
                        "; only \\', \\\" and \\\\ are escapes");
          }
          value += e;
          i_ += 2;
          continue;
        }
        value += c;
        ++i_;
      }
      out.value = core::AttributeValue(std::move(value));
      out.length = i_ - start;
      return true;
    }
    if (ch == '-' || isDigit(ch)) {
      if (ch == '-') ++i_;
      if (!isDigit(peek())) return setError(i_, "expected a digit after '-', found " + describeHere());
      while (isDigit(peek())) ++i_;
      if (peek() == '.' && i_ + 1 < t_.size() && isDigit(t_[i_ + 1])) {
        ++i_;
        while (isDigit(peek())) ++i_;
      }
      if (isWordChar(peek())) {
        // "1.60.0", "10abc", "1.": an unquoted version or word.
        const std::string_view word = wordAt(start + (ch == '-' ? 1 : 0));
        const std::string_view all = t_.substr(start, word.size() + (ch == '-' ? 1 : 0));
        return setError(start, "unquoted value '" + std::string(all) + "'; quote strings and versions, e.g. '" +
                                   std::string(all) + "'");
      }
      const std::string_view text = t_.substr(start, i_ - start);
      double d = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) {
        return setError(start, "number " + std::string(text) + " is out of range");
      }
      out.value = core::AttributeValue(d);
      out.length = i_ - start;
      return true;
    }
    if (isLetter(ch) || ch == '_') {
      const std::string_view word = wordAt(start);
      if (equalsIgnoreCase(word, "true") || equalsIgnoreCase(word, "false")) {
        i_ += word.size();
        out.value = core::AttributeValue(equalsIgnoreCase(word, "true"));
        out.length = word.size();
        return true;
      }
      return setError(start, "unquoted value '" + std::string(word) + "'; quote strings, e.g. '" + std::string(word) +
                                 "' (the unquoted values are numbers, true and false)");
    }
    return setError(start, "expected " + expected + ", found " + describeHere());
  }

  std::string_view t_;
  std::size_t i_ = 0;
  ConditionError error_;
};

}  // namespace

tl::expected<PostureCondition, ConditionError> parseCondition(std::string_view text) {
  return ConditionParser(text).parse();
}

core::Result<PostureCondition> parsePostureCondition(std::string_view text) {
  auto parsed = parseCondition(text);
  if (!parsed) {
    return core::fail(core::ErrorKind::kInvalidArgument,
                      "offset " + std::to_string(parsed.error().offset) + ": " + parsed.error().message);
  }
  return std::move(*parsed);
}

std::string formatValue(const core::AttributeValue& value) {
  switch (value.type()) {
    case core::AttributeType::kBool:
      return value.asBool() ? "true" : "false";
    case core::AttributeType::kNumber: {
      // Shortest round-trip digits, never an exponent: the condition grammar has none.
      const double d = value.asNumber();
      if (d == 0) return "0";  // also -0
      char buf[400];           // fixed notation of any finite double fits
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      return ec == std::errc() ? std::string(buf, end) : "0";
    }
    case core::AttributeType::kString: {
      std::string out = "'";
      for (char c : value.asString()) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
      }
      return out + "'";
    }
  }
  return {};
}

std::string formatCondition(const PostureCondition& c) {
  if (c.shorthand) return c.key;
  std::string out = c.key + " " + std::string(conditionOpText(c.op));
  if (c.op == ConditionOp::kIn || c.op == ConditionOp::kNotIn) {
    out += " [";
    for (std::size_t k = 0; k < c.values.size(); ++k) {
      if (k) out += ", ";
      out += formatValue(c.values[k].value);
    }
    return out + "]";
  }
  if (!c.values.empty()) out += " " + formatValue(c.values.front().value);
  return out;
}

void AttributeSet::set(std::string_view key, core::AttributeValue value) {
  values_.insert_or_assign(core::foldKey(key), std::move(value));
}

const core::AttributeValue* AttributeSet::find(std::string_view key) const {
  const auto it = values_.find(core::foldKey(key));
  return it == values_.end() ? nullptr : &it->second;
}

AttributeLookup AttributeSet::lookup() const {
  return [this](std::string_view foldedKey) -> const core::AttributeValue* {
    const auto it = values_.find(foldedKey);
    return it == values_.end() ? nullptr : &it->second;
  };
}

namespace {

enum class Outcome {
  kUnset,          // attribute not set
  kSetCheck,       // IS SET / NOT SET on a set attribute
  kTypeMismatch,   // no literal of the attribute's type
  kNoOrderOnBool,  // <, <=, >, >= with booleans
  kCompared,       // compared normally
};

struct Evaluation {
  bool passed = false;
  Outcome outcome = Outcome::kUnset;
  bool asVersion = false;
};

bool applyOrder(ConditionOp op, int cmp) {
  switch (op) {
    case ConditionOp::kLt:
      return cmp < 0;
    case ConditionOp::kLe:
      return cmp <= 0;
    case ConditionOp::kGt:
      return cmp > 0;
    case ConditionOp::kGe:
      return cmp >= 0;
    default:
      return false;
  }
}

Evaluation evaluateAgainst(const PostureCondition& c, const core::AttributeValue* actual) {
  if (actual == nullptr) return {c.op == ConditionOp::kNotSet, Outcome::kUnset};
  switch (c.op) {
    case ConditionOp::kIsSet:
      return {true, Outcome::kSetCheck};
    case ConditionOp::kNotSet:
      return {false, Outcome::kSetCheck};
    case ConditionOp::kIn:
    case ConditionOp::kNotIn: {
      bool typed = false;
      bool found = false;
      for (const auto& v : c.values) {
        if (v.value.type() != actual->type()) continue;
        typed = true;
        found = found || v.value == *actual;
      }
      if (!typed) return {false, Outcome::kTypeMismatch};
      return {c.op == ConditionOp::kIn ? found : !found, Outcome::kCompared};
    }
    default:
      break;
  }
  if (c.values.empty()) return {false, Outcome::kTypeMismatch};  // not produced by the parser
  const core::AttributeValue& literal = c.values.front().value;
  if (literal.type() != actual->type()) return {false, Outcome::kTypeMismatch};
  if (c.op == ConditionOp::kEq) return {*actual == literal, Outcome::kCompared};
  if (c.op == ConditionOp::kNe) return {!(*actual == literal), Outcome::kCompared};
  switch (actual->type()) {
    case core::AttributeType::kBool:
      return {false, Outcome::kNoOrderOnBool};
    case core::AttributeType::kNumber: {
      const double a = actual->asNumber();
      const double b = literal.asNumber();
      return {applyOrder(c.op, a < b ? -1 : (a > b ? 1 : 0)), Outcome::kCompared};
    }
    case core::AttributeType::kString:
      return {applyOrder(c.op, compareVersions(actual->asString(), literal.asString())), Outcome::kCompared, true};
  }
  return {};
}

std::string typeName(core::AttributeType type) { return std::string(core::attributeTypeName(type)); }

std::string listText(const PostureCondition& c) {
  std::string out = "[";
  for (std::size_t k = 0; k < c.values.size(); ++k) {
    if (k) out += ", ";
    out += formatValue(c.values[k].value);
  }
  return out + "]";
}

}  // namespace

bool evaluate(const PostureCondition& condition, const AttributeLookup& lookup) {
  return evaluateAgainst(condition, lookup(condition.foldedKey)).passed;
}

ConditionResult explain(const PostureCondition& c, const AttributeLookup& lookup) {
  const core::AttributeValue* actual = lookup(c.foldedKey);
  const Evaluation e = evaluateAgainst(c, actual);
  ConditionResult r;
  r.passed = e.passed;
  if (actual) r.actual = *actual;
  const std::string op(conditionOpText(c.op));
  const std::string is = actual ? c.key + " is " + formatValue(*actual) : std::string();
  switch (e.outcome) {
    case Outcome::kUnset:
      r.reason = c.key + " is not set";
      break;
    case Outcome::kSetCheck:
      r.reason = c.key + " is set (" + formatValue(*actual) + ")";
      break;
    case Outcome::kTypeMismatch: {
      const bool list = c.op == ConditionOp::kIn || c.op == ConditionOp::kNotIn;
      const std::string with =
          c.values.empty() ? std::string("nothing")
          : list           ? "a list of " + typeName(c.values.front().value.type()) + "s " + listText(c)
                 : formatValue(c.values.front().value) + " (a " + typeName(c.values.front().value.type()) + ")";
      r.reason = is + " (a " + typeName(actual->type()) + "), but the condition compares it with " + with;
      break;
    }
    case Outcome::kNoOrderOnBool:
      r.reason = is + "; " + op + " does not apply to true/false";
      break;
    case Outcome::kCompared: {
      if (c.op == ConditionOp::kIn) {
        r.reason = is + (e.passed ? ", one of " : ", not one of ") + listText(c);
      } else if (c.op == ConditionOp::kNotIn) {
        r.reason = is + (e.passed ? ", not one of " : ", which is in the excluded list ") + listText(c);
      } else if (c.op == ConditionOp::kEq) {
        r.reason = e.passed ? is : is + ", not " + formatValue(c.values.front().value);
      } else if (c.op == ConditionOp::kNe) {
        r.reason = e.passed ? is + ", not " + formatValue(c.values.front().value)
                            : is + ", and the condition requires != " + formatValue(c.values.front().value);
      } else {
        r.reason = is + (e.passed ? ", which is " : ", which is not ") + op + " " +
                   formatValue(c.values.front().value) + (e.asVersion ? " (compared as versions)" : "");
      }
      break;
    }
  }
  return r;
}

// --- known attributes -------------------------------------------------------

namespace {

struct KnownAttribute {
  std::string_view key;
  KnownAttributeType type;
  std::vector<std::string_view> values;  // the documented values of enumerations, when closed
};

const std::vector<KnownAttribute>& knownAttributes() {
  using T = KnownAttributeType;
  // Reference section 2 (Tailscale's docs per provider); sentinelOne:isActive is ours.
  static const std::vector<KnownAttribute> kKnown = {
      {"node:os", T::kString, {"macos", "windows", "linux", "ios", "android", "freebsd", "openbsd", "illumos", "js"}},
      {"node:osVersion", T::kVersion, {}},
      {"node:tsAutoUpdate", T::kBool, {}},
      {"node:tsReleaseTrack", T::kString, {"stable", "unstable"}},
      {"node:tsStateEncrypted", T::kBool, {}},
      {"node:tsVersion", T::kVersion, {}},
      {"ip:country", T::kString, {}},
      {"ip:publicAddress", T::kString, {}},  // beta, secondary sources only
      {"falcon:ztaScore", T::kNumber, {}},
      {"sentinelOne:operationalState", T::kString, {}},
      {"sentinelOne:activeThreats", T::kNumber, {}},
      {"sentinelOne:agentVersion", T::kVersion, {}},
      {"sentinelOne:encryptedApplications", T::kBool, {}},
      {"sentinelOne:firewallEnabled", T::kBool, {}},
      {"sentinelOne:infected", T::kBool, {}},
      {"sentinelOne:isActive", T::kBool, {}},
      {"intune:complianceState",
       T::kString,
       {"unknown", "compliant", "noncompliant", "conflict", "error", "inGracePeriod", "configManager"}},
      {"intune:azureADRegistered", T::kBool, {}},
      {"intune:deviceRegistrationState",
       T::kString,
       {"notRegistered", "registered", "revoked", "keyConflict", "approvalPending", "certificateReset",
        "notRegisteredPendingEnrollment", "unknown"}},
      {"intune:isSupervised", T::kBool, {}},
      {"intune:isEncrypted", T::kBool, {}},
      {"intune:managedDeviceOwnerType", T::kString, {"unknown", "company", "personal"}},
      {"jamfPro:remoteManaged", T::kBool, {}},
      {"jamfPro:supervised", T::kBool, {}},
      {"jamfPro:firewallEnabled", T::kBool, {}},
      {"jamfPro:fileVaultStatus",
       T::kString,
       {"ALL_ENCRYPTED", "SOME_ENCRYPTED", "BOOT_ENCRYPTED", "NOT_ENCRYPTED", "NOT_APPLICABLE"}},
      {"jamfPro:SIPEnabled", T::kString, {"NOT_COLLECTED", "NOT_AVAILABLE", "DISABLED", "ENABLED"}},
      {"kandji:mdmEnabled", T::kBool, {}},
      {"kandji:agentInstalled", T::kBool, {}},
      {"kolide:authState", T::kString, {"Good", "Notified", "Will Block", "Blocked"}},
      {"fleet:present", T::kBool, {}},
      // Huntress's own example uses a value outside its documented list, so its
      // enumerations are left open.
      {"huntress:defenderStatus", T::kString, {}},
      {"huntress:defenderPolicyStatus", T::kString, {}},
      {"huntress:firewallStatus", T::kString, {}},
  };
  return kKnown;
}

// Namespaces whose every attribute is in the table (spelled as documented).
constexpr std::string_view kClosedNamespaces[] = {"node",    "ip",     "falcon", "sentinelOne", "intune",
                                                  "jamfPro", "kandji", "kolide", "fleet",       "huntress"};
// Namespaces whose names are free: custom attributes and Fleet policies (bool).
constexpr std::string_view kOpenNamespaces[] = {"custom", "fleetPolicy"};

const KnownAttribute* findKnown(std::string_view key) {
  const std::string folded = core::foldKey(key);
  for (const auto& k : knownAttributes()) {
    if (core::foldKey(k.key) == folded) return &k;
  }
  return nullptr;
}

std::string_view namespaceOf(std::string_view key) { return key.substr(0, key.find(':')); }

bool isNumberType(KnownAttributeType t) { return t == KnownAttributeType::kNumber; }
bool isStringType(KnownAttributeType t) {
  return t == KnownAttributeType::kString || t == KnownAttributeType::kVersion;
}
bool isBoolType(KnownAttributeType t) { return t == KnownAttributeType::kBool; }

bool fits(KnownAttributeType t, core::AttributeType v) {
  switch (v) {
    case core::AttributeType::kBool:
      return isBoolType(t);
    case core::AttributeType::kNumber:
      return isNumberType(t);
    case core::AttributeType::kString:
      return isStringType(t);
  }
  return false;
}

std::string aTypeName(std::string_view type) { return std::string(type == "array" ? "an " : "a ") + std::string(type); }

}  // namespace

std::optional<KnownAttributeType> knownAttributeType(std::string_view key) {
  if (const KnownAttribute* k = findKnown(key)) return k->type;
  if (core::foldKey(namespaceOf(key)) == "fleetpolicy" && key.find(':') != std::string_view::npos) {
    return KnownAttributeType::kBool;
  }
  return std::nullopt;
}

std::string_view knownAttributeTypeName(KnownAttributeType type) {
  switch (type) {
    case KnownAttributeType::kBool:
      return "bool";
    case KnownAttributeType::kNumber:
      return "number";
    case KnownAttributeType::kString:
      return "string";
    case KnownAttributeType::kVersion:
      return "version";
  }
  return "unknown";
}

std::optional<std::string> typeWarning(const PostureCondition& c) {
  if (c.op == ConditionOp::kIsSet || c.op == ConditionOp::kNotSet || c.values.empty()) return std::nullopt;
  const std::string op(conditionOpText(c.op));
  const ConditionLiteral& first = c.values.front();
  const std::string literal(c.literalText(first));
  const bool ordering = isOrderingOp(c.op);
  if (ordering && first.value.type() == core::AttributeType::kBool) {
    return op + " does not apply to true/false, so '" + c.text + "' never matches; use == or !=";
  }
  const std::optional<KnownAttributeType> known = knownAttributeType(c.key);
  if (!known) return std::nullopt;
  const std::string typeText(knownAttributeTypeName(*known));
  if (c.shorthand && !isBoolType(*known)) {
    return "a bare key means '" + c.key + " == true', but " + c.key + " is " + aTypeName(typeText) +
           ", so it never matches; compare it with a value or use IS SET";
  }
  if (ordering && isBoolType(*known)) {
    return c.key + " is a bool, so " + op + " never matches; use == or !=";
  }
  for (const ConditionLiteral& v : c.values) {
    if (fits(*known, v.value.type())) continue;
    const std::string text(c.literalText(v));
    std::string hint;
    if (isStringType(*known) && v.value.type() == core::AttributeType::kNumber) {
      hint = "; quote it: '" + text + "'";
    } else if (isNumberType(*known) && v.value.type() == core::AttributeType::kString) {
      double d = 0;
      const std::string s(v.value.asString());
      if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          ec == std::errc() && end == s.data() + s.size()) {
        hint = "; remove the quotes: " + s;
      }
    } else if (isBoolType(*known) && v.value.type() == core::AttributeType::kString) {
      const std::string_view s = v.value.asString();
      if (equalsIgnoreCase(s, "true") || equalsIgnoreCase(s, "false"))
        hint = "; remove the quotes: " + core::foldKey(s);
    }
    return c.key + " is " + aTypeName(typeText) + ", but " + text + " is " +
           aTypeName(core::attributeTypeName(v.value.type())) + ", so '" + c.text + "' never matches" + hint;
  }
  if (ordering && *known == KnownAttributeType::kString) {
    return op + " is meant for numbers and versions, and " + c.key +
           " is a plain string: it will be compared as a version string (" + literal + ")";
  }
  return std::nullopt;
}

std::optional<std::string> keyWarning(const PostureCondition& c) {
  const std::string_view ns = namespaceOf(c.key);
  const std::string foldedNs = core::foldKey(ns);
  if (foldedNs == "posture") {
    return "'" + c.key +
           "' names a posture, not an attribute; postures are referenced from srcPosture and "
           "defaultSrcPosture, not from other postures' conditions";
  }
  for (std::string_view open : kOpenNamespaces) {
    if (core::foldKey(open) == foldedNs) return std::nullopt;
  }
  for (std::string_view closed : kClosedNamespaces) {
    if (core::foldKey(closed) != foldedNs) continue;
    if (findKnown(c.key)) return std::nullopt;
    std::string names;
    for (const auto& k : knownAttributes()) {
      if (core::foldKey(namespaceOf(k.key)) != foldedNs) continue;
      names += (names.empty() ? "" : ", ") + std::string(k.key);
    }
    return "unknown attribute '" + c.key + "'; the " + std::string(closed) + " attributes are " + names;
  }
  std::string all;
  for (std::string_view n : kClosedNamespaces) all += std::string(n) + ", ";
  return "unknown attribute namespace '" + std::string(ns) + "'; known namespaces are " + all +
         "custom and fleetPolicy";
}

std::optional<std::string> valueWarning(const PostureCondition& c) {
  const KnownAttribute* known = findKnown(c.key);
  if (!known || known->values.empty()) return std::nullopt;
  for (const ConditionLiteral& v : c.values) {
    if (v.value.type() != core::AttributeType::kString) continue;
    const std::string_view s = v.value.asString();
    if (std::find(known->values.begin(), known->values.end(), s) != known->values.end()) continue;
    std::string list;
    std::string sameIgnoringCase;
    for (std::string_view documented : known->values) {
      list += (list.empty() ? "'" : ", '") + std::string(documented) + "'";
      if (equalsIgnoreCase(documented, s)) sameIgnoringCase = std::string(documented);
    }
    std::string message =
        std::string(known->key) + " is never " + formatValue(v.value) + "; its documented values are " + list;
    if (!sameIgnoringCase.empty()) message += " (values are case-sensitive: did you mean '" + sameIgnoringCase + "'?)";
    return message;
  }
  return std::nullopt;
}

std::vector<std::string> conditionWarnings(const PostureCondition& c) {
  std::vector<std::string> out;
  for (auto warning : {keyWarning(c), typeWarning(c), valueWarning(c)}) {
    if (warning) out.push_back(std::move(*warning));
  }
  return out;
}

}  // namespace postured::policy
