// Devices that enroll and report themselves (`postured enroll`), ours:
//
//   POST /api/v2/machine/register       Authorization: Bearer <auth key>
//   POST /api/v2/machine/{id}/report    the device's signature only
//
// Both bodies carry the device's facts: {"hostname", "os", "osVersion"?,
// "clientVersion"?, "identity"?}, where identity is Tailscale's c2n shape
// {"SerialNumbers": [...], "IfaceHardwareAddrs": [...]} or
// {"PostureDisabled": true}. Registration adds {"nodeKey", "tags"?}.
// Every request is signed with the device's key (core/device_signature.h):
// at registration that proves the caller holds the node key it claims, so an
// auth key alone cannot take over another device.
//
// Registration with a node key that already belongs to a device updates that
// device (same state dir, same device). A one-off key is spent by its first
// registration. Devices get the key's tags (or the requested subset of them),
// or else the key's owner, and are ephemeral when the key is.
//
// A report sets last seen and the facts. The identity is kept only while the
// tailnet's identity-collection switch is on and the device reports one;
// otherwise serials and MAC addresses are discarded and the device shows
// postureIdentity {"disabled": true}. Changes of the identity are audited as
// property POSTURE_IDENTITY, changes of the other facts as a device UPDATE.
#pragma once

#include <chrono>

#include "api/context.h"
#include "core/result.h"
#include "http/message.h"

namespace postured::api {

core::Result<http::Response> registerDevice(ApiContext& ctx, const http::Request& req);
core::Result<http::Response> reportDevice(ApiContext& ctx, const http::Request& req, const std::string& deviceId);

// Deletes ephemeral devices that have not reported for `timeout`, audited.
// Returns how many were removed.
core::Result<std::size_t> removeSilentEphemeralDevices(store::CachedStore& store, core::Timestamp now,
                                                       std::chrono::milliseconds timeout);

}  // namespace postured::api
