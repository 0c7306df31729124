// The text form of one device's attributes in one provider namespace (the
// provider_attributes.attributes column): per attribute its key, type name,
// encoded value and `updated` in Unix milliseconds, each one element of the
// list encoding (list_codec.h). Migration 0003 writes the same form in SQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute.h"

namespace postured::store::sqlite {

std::string encodeProviderAttributes(const std::vector<core::DeviceAttribute>& attributes);
// nullopt when `text` is not in this form.
std::optional<std::vector<core::DeviceAttribute>> decodeProviderAttributes(std::string_view text);

}  // namespace postured::store::sqlite
