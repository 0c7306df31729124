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

}  // namespace postured::store::sqlite
