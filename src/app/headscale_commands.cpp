// postured headscale status: the headscale connection as
// GET /api/v2/tailnet/-/headscale shows it.
#include <iostream>

#include "app/answers.h"
#include "app/client_commands.h"
#include "app/table.h"

namespace postured::app {

namespace {

using Json = nlohmann::json;

void printStatus(const Json& s) {
  if (!s.value("configured", false)) {
    std::cout << fieldText(s, "message") << "\n";
    return;
  }
  const Json poll = s.value("lastPoll", Json::object());
  const Json push = s.value("lastPush", Json::object());
  Table t({"FIELD", "VALUE"});
  t.add({"url", fieldText(s, "url")});
  t.add({"poll interval", fieldText(s, "pollInterval")});
  t.add({"nodes seen", fieldText(s, "nodesSeen")});
  t.add({"last poll", fieldText(poll, "at") + " " + fieldText(poll, "outcome")});
  if (poll.contains("error")) t.add({"poll error", fieldText(poll, "error")});
  t.add({"last successful poll", fieldText(s, "lastSuccessfulPoll")});
  t.add({"last push", fieldText(push, "at") + " " + fieldText(push, "outcome")});
  if (push.contains("error")) t.add({"push error", fieldText(push, "error")});
  t.add({"pushed sha256", fieldText(s.value("lastSuccessfulPush", Json::object()), "sha256")});
  t.add({"pushed bytes", fieldText(push, "bytes")});
  t.add({"rules resolved / dropped", fieldText(push, "rulesResolved") + " / " + fieldText(push, "rulesDropped")});
  for (const auto& w : push.value("warnings", Json::array())) t.add({"warning", w.get<std::string>()});
  t.add({"next retry", fieldText(s, "nextRetry")});
  t.print(std::cout);
}

}  // namespace

void addHeadscaleCommands(CLI::App& app, CommandSink sink) {
  auto* group = app.add_subcommand("headscale", "The headscale server postured drives");
  group->require_subcommand(1);
  auto* status = group->add_subcommand("status", "Show the last node poll and the last policy push");
  status->callback([sink] {
    sink([](ApiClient& c, const ClientSettings& s) {
      return printAnswer(c.call("GET", "/api/v2/tailnet/-/headscale"), s, printStatus);
    });
  });
}

}  // namespace postured::app
