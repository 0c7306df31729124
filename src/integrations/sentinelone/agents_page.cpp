#include "integrations/sentinelone/agents_page.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>
#include <utility>

#include "core/hardware_address.h"
#include "core/text.h"
#include "core/time.h"
#include "integrations/sentinelone/attributes.h"

namespace postured::integrations::sentinelone {

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Refills a list of a reused host in place, so that its strings keep their
// buffers: pages after the first then cost no allocations. The list has
// what was added when the filler goes.
class ListFiller {
 public:
  explicit ListFiller(std::vector<std::string>& list) : list_(list) {}
  ~ListFiller() { list_.resize(used_); }
  ListFiller(const ListFiller&) = delete;
  ListFiller& operator=(const ListFiller&) = delete;

  std::string& add() {
    if (used_ == list_.size()) list_.emplace_back();
    return list_[used_++];
  }
  void dropLast() { --used_; }
  void clear() { used_ = 0; }
  bool holds(std::string_view s, std::size_t before) const {  // among the first `before` added
    return std::find(list_.begin(), list_.begin() + static_cast<std::ptrdiff_t>(before), s) !=
           list_.begin() + static_cast<std::ptrdiff_t>(before);
  }
  std::size_t size() const { return used_; }

 private:
  std::vector<std::string>& list_;
  std::size_t used_ = 0;
};

// What one agent reports, before it becomes a ProviderHost. Unset means not
// reported (null, missing or of a type we cannot read).
struct AgentFields {
  explicit AgentFields(ProviderHost& host) : serials(host.serialNumbers), macs(host.macAddresses) {}
  ListFiller serials;
  ListFiller macs;
  std::optional<bool> isActive;
  std::optional<std::string> agentVersion;
  std::optional<double> activeThreats;
  std::optional<bool> infected;
  std::optional<bool> firewallEnabled;
  std::optional<bool> encryptedApplications;
  std::optional<std::string> operationalState;
  std::optional<bool> isDecommissioned;
  std::optional<bool> isUninstalled;
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The readers below leave `out` unset for a value of another type; only a
// broken document is an error. They check the type before reading, because
// On-Demand skips a value nobody read but fails one read as the wrong type.

// A boolean, or "true"/"false" in any case as a string. Looks at the token as
// it stands rather than through get_bool()/get_string(): a third of the
// fields we read are booleans, and this is measurably cheaper.
error_code readBool(od::value& v, std::optional<bool>& out) {
  std::string_view token = v.raw_json_token();
  while (!token.empty() && isSpace(token.back())) token.remove_suffix(1);
  if (token == "true") {
    out = true;
  } else if (token == "false") {
    out = false;
  } else if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
    // Some consoles (and the demisto recordings) send "True"/"False".
    const auto text = token.substr(1, token.size() - 2);
    if (core::equalsIgnoreCase(text, "true")) out = true;
    if (core::equalsIgnoreCase(text, "false")) out = false;
  }
  return SUCCESS;
}

error_code readStringView(od::value& v, std::optional<std::string_view>& out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::string) return SUCCESS;
  std::string_view s;
  if (auto e = v.get_string().get(s)) return e;
  out = s;
  return SUCCESS;
}

error_code readString(od::value& v, std::optional<std::string>& out) {
  std::optional<std::string_view> s;
  if (auto e = readStringView(v, s)) return e;
  if (s) out.emplace(*s);
  return SUCCESS;
}

// A count: a non-negative JSON number, or the same as a numeric string.
error_code readCount(od::value& v, std::optional<double>& out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  double d = 0;
  if (type == od::json_type::number) {
    if (auto e = v.get_double().get(d)) return e;
  } else if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return e;
    s = trim(s);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return SUCCESS;
  } else {
    return SUCCESS;
  }
  if (std::isfinite(d) && d >= 0) out = d + 0.0;  // + 0.0 turns -0 into 0
  return SUCCESS;
}

// Ids are 18-19 digit strings, beyond a double's precision: never parse
// them. A bare number is kept as its literal text.
error_code readId(od::value& v, std::string& out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return e;
    out.assign(s);
  } else if (type == od::json_type::number) {
    out.assign(trim(v.raw_json_token()));
  }
  return SUCCESS;
}

error_code readSerial(od::value& v, ListFiller& out) {
  std::optional<std::string_view> s;
  if (auto e = readStringView(v, s)) return e;
  out.clear();  // a repeated key: the last one counts, as for the other fields
  if (s) {
    const auto serial = trim(*s);
    if (!serial.empty()) out.add().assign(serial);
  }
  return SUCCESS;
}

error_code readLastActive(od::value& v, std::optional<core::Timestamp>& out) {
  std::optional<std::string_view> s;
  if (auto e = readStringView(v, s)) return e;
  if (s) out = core::parseRfc3339(*s);
  return SUCCESS;
}

// networkInterfaces: [{"physical": "aa:bb:..", ...}, ...]. Interfaces often
// share a MAC (bridges, VLANs); each address is kept once.
error_code readMacAddresses(od::value& v, ListFiller& out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::array) return SUCCESS;
  od::array interfaces;
  if (auto e = v.get_array().get(interfaces)) return e;
  out.clear();  // a repeated key: the last one counts, as for the other fields
  for (auto item : interfaces) {
    od::value nic;
    if (auto e = std::move(item).get(nic)) return e;
    if (auto e = nic.type().get(type)) return e;
    if (type != od::json_type::object) continue;
    od::object fields;
    if (auto e = nic.get_object().get(fields)) return e;
    for (auto f : fields) {
      od::field field;
      if (auto e = std::move(f).get(field)) return e;
      if (!field.key().unsafe_is_equal("physical")) continue;
      std::optional<std::string_view> text;
      if (auto e = readStringView(field.value(), text)) return e;
      if (!text) continue;
      auto& mac = out.add();
      if (!core::normaliseHardwareAddressInto(trim(*text), mac) || out.holds(mac, out.size() - 1)) out.dropLast();
    }
  }
  return SUCCESS;
}

// Dispatches on the key's first character, then compares whole keys:
// agents carry ~80 fields, of which we read a dozen.
error_code readAgentField(od::field& field, ProviderHost& host, AgentFields& f) {
  const od::raw_json_string key = field.key();
  od::value& v = field.value();
  switch (key.raw()[0]) {
    case 'i':
      if (key.unsafe_is_equal("id")) return readId(v, host.providerId);
      if (key.unsafe_is_equal("isActive")) return readBool(v, f.isActive);
      if (key.unsafe_is_equal("infected")) return readBool(v, f.infected);
      if (key.unsafe_is_equal("isDecommissioned")) return readBool(v, f.isDecommissioned);
      if (key.unsafe_is_equal("isUninstalled")) return readBool(v, f.isUninstalled);
      break;
    case 'a':
      if (key.unsafe_is_equal("agentVersion")) return readString(v, f.agentVersion);
      if (key.unsafe_is_equal("activeThreats")) return readCount(v, f.activeThreats);
      break;
    case 'c':
      if (key.unsafe_is_equal("computerName")) {
        std::optional<std::string_view> name;
        if (auto e = readStringView(v, name)) return e;
        host.name.assign(name.value_or(std::string_view{}));
      }
      break;
    case 'e':
      if (key.unsafe_is_equal("encryptedApplications")) return readBool(v, f.encryptedApplications);
      break;
    case 'f':
      if (key.unsafe_is_equal("firewallEnabled")) return readBool(v, f.firewallEnabled);
      break;
    case 'l':
      if (key.unsafe_is_equal("lastActiveDate")) return readLastActive(v, host.lastActive);
      break;
    case 'n':
      if (key.unsafe_is_equal("networkInterfaces")) return readMacAddresses(v, f.macs);
      break;
    case 'o':
      if (key.unsafe_is_equal("operationalState")) return readString(v, f.operationalState);
      break;
    case 's':
      if (key.unsafe_is_equal("serialNumber")) return readSerial(v, f.serials);
      break;
    default:
      break;
  }
  return SUCCESS;
}

void addAttributes(AgentFields& f, ProviderHost& host) {
  // Interned once: interning takes a lock, and this runs for every agent.
  static const core::AttributeKey isActive(kIsActiveKey), agentVersion(kAgentVersionKey),
      activeThreats(kActiveThreatsKey), infected(kInfectedKey), firewallEnabled(kFirewallEnabledKey),
      encryptedApplications(kEncryptedApplicationsKey), operationalState(kOperationalStateKey);
  auto& out = host.attributes;
  out.reserve(7);
  const auto add = [&](const core::AttributeKey& key, auto&& value) {
    auto& a = out.emplace_back();
    a.key = key;
    a.value = core::AttributeValue(std::forward<decltype(value)>(value));
  };
  // In attributeSpecs() order, so that hosts compare and print predictably.
  if (f.isActive) add(isActive, *f.isActive);
  if (f.agentVersion) add(agentVersion, std::move(*f.agentVersion));
  if (f.activeThreats) add(activeThreats, *f.activeThreats);
  if (f.infected) add(infected, *f.infected);
  if (f.firewallEnabled) add(firewallEnabled, *f.firewallEnabled);
  if (f.encryptedApplications) add(encryptedApplications, *f.encryptedApplications);
  if (f.operationalState) add(operationalState, std::move(*f.operationalState));
  host.matchable = !f.isDecommissioned.value_or(false) && !f.isUninstalled.value_or(false);
}

std::string_view typeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "unknown";
}

// Walks one page; on failure, `problem_` says what was wrong, or a simdjson
// error code is returned for broken JSON.
class PageWalker {
 public:
  PageWalker(AgentsPage& page, const AgentsPageParser::CursorListener& onCursor) : page_(page), onCursor_(onCursor) {}

  error_code walk(od::document& doc) {
    od::json_type type;
    if (auto e = doc.type().get(type)) return e;
    if (type != od::json_type::object) return problem("it is " + std::string(typeName(type)) + ", not an object");
    od::object root;
    if (auto e = doc.get_object().get(root)) return e;
    bool sawData = false;
    bool sawPagination = false;
    for (auto f : root) {
      od::field field;
      if (auto e = std::move(f).get(field)) return e;
      const auto key = field.key();
      if (key.unsafe_is_equal("data")) {
        sawData = true;
        if (auto e = walkData(field.value())) return e;
      } else if (key.unsafe_is_equal("pagination")) {
        // Twice would leave two cursors to choose from, and the first may already be in use.
        if (sawPagination) return problem("\"pagination\" appears twice");
        sawPagination = true;
        if (auto e = walkPagination(field.value())) return e;
        if (onCursor_) onCursor_(page_.nextCursor);
      }
    }
    if (!sawData) return problem("\"data\" is missing");
    if (!sawPagination) return problem("\"pagination\" is missing");
    // Past the root object, a location still inside the buffer means more text follows.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == SUCCESS) return simdjson::TRAILING_CONTENT;
    return SUCCESS;
  }

  const std::string& problemText() const { return problem_; }

 private:
  error_code problem(std::string text) {
    problem_ = std::move(text);
    return simdjson::INCORRECT_TYPE;
  }

  error_code walkData(od::value& v) {
    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    if (type != od::json_type::array) return problem("\"data\" is " + std::string(typeName(type)) + ", not an array");
    od::array agents;
    if (auto e = v.get_array().get(agents)) return e;
    std::size_t index = 0;
    for (auto item : agents) {
      od::value agent;
      if (auto e = std::move(item).get(agent)) return e;
      if (auto e = agent.type().get(type)) return e;
      if (type != od::json_type::object)
        return problem("data[" + std::to_string(index) + "] is " + std::string(typeName(type)) +
                       ", not an agent object");
      od::object fields;
      if (auto e = agent.get_object().get(fields)) return e;
      if (index == page_.hosts.size()) page_.hosts.emplace_back();
      ProviderHost& host = page_.hosts[index];
      host.providerId.clear();
      host.name.clear();
      host.lastActive.reset();
      host.attributes.clear();
      AgentFields values(host);  // refills the lists, and addAttributes sets `matchable`
      for (auto f : fields) {
        od::field field;
        if (auto e = std::move(f).get(field)) return e;
        if (auto e = readAgentField(field, host, values)) return e;
      }
      addAttributes(values, host);
      ++index;
    }
    page_.hosts.resize(index);
    return SUCCESS;
  }

  error_code walkPagination(od::value& v) {
    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    if (type != od::json_type::object)
      return problem("\"pagination\" is " + std::string(typeName(type)) + ", not an object");
    od::object fields;
    if (auto e = v.get_object().get(fields)) return e;
    bool sawCursor = false;
    for (auto f : fields) {
      od::field field;
      if (auto e = std::move(f).get(field)) return e;
      if (!field.key().unsafe_is_equal("nextCursor")) continue;
      sawCursor = true;
      od::value& cursor = field.value();
      if (auto e = cursor.type().get(type)) return e;
      if (type == od::json_type::null) {
        page_.nextCursor.reset();
      } else if (type == od::json_type::string) {
        std::string_view s;
        if (auto e = cursor.get_string().get(s)) return e;
        // An empty cursor would restart the listing from the first page.
        if (s.empty()) return problem("\"pagination.nextCursor\" is an empty string");
        page_.nextCursor.emplace(s);
      } else {
        return problem("\"pagination.nextCursor\" is " + std::string(typeName(type)) + ", not a string or null");
      }
    }
    // Treating a missing cursor as the last page could silently drop agents.
    if (!sawCursor) return problem("\"pagination.nextCursor\" is missing");
    return SUCCESS;
  }

  AgentsPage& page_;
  const AgentsPageParser::CursorListener& onCursor_;
  std::string problem_;
};

}  // namespace

struct AgentsPageParser::Impl {
  od::parser parser;
  od::document doc;               // the page index() indexed, for walk()
  const char* indexed = nullptr;  // that page's text
};

AgentsPageParser::AgentsPageParser() : impl_(std::make_unique<Impl>()) {}
AgentsPageParser::~AgentsPageParser() = default;

namespace {

// simdjson reads up to SIMDJSON_PADDING bytes past the end. The body usually
// has that room already (HttpClient pads it); reserving copies otherwise.
void pad(std::string& body) {
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
}

}  // namespace

core::Result<AgentsPage> AgentsPageParser::parse(std::string& body) {
  AgentsPage page;
  if (auto ok = parse(body, page); !ok) return tl::unexpected(ok.error());
  return page;
}

core::Result<void> AgentsPageParser::parse(std::string& body, AgentsPage& page, const CursorListener& onCursor) {
  if (auto ok = index(body); !ok) return ok;
  return walk(body, page, onCursor);
}

namespace {
tl::unexpected<core::Error> invalid(std::string message) {
  return core::fail(core::ErrorKind::kInvalidArgument, std::move(message));
}
}  // namespace

core::Result<void> AgentsPageParser::index(std::string& body) {
  impl_->indexed = nullptr;
  pad(body);
  if (trim(body).empty()) return invalid("the body is empty");
  if (const auto e = impl_->parser.iterate(body.data(), body.size(), body.capacity()).get(impl_->doc); e)
    return invalid(std::string("invalid JSON: ") + simdjson::error_message(e));
  impl_->indexed = body.data();
  return {};
}

core::Result<void> AgentsPageParser::walk(const std::string& body, AgentsPage& page, const CursorListener& onCursor) {
  if (impl_->indexed != body.data()) return invalid("the body was not indexed");  // a caller's mistake, not the page's
  impl_->indexed = nullptr;                                                       // a document is walked once
  auto& doc = impl_->doc;
  page.nextCursor.reset();
  PageWalker walker(page, onCursor);
  const auto e = walker.walk(doc);
  if (!e) return {};
  if (!walker.problemText().empty()) return invalid(walker.problemText());
  if (e == simdjson::TRAILING_CONTENT) return invalid("invalid JSON: unexpected text after the top-level object");
  std::string where;
  const char* at = nullptr;
  if (doc.current_location().get(at) == SUCCESS && at != nullptr)
    where = " near byte " + std::to_string(at - body.data());
  return invalid("invalid JSON" + where + ": " + simdjson::error_message(e));
}

}  // namespace postured::integrations::sentinelone
