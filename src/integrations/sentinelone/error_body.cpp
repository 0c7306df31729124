#include "integrations/sentinelone/error_body.h"

#include <simdjson.h>

#include <optional>
#include <utility>

namespace postured::integrations::sentinelone {

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

constexpr std::size_t kMaxPartLength = 200;
constexpr std::size_t kMaxErrors = 3;
constexpr std::size_t kMaxBodyToParse = 64 * 1024;

std::string clean(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxPartLength));
  for (const char c : text) {
    if (out.size() >= kMaxPartLength) {
      out += "...";
      break;
    }
    const bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    if (control && (out.empty() || out.back() == ' ')) continue;  // also collapses "\r\n"
    out += control ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct ErrorEntry {
  std::string title;
  std::string detail;
  std::string code;
};

error_code readText(od::value& v, std::string& out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return e;
    out = clean(s);
  } else if (type == od::json_type::number) {
    out = clean(v.raw_json_token());  // codes are integers; keep their digits verbatim
  }
  return SUCCESS;
}

error_code readEntries(od::document& doc, std::vector<ErrorEntry>& entries) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  for (auto f : root) {
    od::field field;
    if (auto e = std::move(f).get(field)) return e;
    if (!field.key().unsafe_is_equal("errors")) continue;
    od::json_type type;
    if (auto e = field.value().type().get(type)) return e;
    if (type != od::json_type::array) continue;
    od::array list;
    if (auto e = field.value().get_array().get(list)) return e;
    for (auto item : list) {
      od::value entry;
      if (auto e = std::move(item).get(entry)) return e;
      if (auto e = entry.type().get(type)) return e;
      if (type != od::json_type::object) continue;
      od::object fields;
      if (auto e = entry.get_object().get(fields)) return e;
      ErrorEntry out;
      for (auto ef : fields) {
        od::field ff;
        if (auto e = std::move(ef).get(ff)) return e;
        const auto key = ff.key();
        error_code e = SUCCESS;
        if (key.unsafe_is_equal("title")) e = readText(ff.value(), out.title);
        else if (key.unsafe_is_equal("detail")) e = readText(ff.value(), out.detail);
        else if (key.unsafe_is_equal("code")) e = readText(ff.value(), out.code);
        if (e) return e;
      }
      if (!out.title.empty() || !out.detail.empty() || !out.code.empty()) entries.push_back(std::move(out));
    }
  }
  return SUCCESS;
}

}  // namespace

std::string describeErrorBody(std::string_view body) {
  if (body.empty() || body.size() > kMaxBodyToParse) return {};
  const simdjson::padded_string padded(body);
  od::parser parser;
  od::document doc;
  if (parser.iterate(padded).get(doc)) return {};
  std::vector<ErrorEntry> entries;
  // A broken envelope still yields the entries read before the break.
  (void)readEntries(doc, entries);

  std::string out;
  for (std::size_t i = 0; i < entries.size() && i < kMaxErrors; ++i) {
    const auto& entry = entries[i];
    if (!out.empty()) out += "; ";
    std::string text = !entry.title.empty() ? entry.title : entry.detail;
    if (text.empty()) text = "error";
    out += text;
    if (!entry.code.empty()) out += " (code " + entry.code + ")";
    if (!entry.title.empty() && !entry.detail.empty() && entry.detail != entry.title) out += ": " + entry.detail;
  }
  if (entries.size() > kMaxErrors) out += "; and " + std::to_string(entries.size() - kMaxErrors) + " more";
  return out;
}

}  // namespace postured::integrations::sentinelone
