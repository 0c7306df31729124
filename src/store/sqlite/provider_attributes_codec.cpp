#include "store/sqlite/provider_attributes_codec.h"

#include <charconv>

#include "store/sqlite/list_codec.h"

namespace postured::store::sqlite {

namespace {
constexpr std::size_t kFieldsPerAttribute = 4;
}  // namespace

std::string encodeProviderAttributes(const std::vector<core::DeviceAttribute>& attributes) {
  std::string out;
  out.reserve(attributes.size() * 48);
  for (const auto& a : attributes) {
    appendListItem(out, a.key);
    appendListItem(out, core::attributeTypeName(a.value.type()));
    appendListItem(out, a.value.encode());
    appendListItem(out, std::to_string(core::toUnixMillis(a.updated)));
  }
  return out;
}

std::optional<std::vector<core::DeviceAttribute>> decodeProviderAttributes(std::string_view text) {
  auto fields = decodeList(text);
  if (!fields || fields->size() % kFieldsPerAttribute != 0) return std::nullopt;
  std::vector<core::DeviceAttribute> out;
  out.reserve(fields->size() / kFieldsPerAttribute);
  for (std::size_t i = 0; i < fields->size(); i += kFieldsPerAttribute) {
    const auto type = core::parseAttributeType((*fields)[i + 1]);
    auto value = type ? core::AttributeValue::decode(*type, (*fields)[i + 2]) : std::nullopt;
    const auto& updatedText = (*fields)[i + 3];
    std::int64_t updated = 0;
    const auto [end, ec] = std::from_chars(updatedText.data(), updatedText.data() + updatedText.size(), updated);
    if (!value || ec != std::errc{} || end != updatedText.data() + updatedText.size()) return std::nullopt;
    out.push_back(core::DeviceAttribute{std::move((*fields)[i]), std::move(*value), std::nullopt,
                                        core::fromUnixMillis(updated)});
  }
  return out;
}

}  // namespace postured::store::sqlite
