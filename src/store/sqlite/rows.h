// Decoding of stored rows into core types. A value that fails to decode means
// the file was edited by hand or corrupted; it is reported, never guessed.
#pragma once

#include "core/attribute.h"
#include "core/device.h"
#include "core/integration.h"
#include "store/sqlite/connection.h"

namespace postured::store::sqlite {

// A device row in the column order of statements.h, starting at column 0.
Result<core::Device> deviceFromRow(const Statement& st);
// key, type, value, expiry, updated starting at column `first`.
Result<core::DeviceAttribute> attributeFromRow(const Statement& st, int first);
// An integration row in the column order of statements.h, starting at column 0.
Result<core::Integration> integrationFromRow(const Statement& st);
// A run row in the column order of statements.h, starting at column 0.
Result<core::IntegrationRun> runFromRow(const Statement& st);
// A list column (list_codec.h); `what` and `owner` name it in the error.
Result<std::vector<std::string>> listFromColumn(const Statement& st, int column, const char* what,
                                                std::string_view owner);

}  // namespace postured::store::sqlite
