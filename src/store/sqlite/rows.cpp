#include "store/sqlite/rows.h"

#include "store/sqlite/list_codec.h"

namespace postured::store::sqlite {

using core::ErrorKind;

Result<std::vector<std::string>> listFromColumn(const Statement& st, int column, const char* what,
                                                std::string_view owner) {
  auto list = decodeList(st.text(column));
  if (!list) {
    return core::fail(ErrorKind::kInternal,
                      std::string("the store holds a malformed ") + what + " " + std::string(owner));
  }
  return std::move(*list);
}

Result<core::Device> deviceFromRow(const Statement& st) {
  core::Device d;
  d.id = st.string(0);
  d.hostname = st.string(1);
  d.user = st.string(2);
  auto tags = listFromColumn(st, 3, "tag list of device", d.id);
  if (!tags) return tl::unexpected(std::move(tags.error()));
  d.tags = std::move(*tags);
  d.ipv4 = st.string(4);  // NULL reads as ""
  d.ipv6 = st.string(5);
  d.os = st.string(6);
  d.osVersion = st.string(7);
  d.clientVersion = st.string(8);
  d.created = st.time(9);
  d.lastSeen = st.optionalTime(10);
  auto serials = listFromColumn(st, 11, "serial number list of device", d.id);
  if (!serials) return tl::unexpected(std::move(serials.error()));
  d.serialNumbers = std::move(*serials);
  auto macs = listFromColumn(st, 12, "MAC address list of device", d.id);
  if (!macs) return tl::unexpected(std::move(macs.error()));
  d.macAddresses = std::move(*macs);
  d.postureIdentityDisabled = st.integer(13) != 0;
  d.nodeKey = st.string(14);
  d.ephemeral = st.integer(15) != 0;
  d.headscaleNodeId = st.string(16);
  if (!st.isNull(17)) d.online = st.integer(17) != 0;
  return d;
}

Result<core::DeviceAttribute> attributeFromRow(const Statement& st, int first) {
  const auto typeName = st.text(first + 1);
  const auto type = core::parseAttributeType(typeName);
  auto value = type ? core::AttributeValue::decode(*type, st.text(first + 2)) : std::nullopt;
  if (!value) {
    return core::fail(ErrorKind::kInternal, "the store holds a malformed value of attribute " +
                                                std::string(st.text(first)) + " (type " + std::string(typeName) + ")");
  }
  return core::DeviceAttribute{st.string(first), std::move(*value), st.optionalTime(first + 3), st.time(first + 4)};
}

Result<core::Integration> integrationFromRow(const Statement& st) {
  core::Integration i;
  i.id = st.string(0);
  i.provider = st.string(1);
  i.cloudId = st.string(2);
  i.clientId = st.string(3);
  i.tenantId = st.string(4);
  i.sealedSecret = st.string(5);
  i.created = st.time(6);
  i.configUpdated = st.time(7);
  if (st.integer(8) != 0) {
    core::IntegrationStatus& s = i.status.emplace();
    s.lastSync = st.optionalTime(9);
    s.lastSuccess = st.optionalTime(10);
    s.nextSync = st.optionalTime(11);
    s.pausedUntil = st.optionalTime(12);
    s.error = st.string(13);
    s.providerHostCount = st.integer(14);
    s.matchedCount = st.integer(15);
    s.possibleMatchedCount = st.integer(16);
    s.duplicateSerials = st.integer(17);
    s.durationMs = st.integer(18);
  }
  return i;
}

Result<core::IntegrationRun> runFromRow(const Statement& st) {
  core::IntegrationRun r;
  r.id = st.string(0);
  r.integrationId = st.string(1);
  r.trigger = st.string(2);
  r.startedAt = st.time(3);
  r.finishedAt = st.optionalTime(4);
  r.outcome = st.string(5);
  r.error = st.string(6);
  r.providerHostCount = st.integer(7);
  r.matchedCount = st.integer(8);
  r.attributesChanged = st.integer(9);
  r.durationMs = st.integer(10);
  return r;
}

}  // namespace postured::store::sqlite
