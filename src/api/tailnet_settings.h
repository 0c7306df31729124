// The tailnet's settings that postured implements: today the switch for
// Device Identity Collection (Tailscale's postureIdentityCollectionOn,
// default off). Stored in the settings table.
#pragma once

#include "core/result.h"
#include "store/store.h"

namespace postured::api {

inline constexpr std::string_view kIdentityCollectionSetting = "postureIdentityCollectionOn";

core::Result<bool> identityCollectionOn(store::ReadTx& tx);  // also a WriteTx, to decide inside it

}  // namespace postured::api
