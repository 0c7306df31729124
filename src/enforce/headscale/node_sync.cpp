#include "enforce/headscale/node_sync.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "core/change_context.h"
#include "core/random.h"

namespace postured::enforce::headscale {

namespace {

using Json = nlohmann::json;

constexpr auto kLastSeenResolution = std::chrono::minutes(1);

// What the audit log shows of a mirrored device: the fields the poller owns.
Json mirrorJson(const core::Device& d) {
  Json addresses = Json::array();
  if (!d.ipv4.empty()) addresses.push_back(d.ipv4);
  if (!d.ipv6.empty()) addresses.push_back(d.ipv6);
  Json j{{"hostname", d.hostname}, {"addresses", std::move(addresses)}, {"headscaleNodeId", d.headscaleNodeId}};
  if (d.isTagged())
    j["tags"] = d.tags;
  else
    j["user"] = d.user;
  return j;
}

// `device` with the fields the node owns; everything else (identity, facts, node key) is kept.
core::Device mirrored(core::Device device, const HeadscaleNode& node) {
  device.headscaleNodeId = node.id;
  device.hostname = node.hostname();
  device.user = node.owner();
  device.tags = node.tags;
  device.ipv4 = node.ipv4;
  device.ipv6 = node.ipv6;
  device.online = node.online;
  return device;
}

bool lastSeenMoved(const std::optional<core::Timestamp>& stored, const std::optional<core::Timestamp>& reported) {
  if (stored.has_value() != reported.has_value()) return true;
  if (!stored) return false;
  const auto delta = *stored > *reported ? *stored - *reported : *reported - *stored;
  return delta >= kLastSeenResolution;
}

struct Planned {
  const HeadscaleNode* node;
  std::optional<core::Device> before;  // nullopt: a new device
  core::Device after;
  bool adopted = false;
};

// Whether the devices already mirror `nodes` as the store's cache holds them:
// then a poll needs no write transaction, which would hold the store's one
// writer (an attribute write waits for it) while it reads every device back.
bool alreadyMirrored(const store::CachedStore& store, const std::vector<HeadscaleNode>& nodes) {
  const auto snapshot = store.snapshot();
  std::unordered_map<std::string_view, const core::Device*> byNode;
  for (const auto& state : *snapshot.states)
    if (state && !state->device.headscaleNodeId.empty()) byNode.emplace(state->device.headscaleNodeId, &state->device);
  if (byNode.size() != nodes.size()) return false;  // a device whose node is gone, or a node without one
  for (const auto& node : nodes) {
    const auto it = byNode.find(node.id);
    if (it == byNode.end()) return false;
    const core::Device& d = *it->second;
    // The fields mirrored() writes.
    if (d.hostname != node.hostname() || d.user != node.owner() || d.tags != node.tags || d.ipv4 != node.ipv4 ||
        d.ipv6 != node.ipv6 || d.online != node.online || lastSeenMoved(d.lastSeen, node.lastSeen))
      return false;
    byNode.erase(it);  // a node listed twice is not a device's
  }
  return true;
}

}  // namespace

core::AuditActor headscaleActor() { return core::AuditActor{"headscale", "AUTOMATED_WORKER", "headscale", "headscale"}; }

core::Result<NodeSyncOutcome> syncNodes(store::CachedStore& store, const std::vector<HeadscaleNode>& nodes,
                                        core::Timestamp now) {
  if (alreadyMirrored(store, nodes)) return NodeSyncOutcome{};
  auto tx = store.write();
  if (!tx) return tl::unexpected(tx.error());
  // Read inside the transaction: an enrollment may have added a device since the last poll.
  auto devices = (*tx)->devices();
  if (!devices) return tl::unexpected(devices.error());

  std::unordered_map<std::string, const core::Device*> byNode, unlinkedByAddress;
  for (const auto& d : *devices) {
    if (!d.headscaleNodeId.empty()) {
      byNode.emplace(d.headscaleNodeId, &d);
      continue;
    }
    if (!d.ipv4.empty()) unlinkedByAddress.emplace(d.ipv4, &d);
    if (!d.ipv6.empty()) unlinkedByAddress.emplace(d.ipv6, &d);
  }

  std::vector<Planned> plan;
  std::unordered_map<std::string, bool> listed;
  for (const auto& node : nodes) {
    listed[node.id] = true;
    Planned p{&node, std::nullopt, core::Device{}};
    if (auto it = byNode.find(node.id); it != byNode.end()) {
      p.before = *it->second;
    } else {
      const core::Device* holder = nullptr;
      for (const auto* address : {&node.ipv4, &node.ipv6})
        if (auto h = unlinkedByAddress.find(*address); !address->empty() && h != unlinkedByAddress.end()) holder = h->second;
      if (holder) {
        p.before = *holder;
        p.adopted = true;
        unlinkedByAddress.erase(holder->ipv4);  // one device for one node
        unlinkedByAddress.erase(holder->ipv6);
      }
    }
    if (p.before) {
      p.after = mirrored(*p.before, node);
      if (lastSeenMoved(p.before->lastSeen, node.lastSeen)) p.after.lastSeen = node.lastSeen;
    } else {
      core::Device fresh;
      fresh.id = core::newDeviceId();
      fresh.created = now;
      fresh.lastSeen = node.lastSeen;
      p.after = mirrored(std::move(fresh), node);
    }
    plan.push_back(std::move(p));
  }

  core::ChangeContext context(headscaleActor(), "AUTOMATED", now);
  NodeSyncOutcome outcome;
  auto audit = [&](const core::Device& d, const char* action, const Json* before, const Json* after,
                   std::string details) -> core::Result<void> {
    auto event = context.event(core::AuditTarget{d.id, d.hostname, "NODE", ""}, action);
    if (before) event.oldJson = before->dump();
    if (after) event.newJson = after->dump();
    event.actionDetails = std::move(details);
    return (*tx)->appendAudit(event);
  };

  for (const auto& d : *devices) {
    if (d.headscaleNodeId.empty() || listed.count(d.headscaleNodeId)) continue;
    if (auto ok = (*tx)->deleteDevice(d.id); !ok) return tl::unexpected(ok.error());
    const Json before = mirrorJson(d);
    if (auto ok = audit(d, "DELETE", &before, nullptr, "headscale node " + d.headscaleNodeId + " is gone"); !ok)
      return tl::unexpected(ok.error());
    ++outcome.removed;
  }
  // Release the addresses that move before any is claimed, so that nodes
  // which swapped addresses never clash on the way.
  for (const auto& p : plan) {
    if (!p.before || (p.before->ipv4 == p.after.ipv4 && p.before->ipv6 == p.after.ipv6)) continue;
    core::Device released = *p.before;
    released.ipv4.clear();
    released.ipv6.clear();
    if (auto ok = (*tx)->updateDevice(released); !ok) return tl::unexpected(ok.error());
  }
  for (const auto& p : plan) {
    const Json after = mirrorJson(p.after);
    if (!p.before) {
      if (auto ok = (*tx)->insertDevice(p.after); !ok) return tl::unexpected(ok.error());
      if (auto ok = audit(p.after, "CREATE", nullptr, &after, "headscale node " + p.node->id); !ok)
        return tl::unexpected(ok.error());
      ++outcome.created;
      continue;
    }
    const Json before = mirrorJson(*p.before);
    const bool audited = p.adopted || before != after;
    const bool status = p.before->online != p.after.online || p.before->lastSeen != p.after.lastSeen;
    const bool released = p.before->ipv4 != p.after.ipv4 || p.before->ipv6 != p.after.ipv6;
    if (!audited && !status && !released) continue;
    if (auto ok = (*tx)->updateDevice(p.after); !ok) return tl::unexpected(ok.error());
    if (p.adopted) {
      if (auto ok = audit(p.after, "UPDATE", &before, &after,
                          "became headscale node " + p.node->id + ", which holds its address");
          !ok)
        return tl::unexpected(ok.error());
      ++outcome.adopted;
    } else if (audited) {
      if (auto ok = audit(p.after, "UPDATE", &before, &after, "headscale node " + p.node->id + " changed"); !ok)
        return tl::unexpected(ok.error());
      ++outcome.updated;
    } else {
      ++outcome.statusOnly;
    }
  }
  if (!outcome.changed()) return outcome;  // nothing written: the transaction rolls back
  if (auto ok = (*tx)->commit(); !ok) return tl::unexpected(ok.error());
  return outcome;
}

}  // namespace postured::enforce::headscale
