#include "enforce/headscale/resolution_text.h"

namespace postured::enforce::headscale {

void appendJson(std::string& out, const nlohmann::json& value, int indent) {
  // dump(2) starts at depth 0; its strings hold no raw newline, so every
  // newline starts a line that sits `indent` deeper here.
  const std::string text = value.dump(2);
  out.reserve(out.size() + text.size());
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.append(static_cast<std::size_t>(indent), ' ');
  }
}

namespace {

// Bytes each byte takes beyond itself in a JSON string: 1 for the short
// escapes, 5 for the \u00XX ones, 0 for the rest (UTF-8 passes through).
struct EscapeTable {
  unsigned char extra[256] = {};
  char shortForm[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) extra[c] = 5;
    const char pairs[][2] = {{'"', '"'}, {'\\', '\\'}, {'\b', 'b'}, {'\f', 'f'}, {'\n', 'n'}, {'\r', 'r'}, {'\t', 't'}};
    for (const auto& p : pairs) {
      extra[static_cast<unsigned char>(p[0])] = 1;
      shortForm[static_cast<unsigned char>(p[0])] = p[1];
    }
  }
};
constexpr EscapeTable kEscapes;

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  // Two tight passes (size, then bytes) rather than an append per escape:
  // a policy body has hundreds of thousands of quotes and newlines.
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t extra = 0;
  for (char c : s) extra += kEscapes.extra[static_cast<unsigned char>(c)];
  const std::size_t at = out.size();
  out.resize(at + s.size() + extra + 2);
  char* p = out.data() + at;
  *p++ = '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!kEscapes.extra[u]) {
      *p++ = c;
    } else if (kEscapes.shortForm[u]) {
      *p++ = '\\';
      *p++ = kEscapes.shortForm[u];
    } else {
      *p++ = '\\';
      *p++ = 'u';
      *p++ = '0';
      *p++ = '0';
      *p++ = kHex[u >> 4];
      *p++ = kHex[u & 0xF];
    }
  }
  *p = '"';
}

std::string ruleText(const RuleEntry& entry) {
  std::string out(kRuleIndent, ' ');
  const bool empty = entry.fields.empty() && !entry.src;
  if (empty) return out + "{}";
  out += "{\n";
  bool first = true;
  auto member = [&](std::string_view key) {
    if (!first) out += ",\n";
    first = false;
    out.append(kFieldIndent, ' ');
    appendJsonString(out, key);
    out += ": ";
  };
  bool srcWritten = !entry.src;
  for (const auto& [key, value] : entry.fields.items()) {
    if (!srcWritten && key > "src") {
      member("src");
      out += *entry.src;
      srcWritten = true;
    }
    member(key);
    appendJson(out, value, kFieldIndent);
  }
  if (!srcWritten) {
    member("src");
    out += *entry.src;
  }
  out += '\n';
  out.append(kRuleIndent, ' ');
  out += '}';
  return out;
}

std::string ruleText(const nlohmann::json& entry) {
  std::string out(kRuleIndent, ' ');
  appendJson(out, entry, kRuleIndent);
  return out;
}

void appendArray(std::string& out, const std::vector<const std::string*>& elements, int indent) {
  if (elements.empty()) {
    out += "[]";
    return;
  }
  std::size_t size = out.size() + indent + 4;
  for (const auto* e : elements) size += e->size() + 2;
  out.reserve(size);
  out += "[\n";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i) out += ",\n";
    out += *elements[i];
  }
  out += '\n';
  out.append(static_cast<std::size_t>(indent), ' ');
  out += ']';
}

}  // namespace postured::enforce::headscale
