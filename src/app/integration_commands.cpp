// `postured integrations list|get|add|update|remove|sync|runs`. The provider
// token is read from a file, an environment variable or stdin, never taken as
// a plain argument (it would end up in shell history and `ps`).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/answers.h"
#include "app/client_commands.h"
#include "app/table.h"

namespace postured::app {

using Json = nlohmann::json;

namespace {

struct TokenSource {
  std::string file;
  std::string env;
  bool stdinRequested = false;
};

// Returns the token, "" when no source was given, or an error message.
core::Result<std::string> readToken(const TokenSource& source, bool stdinByDefault) {
  auto trimmed = [](std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
  };
  if (!source.file.empty()) {
    std::ifstream in(source.file);
    if (!in) return core::fail(core::ErrorKind::kInvalidArgument, "cannot read the token file " + source.file);
    std::stringstream ss;
    ss << in.rdbuf();
    return trimmed(ss.str());
  }
  if (!source.env.empty()) {
    const char* v = std::getenv(source.env.c_str());
    if (!v || !*v)
      return core::fail(core::ErrorKind::kInvalidArgument, "environment variable " + source.env + " is not set");
    return trimmed(v);
  }
  if (source.stdinRequested || stdinByDefault) {
    std::string line;
    std::getline(std::cin, line);
    return trimmed(line);
  }
  return std::string();
}

void addTokenOptions(CLI::App* cmd, TokenSource& source, bool withStdinFlag) {
  cmd->add_option("--token-file", source.file, "file holding the provider's API token");
  cmd->add_option("--token-env", source.env, "environment variable holding the provider's API token");
  if (withStdinFlag) cmd->add_flag("--token-stdin", source.stdinRequested, "read the new API token from stdin");
}

void printIntegrations(const Json& list) {
  Table t({"ID", "PROVIDER", "URL", "LAST SYNC", "MATCHED", "HOSTS", "NEXT SYNC", "ERROR"});
  for (const auto& i : list) {
    const Json status = i.value("status", Json::object());
    t.add({fieldText(i, "id"), fieldText(i, "provider"), fieldText(i, "cloudId"), fieldText(status, "lastSync"),
           fieldText(status, "matchedCount") + "/" + fieldText(status, "possibleMatchedCount"),
           fieldText(status, "providerHostCount"), fieldText(status, "nextSync"),
           status.value("error", std::string()).empty() ? "-" : status["error"].get<std::string>()});
  }
  t.print(std::cout);
}

}  // namespace

void addIntegrationCommands(CLI::App& app, CommandSink sink) {
  auto* group = app.add_subcommand("integrations", "Connect posture providers (SentinelOne) and watch their syncs");
  group->require_subcommand(1);
  const std::string base = "/api/v2/posture/integrations/";

  auto* list = group->add_subcommand("list", "List integrations with their sync status");
  list->callback([sink] {
    sink([](ApiClient& c, const ClientSettings& s) {
      return printAnswer(c.call("GET", "/api/v2/tailnet/-/posture/integrations"), s,
                         [](const Json& a) { printIntegrations(a["integrations"]); });
    });
  });

  auto* get = group->add_subcommand("get", "Show one integration");
  auto getId = std::make_shared<std::string>();
  get->add_option("id", *getId, "integration id")->required();
  get->callback([sink, getId, base] {
    sink([getId, base](ApiClient& c, const ClientSettings& s) {
      return printAnswer(c.call("GET", base + urlEncode(*getId)), s,
                         [](const Json& a) { printIntegrations(Json::array({a})); });
    });
  });

  struct AddArgs {
    std::string provider, url, clientId, tenantId;
    TokenSource token;
  };
  auto* add = group->add_subcommand("add",
                                    "Connect a provider, e.g. add sentinelone --url https://acme.sentinelone.net "
                                    "--token-file token.txt (the token is read from stdin if no source is given)");
  auto a = std::make_shared<AddArgs>();
  add->add_option("provider", a->provider, "provider id, e.g. sentinelone")->required();
  add->add_option("--url", a->url, "the provider's console or API URL (cloudId)");
  add->add_option("--client-id", a->clientId, "client id, for providers that use one");
  add->add_option("--tenant-id", a->tenantId, "tenant id, for providers that use one");
  addTokenOptions(add, a->token, false);
  add->callback([sink, a] {
    sink([a](ApiClient& c, const ClientSettings& s) {
      auto token = readToken(a->token, true);
      if (!token || token->empty()) {
        std::cerr << "postured: "
                  << (token ? "no API token given: use --token-file, --token-env or stdin" : token.error().message)
                  << "\n";
        return 2;
      }
      Json body = {{"provider", a->provider}, {"cloudId", a->url}, {"clientSecret", *token}};
      if (!a->clientId.empty()) body["clientId"] = a->clientId;
      if (!a->tenantId.empty()) body["tenantId"] = a->tenantId;
      auto r = c.call("POST", "/api/v2/tailnet/-/posture/integrations", body);
      if (!r) return reportFailure(r);
      if (s.json)
        std::cout << r->dump(2) << "\n";
      else
        std::cout << "created integration " << fieldText(*r, "id") << "; its first sync has started\n";
      return 0;
    });
  });

  struct UpdateArgs {
    std::string id;
    std::optional<std::string> url, clientId, tenantId;
    TokenSource token;
  };
  auto* update = group->add_subcommand("update", "Change an integration's URL or token (starts a sync)");
  auto u = std::make_shared<UpdateArgs>();
  update->add_option("id", u->id, "integration id")->required();
  update->add_option("--url", u->url, "new URL (cloudId)");
  update->add_option("--client-id", u->clientId, "new client id");
  update->add_option("--tenant-id", u->tenantId, "new tenant id");
  addTokenOptions(update, u->token, true);
  update->callback([sink, u, base] {
    sink([u, base](ApiClient& c, const ClientSettings& s) {
      auto token = readToken(u->token, false);
      if (!token) {
        std::cerr << "postured: " << token.error().message << "\n";
        return 2;
      }
      Json body = Json::object();
      if (u->url) body["cloudId"] = *u->url;
      if (u->clientId) body["clientId"] = *u->clientId;
      if (u->tenantId) body["tenantId"] = *u->tenantId;
      if (!token->empty()) body["clientSecret"] = *token;
      return printAnswer(c.call("PATCH", base + urlEncode(u->id), body), s,
                         [](const Json& a) { printIntegrations(Json::array({a})); });
    });
  });

  auto* remove = group->add_subcommand("remove", "Remove an integration and its attributes from every device");
  auto removeId = std::make_shared<std::string>();
  remove->add_option("id", *removeId, "integration id")->required();
  remove->callback([sink, removeId, base] {
    sink([removeId, base](ApiClient& c, const ClientSettings&) {
      auto r = c.call("DELETE", base + urlEncode(*removeId));
      if (!r) return reportFailure(r);
      std::cout << "removed " << *removeId << "\n";
      return 0;
    });
  });

  auto* sync = group->add_subcommand("sync", "Start a sync now");
  auto syncId = std::make_shared<std::string>();
  sync->add_option("id", *syncId, "integration id")->required();
  sync->callback([sink, syncId, base] {
    sink([syncId, base](ApiClient& c, const ClientSettings& s) {
      return printAnswer(c.call("POST", base + urlEncode(*syncId) + "/sync"), s,
                         [](const Json& a) { std::cout << "started run " << fieldText(a, "runId") << "\n"; });
    });
  });

  auto* runs = group->add_subcommand("runs", "Show recent sync runs, newest first");
  auto runsId = std::make_shared<std::string>();
  runs->add_option("id", *runsId, "integration id")->required();
  runs->callback([sink, runsId, base] {
    sink([runsId, base](ApiClient& c, const ClientSettings& s) {
      auto r = c.call("GET", base + urlEncode(*runsId) + "/runs");
      if (!r) return reportFailure(r);
      if (s.json) {
        std::cout << r->dump(2) << "\n";
        return 0;
      }
      Table t({"RUN", "TRIGGER", "STARTED", "OUTCOME", "HOSTS", "MATCHED", "CHANGED", "MS", "ERROR"});
      for (const auto& run : (*r)["runs"])
        t.add({fieldText(run, "id"), fieldText(run, "trigger"), fieldText(run, "startedAt"), fieldText(run, "outcome"),
               fieldText(run, "providerHostCount"), fieldText(run, "matchedCount"), fieldText(run, "attributesChanged"),
               fieldText(run, "durationMs"),
               run.value("error", std::string()).empty() ? "-" : fieldText(run, "error")});
      t.print(std::cout);
      return 0;
    });
  });
}

}  // namespace postured::app
