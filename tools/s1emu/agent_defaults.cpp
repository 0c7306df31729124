#include "agent_defaults.h"

#include <string>

#include "http/message.h"

namespace postured::s1emu {

namespace {

void setIfMissing(AgentJson& agent, const char* key, AgentJson value) {
  if (!agent.contains(key)) agent[key] = std::move(value);
}

}  // namespace

bool truthy(const AgentJson& value) {
  if (value.is_boolean()) return value.get<bool>();
  return value.is_string() && http::equalsIgnoreCase(value.get_ref<const std::string&>(), "true");
}

void applyDefaults(AgentJson& agent, std::uint64_t id, Micros now) {
  const auto idText = std::to_string(id);
  const auto stamp = formatTimestamp(now);
  setIfMissing(agent, "computerName", "agent-" + idText.substr(idText.size() > 6 ? idText.size() - 6 : 0));
  setIfMissing(agent, "isActive", true);
  setIfMissing(agent, "agentVersion", "23.3.2.12");
  setIfMissing(agent, "activeThreats", 0);
  if (!agent.contains("infected")) {
    const auto& threats = agent["activeThreats"];
    agent["infected"] = threats.is_number() && threats.get<double>() > 0;
  }
  setIfMissing(agent, "firewallEnabled", true);
  setIfMissing(agent, "encryptedApplications", true);
  setIfMissing(agent, "operationalState", "na");
  setIfMissing(agent, "networkStatus", "connected");
  setIfMissing(agent, "isDecommissioned", false);
  setIfMissing(agent, "isUninstalled", false);
  setIfMissing(agent, "isPendingUninstall", false);
  setIfMissing(agent, "osType", "windows");
  setIfMissing(agent, "osName", "Windows 11 Pro");
  setIfMissing(agent, "osRevision", "22631");
  setIfMissing(agent, "machineType", "laptop");
  setIfMissing(agent, "lastActiveDate", stamp);
  setIfMissing(agent, "updatedAt", stamp);
  setIfMissing(agent, "createdAt", stamp);
  setIfMissing(agent, "registeredAt", stamp);
  setIfMissing(agent, "siteId", "1393852366495617311");
  setIfMissing(agent, "accountId", "1393852365920997627");
  setIfMissing(agent, "groupId", "1393852366520783138");
  setIfMissing(agent, "networkInterfaces", AgentJson::array());
}

}  // namespace postured::s1emu
