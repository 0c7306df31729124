#include "app/client_commands.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "app/answers.h"
#include "app/table.h"
#include "core/time.h"

namespace postured::app {

using Json = nlohmann::json;

namespace {

constexpr const char* kTailnetPath = "/api/v2/tailnet/-";

// Keeps table cells readable; --json has the full values.
std::string abbreviated(std::string text, std::size_t limit = 60) {
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text;
}

void printDevices(const Json& devices) {
  Table t({"ID", "HOSTNAME", "OWNER", "ADDRESSES", "OS", "LAST SEEN"});
  for (const auto& d : devices)
    t.add({fieldText(d, "id"), fieldText(d, "hostname"),
           d.contains("tags") ? joinedText(d["tags"]) : fieldText(d, "user"), joinedText(d["addresses"]),
           fieldText(d, "os"), fieldText(d, "lastSeen")});
  t.print(std::cout);
}

// Reads a VALUE argument: --type decides, else true/false are booleans,
// integers are numbers and anything else is a string.
core::Result<Json> parseValueArgument(const std::string& value, const std::string& type) {
  if (type == "string") return Json(value);
  if (type == "bool" || (type.empty() && (value == "true" || value == "false"))) {
    if (value == "true") return Json(true);
    if (value == "false") return Json(false);
    return core::fail(core::ErrorKind::kInvalidArgument, "--type bool needs true or false");
  }
  char* end = nullptr;
  const long long n = std::strtoll(value.c_str(), &end, 10);
  const bool integer = !value.empty() && *end == '\0';
  if (type == "number" && !integer)
    return core::fail(core::ErrorKind::kInvalidArgument, "--type number needs an integer");
  if (integer && (type == "number" || type.empty())) return Json(n);
  return Json(value);
}

}  // namespace

void addDeviceCommands(CLI::App& app, CommandSink sink) {
  auto* group = app.add_subcommand("devices", "List, show, import and delete devices");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "List the tailnet's devices");
  list->callback([sink] {
    sink([](ApiClient& c, const ClientSettings& s) {
      return printAnswer(c.call("GET", std::string(kTailnetPath) + "/devices"), s,
                         [](const Json& a) { printDevices(a["devices"]); });
    });
  });

  auto* get = group->add_subcommand("get", "Show one device with its identity and posture attributes");
  auto getId = std::make_shared<std::string>();
  get->add_option("id", *getId, "device id")->required();
  get->callback([sink, getId] {
    sink([getId](ApiClient& c, const ClientSettings& s) {
      auto r = c.call("GET", "/api/v2/device/" + urlEncode(*getId) + "?fields=all");
      if (!r) return reportFailure(r);
      if (s.json) {
        std::cout << r->dump(2) << "\n";
        return 0;
      }
      const auto& d = *r;
      Table t({"FIELD", "VALUE"});
      t.add({"id", fieldText(d, "id")});
      t.add({"name", fieldText(d, "name")});
      t.add({"owner", d.contains("tags") ? joinedText(d["tags"]) : fieldText(d, "user")});
      t.add({"addresses", joinedText(d["addresses"])});
      t.add({"os", fieldText(d, "os") + " " + fieldText(d, "osVersion")});
      t.add({"clientVersion", fieldText(d, "clientVersion")});
      t.add({"created", fieldText(d, "created")});
      t.add({"lastSeen", fieldText(d, "lastSeen")});
      t.add({"serialNumbers", joinedText(d["postureIdentity"].value("serialNumbers", Json::array()))});
      t.add({"macAddresses", joinedText(d["macAddresses"])});
      for (const auto& [k, v] : d["postureAttributes"].items())
        t.add({k, v.is_string() ? v.get<std::string>() : v.dump()});
      t.print(std::cout);
      return 0;
    });
  });

  auto* add = group->add_subcommand("add", "Import devices: one from flags, or many from --file");
  struct AddArgs {
    std::string file, hostname, user, os, osVersion, clientVersion;
    std::vector<std::string> tags, addresses, serials, macs;
  };
  auto a = std::make_shared<AddArgs>();
  add->add_option("--file", a->file, "JSON file {\"devices\": [...]} to import in one all-or-nothing request");
  add->add_option("--hostname", a->hostname, "host name");
  add->add_option("--user", a->user, "owner's login, e.g. alice@example.com");
  add->add_option("--tag", a->tags, "tag such as tag:server (repeatable; instead of --user)");
  add->add_option("--address", a->addresses, "IPv4 or IPv6 address to use instead of an allocated one");
  add->add_option("--os", a->os, "operating system, e.g. linux");
  add->add_option("--os-version", a->osVersion, "OS version");
  add->add_option("--client-version", a->clientVersion, "client version");
  add->add_option("--serial", a->serials, "hardware serial number (repeatable)");
  add->add_option("--mac", a->macs, "MAC address (repeatable)");
  add->callback([sink, a] {
    sink([a](ApiClient& c, const ClientSettings& s) {
      Json body;
      if (!a->file.empty()) {
        std::ifstream in(a->file);
        if (!in) {
          std::cerr << "postured: cannot read " << a->file << "\n";
          return 2;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        body = Json::parse(ss.str(), nullptr, false);
        if (body.is_discarded()) {
          std::cerr << "postured: " << a->file << " is not valid JSON\n";
          return 2;
        }
      } else {
        if (a->hostname.empty()) {
          std::cerr << "postured: give --hostname (and --user or --tag), or --file\n";
          return 2;
        }
        Json d = {{"hostname", a->hostname}};
        if (!a->user.empty()) d["user"] = a->user;
        if (!a->tags.empty()) d["tags"] = a->tags;
        if (!a->addresses.empty()) d["addresses"] = a->addresses;
        if (!a->os.empty()) d["os"] = a->os;
        if (!a->osVersion.empty()) d["osVersion"] = a->osVersion;
        if (!a->clientVersion.empty()) d["clientVersion"] = a->clientVersion;
        if (!a->serials.empty()) d["serialNumbers"] = a->serials;
        if (!a->macs.empty()) d["macAddresses"] = a->macs;
        body = {{"devices", Json::array({d})}};
      }
      return printAnswer(c.call("POST", std::string(kTailnetPath) + "/devices", body), s,
                         [](const Json& a) { printDevices(a["devices"]); });
    });
  });

  auto* del = group->add_subcommand("delete", "Delete a device and its attributes");
  auto delId = std::make_shared<std::string>();
  del->add_option("id", *delId, "device id")->required();
  del->callback([sink, delId] {
    sink([delId](ApiClient& c, const ClientSettings&) {
      auto r = c.call("DELETE", "/api/v2/device/" + urlEncode(*delId));
      if (!r) return reportFailure(r);
      std::cout << "deleted " << *delId << "\n";
      return 0;
    });
  });
}

void addAttributeCommands(CLI::App& app, CommandSink sink) {
  auto* group = app.add_subcommand("attrs", "Read and write a device's posture attributes");
  group->require_subcommand(1);

  auto printAttributes = [](const Json& r, const ClientSettings& s) {
    if (s.json) {
      std::cout << r.dump(2) << "\n";
      return;
    }
    Table t({"KEY", "VALUE", "EXPIRES"});
    for (const auto& [k, v] : r["attributes"].items())
      t.add({k, v.is_string() ? v.get<std::string>() : v.dump(),
             r["expiries"].contains(k) ? r["expiries"][k].get<std::string>() : "-"});
    t.print(std::cout);
  };

  auto* get = group->add_subcommand("get", "Show a device's attributes");
  auto getId = std::make_shared<std::string>();
  get->add_option("id", *getId, "device id")->required();
  get->callback([sink, getId, printAttributes] {
    sink([getId, printAttributes](ApiClient& c, const ClientSettings& s) {
      auto r = c.call("GET", "/api/v2/device/" + urlEncode(*getId) + "/attributes");
      if (!r) return reportFailure(r);
      printAttributes(*r, s);
      return 0;
    });
  });

  auto* set = group->add_subcommand("set", "Set a custom: attribute");
  struct SetArgs {
    std::string id, key, value, type, expiry, expiresIn, comment;
  };
  auto a = std::make_shared<SetArgs>();
  set->add_option("id", a->id, "device id")->required();
  set->add_option("key", a->key, "attribute key, e.g. custom:tier")->required();
  set->add_option("value", a->value, "value: true/false, an integer, or a string")->required();
  set->add_option("--type", a->type, "force the value's type")->check(CLI::IsMember({"string", "number", "bool"}));
  set->add_option("--expiry", a->expiry, "RFC 3339 time after which the attribute is removed");
  set->add_option("--expires-in", a->expiresIn, "duration after which the attribute is removed, e.g. 12h");
  set->add_option("--comment", a->comment, "reason, recorded in the audit log");
  set->callback([sink, a, printAttributes] {
    sink([a, printAttributes](ApiClient& c, const ClientSettings& s) {
      auto value = parseValueArgument(a->value, a->type);
      if (!value) {
        std::cerr << "postured: " << value.error().message << "\n";
        return 2;
      }
      Json body = {{"value", *value}};
      if (!a->expiry.empty()) body["expiry"] = a->expiry;
      if (!a->expiresIn.empty()) {
        auto d = core::parseDuration(a->expiresIn);
        if (!d) {
          std::cerr << "postured: --expires-in needs a duration such as 30m or 12h\n";
          return 2;
        }
        body["expiry"] = core::formatRfc3339(core::SystemClock().now() + *d);
      }
      if (!a->comment.empty()) body["comment"] = a->comment;
      auto r = c.call("POST", "/api/v2/device/" + urlEncode(a->id) + "/attributes/" + urlEncode(a->key), body);
      if (!r) return reportFailure(r);
      printAttributes(*r, s);
      return 0;
    });
  });

  auto* del = group->add_subcommand("delete", "Delete a custom: attribute");
  auto d = std::make_shared<std::pair<std::string, std::string>>();
  del->add_option("id", d->first, "device id")->required();
  del->add_option("key", d->second, "attribute key")->required();
  del->callback([sink, d, printAttributes] {
    sink([d, printAttributes](ApiClient& c, const ClientSettings& s) {
      auto r = c.call("DELETE", "/api/v2/device/" + urlEncode(d->first) + "/attributes/" + urlEncode(d->second));
      if (!r) return reportFailure(r);
      printAttributes(*r, s);
      return 0;
    });
  });
}

namespace {

// POST /keys with the description and lifetime the user gave; prints the secret once.
int createKey(ApiClient& c, const ClientSettings& s, Json body, const std::string& description,
              const std::string& expiresIn) {
  if (!description.empty()) body["description"] = description;
  if (!expiresIn.empty()) {
    auto d = core::parseDuration(expiresIn);
    if (!d || d->count() < 1000) {
      std::cerr << "postured: --expires-in needs a duration such as 30d\n";
      return 2;
    }
    body["expirySeconds"] = d->count() / 1000;
  }
  auto r = c.call("POST", std::string(kTailnetPath) + "/keys", body);
  if (!r) return reportFailure(r);
  if (s.json)
    std::cout << r->dump(2) << "\n";
  else
    std::cout << "created " << (fieldText(*r, "keyType") == "auth" ? "auth key " : "key ") << fieldText(*r, "id") << " (expires "
              << fieldText(*r, "expires") << "); its secret is shown only now:\n"
              << fieldText(*r, "key") << "\n";
  return 0;
}

}  // namespace

void addKeyCommands(CLI::App& app, CommandSink sink) {
  auto* group = app.add_subcommand("keys", "Create, list and revoke API keys and auth keys");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "List active keys (never their secrets)");
  list->callback([sink] {
    sink([](ApiClient& c, const ClientSettings& s) {
      auto r = c.call("GET", std::string(kTailnetPath) + "/keys");
      if (!r) return reportFailure(r);
      if (s.json) {
        std::cout << r->dump(2) << "\n";
        return 0;
      }
      Table t({"ID", "TYPE", "DESCRIPTION", "GRANTS", "CREATED", "EXPIRES"});
      for (const auto& k : (*r)["keys"]) {
        std::string grants;
        if (k.contains("capabilities")) {
          const auto& c = k["capabilities"]["devices"]["create"];
          grants = c.contains("tags") ? joinedText(c["tags"]) : fieldText(c, "user");
          for (const char* flag : {"reusable", "ephemeral", "preauthorized"})
            if (c.value(flag, false)) grants += std::string(" ") + flag;
          if (k.value("invalid", false)) grants += " (spent)";
        } else {
          grants = joinedText(k["scopes"]);
        }
        t.add({fieldText(k, "id"), fieldText(k, "keyType"), fieldText(k, "description"), grants,
               fieldText(k, "created"), fieldText(k, "expires")});
      }
      t.print(std::cout);
      return 0;
    });
  });

  auto* create = group->add_subcommand("create", "Create an API key; its secret is printed once");
  struct CreateArgs {
    std::vector<std::string> scopes;
    std::string description, expiresIn;
  };
  auto a = std::make_shared<CreateArgs>();
  create->add_option("--scope", a->scopes, "scope such as devices:core:read (repeatable)")->required();
  create->add_option("--description", a->description, "what the key is for");
  create->add_option("--expires-in", a->expiresIn, "lifetime such as 30d (default 90d)");
  create->callback([sink, a] {
    sink([a](ApiClient& c, const ClientSettings& s) {
      Json body = {{"keyType", "api"}, {"scopes", a->scopes}};
      return createKey(c, s, std::move(body), a->description, a->expiresIn);
    });
  });

  auto* createAuth =
      group->add_subcommand("create-auth", "Create an auth key for `postured enroll`; its secret is printed once");
  struct AuthArgs {
    std::vector<std::string> tags;
    std::string user, description, expiresIn;
    bool reusable = false, ephemeral = false, preauthorized = false;
  };
  auto auth = std::make_shared<AuthArgs>();
  auto* tagsOption =
      createAuth->add_option("--tags", auth->tags, "tags its devices get, such as tag:server (comma-separated)")
          ->delimiter(',');
  createAuth->add_option("--user", auth->user, "or the login that owns its devices")->excludes(tagsOption);
  createAuth->add_flag("--reusable", auth->reusable, "may enroll any number of devices (else once)");
  createAuth->add_flag("--ephemeral", auth->ephemeral, "its devices are removed once they stop reporting");
  createAuth->add_flag("--preauthorized", auth->preauthorized, "its devices need no approval");
  createAuth->add_option("--description", auth->description, "what the key is for");
  createAuth->add_option("--expires-in", auth->expiresIn, "lifetime such as 1d (default 90d)");
  createAuth->callback([sink, auth] {
    sink([auth](ApiClient& c, const ClientSettings& s) {
      Json create = {
          {"reusable", auth->reusable}, {"ephemeral", auth->ephemeral}, {"preauthorized", auth->preauthorized}};
      if (!auth->tags.empty()) create["tags"] = auth->tags;
      if (!auth->user.empty()) create["user"] = auth->user;
      Json body = {{"keyType", "auth"}, {"capabilities", {{"devices", {{"create", std::move(create)}}}}}};
      return createKey(c, s, std::move(body), auth->description, auth->expiresIn);
    });
  });

  auto* revoke = group->add_subcommand("revoke", "Revoke a key");
  auto id = std::make_shared<std::string>();
  revoke->add_option("id", *id, "key id")->required();
  revoke->callback([sink, id] {
    sink([id](ApiClient& c, const ClientSettings&) {
      auto r = c.call("DELETE", std::string(kTailnetPath) + "/keys/" + urlEncode(*id));
      if (!r) return reportFailure(r);
      std::cout << "revoked " << *id << "\n";
      return 0;
    });
  });
}

void addSettingsCommands(CLI::App& app, CommandSink sink) {
  auto* group = app.add_subcommand("settings", "Show or change the tailnet's settings");
  auto collection = std::make_shared<std::string>();
  group
      ->add_option("--identity-collection", *collection,
                   "on or off: keep the serial numbers and MAC addresses devices report")
      ->check(CLI::IsMember({"on", "off"}));
  group->callback([sink, collection] {
    sink([collection](ApiClient& c, const ClientSettings& s) {
      const std::string path = std::string(kTailnetPath) + "/settings";
      auto r = collection->empty() ? c.call("GET", path)
                                   : c.call("PATCH", path, Json{{"postureIdentityCollectionOn", *collection == "on"}});
      if (!r) return reportFailure(r);
      if (s.json)
        std::cout << r->dump(2) << "\n";
      else
        std::cout << "device identity collection: " << ((*r)["postureIdentityCollectionOn"].get<bool>() ? "on" : "off")
                  << "\n";
      return 0;
    });
  });
}

void addAuditCommand(CLI::App& app, CommandSink sink) {
  auto* audit = app.add_subcommand("audit", "Show the configuration audit log");
  struct AuditArgs {
    std::string since = "24h", actor, target, event;
  };
  auto a = std::make_shared<AuditArgs>();
  audit->add_option("--since", a->since, "how far back, e.g. 1h or 7d (default 24h)");
  audit->add_option("--actor", a->actor, "only events by this actor id or login");
  audit->add_option("--target", a->target, "only events on this target id or name");
  audit->add_option("--event", a->event, "only this action (CREATE, UPDATE, DELETE) or property (ATTRIBUTES)");
  audit->callback([sink, a] {
    sink([a](ApiClient& c, const ClientSettings& s) {
      auto since = core::parseDuration(a->since);
      if (!since) {
        std::cerr << "postured: --since needs a duration such as 1h or 7d\n";
        return 2;
      }
      std::string path = std::string(kTailnetPath) + "/logging/configuration?start=" +
                         urlEncode(core::formatRfc3339(core::SystemClock().now() - *since));
      if (!a->actor.empty()) path += "&actor=" + urlEncode(a->actor);
      if (!a->target.empty()) path += "&target=" + urlEncode(a->target);
      if (!a->event.empty()) path += "&event=" + urlEncode(a->event);
      auto r = c.call("GET", path);
      if (!r) return reportFailure(r);
      if (s.json) {
        std::cout << r->dump(2) << "\n";
        return 0;
      }
      Table t({"TIME", "ACTOR", "ACTION", "TARGET", "PROPERTY", "OLD", "NEW", "DETAILS"});
      for (const auto& e : (*r)["logs"])
        t.add({fieldText(e, "eventTime"), fieldText(e["actor"], "displayName"), fieldText(e, "action"),
               fieldText(e["target"], "type") + " " + fieldText(e["target"], "name"),
               fieldText(e["target"], "property"), e.contains("old") ? abbreviated(e["old"].dump()) : "-",
               e.contains("new") ? abbreviated(e["new"].dump()) : "-", fieldText(e, "actionDetails")});
      t.print(std::cout);
      return 0;
    });
  });
}

}  // namespace postured::app
